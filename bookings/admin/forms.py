"""Forms of the booking screens. They only collect input: the services decide (and their errors
land on these forms). Labels come from the models' verbose names."""

from typing import Any

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from bookings.models import Blackout, Booking, BookingSeries
from centers.forms import WeekdaysField
from centers.models import Space
from members.models import Team, User
from members.phones import normalize_mainland_mobile


def _label(model: type[Model], name: str) -> Any:
    return model._meta.get_field(name).verbose_name


def _help(model: type[Model], name: str) -> Any:
    return model._meta.get_field(name).help_text


class SpaceChoiceForm(forms.Form):
    """A form whose space choices are the ones the staff member may act on."""

    def __init__(self, *args: Any, spaces: QuerySet[Space], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces


class BlackoutForm(SpaceChoiceForm):
    space = forms.ModelChoiceField(queryset=Space.objects.none(), label=_label(Blackout, "space"))
    start = forms.SplitDateTimeField(
        label=_label(Blackout, "start"), widget=widgets.AdminSplitDateTime
    )
    end = forms.SplitDateTimeField(label=_label(Blackout, "end"), widget=widgets.AdminSplitDateTime)
    repeat_weekly_until = forms.DateField(
        label=_label(Blackout, "repeat_weekly_until"),
        help_text=_help(Blackout, "repeat_weekly_until"),
        required=False,
        widget=widgets.AdminDateWidget,
    )
    reason = forms.CharField(label=_label(Blackout, "reason"), max_length=200)
    # Shown only once the service has listed bookings in the way.
    cancel_conflicting = forms.BooleanField(label=_("Cancel these bookings"), required=False)
    cancel_reason = forms.CharField(
        label=_("Reason given to the members"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to give the blackout's reason."),
    )
    skip_taken = forms.BooleanField(
        label=_("Leave out the weeks already taken"),
        required=False,
        help_text=_("The space is held then anyway, by the session or blackout listed."),
    )


class SeriesForm(SpaceChoiceForm):
    space = forms.ModelChoiceField(queryset=Space.objects.none(), label=_label(Booking, "space"))
    member = forms.CharField(
        label=_label(Booking, "member"),
        max_length=150,
        help_text=_("Username or mobile number of the member the bookings are for."),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), label=_label(Booking, "team"), required=False
    )
    weekdays = WeekdaysField(label=_label(BookingSeries, "weekdays"))
    # The series' own labels ("from", "until") read like dates next to the date fields.
    start_time = forms.TimeField(label=_label(Booking, "start"), widget=widgets.AdminTimeWidget)
    end_time = forms.TimeField(label=_label(Booking, "end"), widget=widgets.AdminTimeWidget)
    first_date = forms.DateField(
        label=_label(BookingSeries, "first_date"), widget=widgets.AdminDateWidget
    )
    last_date = forms.DateField(
        label=_label(BookingSeries, "last_date"), widget=widgets.AdminDateWidget
    )
    purpose = forms.CharField(label=_label(BookingSeries, "purpose"), max_length=200)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def clean_member(self) -> User:
        text = self.cleaned_data["member"].strip()
        member = User.objects.filter(username=text, is_active=True).first()
        if member is None:
            try:
                phone = normalize_mainland_mobile(text)
            except ValidationError:
                phone = None
            if phone:
                member = User.objects.filter(phone=phone, is_active=True).first()
        if member is None:
            raise ValidationError(_("No member has this username or mobile number."))
        return member
