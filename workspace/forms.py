"""Forms of the workspace pages. They collect input; the services decide."""

from datetime import date
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from centers.models import Space
from members.phones import MainlandPhoneField


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "inputmode": "numeric",
                "id": "checkin-code",
                "placeholder": _("Type or scan"),
            }
        ),
    )


class NewMemberForm(forms.Form):
    phone = MainlandPhoneField(label=_("Mobile number"))
    name = forms.CharField(label=_("Name (optional)"), max_length=50, required=False)


class LabelledForm(forms.Form):
    """Labels reuse the models' field names ("space", "start"), lower case like every
    verbose_name; the admin capitalises those in its own forms, and so do these ("Space")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


class WalkInForm(LabelledForm):
    """A booking for a member found or created at the desk, from the day's free start times."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    space = forms.ModelChoiceField(queryset=Space.objects.none(), label=_("space"))
    start = forms.TimeField(label=_("start"), widget=forms.TimeInput(format="%H:%M"))
    minutes = forms.TypedChoiceField(label=_("length"), coerce=int)
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)

    def __init__(self, *args: Any, spaces, day: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day = day
        self.fields["space"].queryset = spaces
        longest = max((s.max_minutes for s in spaces), default=120)
        steps = sorted(
            {m for s in spaces for m in range(s.min_minutes, s.max_minutes + 1, s.slot_minutes)}
            or {60}
        )
        self.fields["minutes"].choices = [(m, _minutes(m)) for m in steps if m <= longest]


def _minutes(m: int) -> str:
    hours, rest = divmod(m, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    if not rest:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}


class ClosureForm(LabelledForm):
    """A dated exception of a center or one of its spaces: closed, or other hours."""

    space = forms.ModelChoiceField(
        queryset=Space.objects.none(),
        label=_("space"),
        required=False,
        empty_label=_("The whole center"),
    )
    start_date = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=_("until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    opens = forms.TimeField(
        label=_("opens"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Leave both times empty to close."),
    )
    closes = forms.TimeField(
        label=_("closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    cancel_stranded = forms.BooleanField(
        label=_("Cancel these bookings and sessions"), required=False
    )
    reason = forms.CharField(label=_("Reason given to the members"), max_length=200, required=False)

    def __init__(self, *args: Any, spaces, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("opens") is None) != (data.get("closes") is None):
            self.add_error("closes", _("Give both times, or neither to close."))
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class CopyWeekForm(forms.Form):
    source = forms.DateField(
        label=_("Copy the week of"), widget=forms.DateInput(attrs={"type": "date"})
    )
    target = forms.DateField(
        label=_("to the week of"), widget=forms.DateInput(attrs={"type": "date"})
    )
