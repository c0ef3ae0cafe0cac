"""Forms of the program screens. They only collect input: the services decide, and their errors
land on these forms. Labels come from the models' verbose names."""

import re
from datetime import date
from typing import Any

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from centers.forms import WeekdaysField
from centers.models import Space
from centers.selectors import center_staff
from members.models import User
from services.models import HomeVisitRequest, Program, Session


def _label(model: type[Model], name: str) -> Any:
    return model._meta.get_field(name).verbose_name


def _help(model: type[Model], name: str) -> Any:
    return model._meta.get_field(name).help_text


def _when(model: type[Model], name: str, **kwargs: Any) -> forms.SplitDateTimeField:
    return forms.SplitDateTimeField(
        label=_label(model, name), widget=widgets.AdminSplitDateTime, **kwargs
    )


class ProgramPlaceForm(forms.Form):
    """A form that schedules a program's time: the program, space and staff choices are the
    ones the staff member may use, and space and staff must belong to the program's center."""

    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), label=_label(Session, "program")
    )

    def __init__(
        self,
        *args: Any,
        programs: QuerySet[Program],
        spaces: QuerySet[Space],
        staff: QuerySet[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["space"].queryset = spaces
        if "staff" in self.fields:
            self.fields["staff"].queryset = staff if staff is not None else User.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        program = data.get("program")
        if program is None:
            return data
        space = data.get("space")
        if space is not None and space.center_id != program.center_id:
            self.add_error("space", _("Choose a space of the program's center."))
        member = data.get("staff")
        if (
            member is not None
            and not center_staff([program.center_id]).filter(pk=member.pk).exists()
        ):
            self.add_error("staff", _("Choose a staff member of the program's center."))
        return data


class SessionForm(ProgramPlaceForm):
    start = _when(Session, "start")
    end = _when(Session, "end")
    capacity = forms.IntegerField(label=_label(Session, "capacity"), min_value=1)
    space = forms.ModelChoiceField(
        queryset=Space.objects.none(), label=_label(Session, "space"), required=False
    )
    registration_opens = _when(
        Session, "registration_opens", required=False, help_text=_("Leave empty to open now.")
    )
    registration_closes = _when(
        Session,
        "registration_closes",
        required=False,
        help_text=_("Leave empty to close at the start."),
    )
    staff = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_label(Session, "staff"),
        help_text=_help(Session, "staff"),
        required=False,
    )
    note = forms.CharField(label=_label(Session, "note"), max_length=200, required=False)
    # Shown only once the service has listed bookings in the way.
    cancel_conflicting = forms.BooleanField(label=_("Cancel these bookings"), required=False)
    cancel_reason = forms.CharField(
        label=_("Reason given to the members"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to say the space is used for a program session."),
    )


def parse_dates(text: str) -> set[date]:
    """Dates written as YYYY-MM-DD, separated by spaces, commas or new lines."""
    found, wrong = set(), []
    for word in re.split(r"[\s,，;；、]+", text.strip()):
        if not word:
            continue
        try:
            found.add(date.fromisoformat(word))
        except ValueError:
            wrong.append(word)
    if wrong:
        raise ValidationError(
            _("Not a date (write YYYY-MM-DD): %(words)s"), params={"words": ", ".join(wrong)}
        )
    return found


class SeriesForm(ProgramPlaceForm):
    weekdays = WeekdaysField(label=_("weekdays"))
    start_time = forms.TimeField(label=_label(Session, "start"), widget=widgets.AdminTimeWidget)
    end_time = forms.TimeField(label=_label(Session, "end"), widget=widgets.AdminTimeWidget)
    first_date = forms.DateField(label=_("first date"), widget=widgets.AdminDateWidget)
    last_date = forms.DateField(label=_("last date"), widget=widgets.AdminDateWidget)
    skip_dates = forms.CharField(
        label=_("dates to skip"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        help_text=_("Holidays and other days without a session: YYYY-MM-DD, one per line."),
    )
    capacity = forms.IntegerField(label=_label(Session, "capacity"), min_value=1)
    space = forms.ModelChoiceField(
        queryset=Space.objects.none(), label=_label(Session, "space"), required=False
    )

    def clean_skip_dates(self) -> set[date]:
        return parse_dates(self.cleaned_data["skip_dates"])


class AppointmentBlockForm(ProgramPlaceForm):
    start = _when(Session, "start")
    end = _when(Session, "end")
    slot_minutes = forms.IntegerField(label=_("minutes per appointment"), min_value=5, initial=30)
    staff = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_label(Session, "staff"),
        help_text=_help(Session, "staff"),
        required=False,
    )
    space = forms.ModelChoiceField(
        queryset=Space.objects.none(), label=_label(Session, "space"), required=False
    )


class SessionChangeForm(forms.Form):
    """What staff may change on a scheduled session (``session_update``)."""

    start = _when(Session, "start")
    end = _when(Session, "end")
    capacity = forms.IntegerField(label=_label(Session, "capacity"), min_value=1)
    note = forms.CharField(label=_label(Session, "note"), max_length=200, required=False)


class HomeVisitScheduleForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_label(HomeVisitRequest, "assignee")
    )
    when = _when(HomeVisitRequest, "scheduled_at")

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class PlanConfirmForm(forms.Form):
    """The second step of a plan: which bookings in the way to cancel, and why."""

    cancel_conflicting = forms.BooleanField(
        label=_("Cancel the bookings in the way"), required=False
    )
    cancel_reason = forms.CharField(
        label=_("Reason given to the members"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to say the space is used for a program session."),
    )
