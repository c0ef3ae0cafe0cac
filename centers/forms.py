from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from centers import weekdays
from centers.models import OpeningRule


class WeekdaysField(forms.MultipleChoiceField):
    """Checkboxes for Monday..Sunday, stored as the bitmask of ``centers.weekdays``."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        for key in ("max_value", "min_value", "step_size"):
            kwargs.pop(key, None)
        kwargs.pop("choices", None)
        super().__init__(choices=weekdays.WEEKDAY_CHOICES, **kwargs)

    def prepare_value(self, value: Any) -> list[str]:
        if isinstance(value, int):
            return [str(day) for day in weekdays.from_mask(value)]
        return value or []

    def clean(self, value: Any) -> int:
        return weekdays.to_mask(super().clean(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = initial if isinstance(initial, int) else weekdays.to_mask(initial or [])
        return before != weekdays.to_mask(data or [])


class OpeningRuleForm(forms.ModelForm):
    weekdays = WeekdaysField(label=_("weekdays"))

    class Meta:
        model = OpeningRule
        fields = ["weekdays", "opens", "closes"]
        help_texts = {"closes": _("Earlier than opening means the next day; equal means 24 hours.")}
