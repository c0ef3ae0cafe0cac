from functools import cached_property
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_comma_separated_integer_list
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from centers import weekdays


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


class Center(models.Model):
    """A community service center (服务中心), or a station (服务站/驿站) under one."""

    class Kind(models.TextChoices):
        CENTER = "center", _("center")
        STATION = "station", _("station")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.CENTER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent center"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
        limit_choices_to={"kind": Kind.CENTER},
        help_text=_("Only for stations: the center they belong to."),
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    alias = models.CharField(_("alias"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=50, db_index=True)
    subdistrict = models.CharField(_("sub-district or town"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=255)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Where the building is (WGS-84, as a phone's location gives it): "nearest first" and the
    # map link. Empty for places whose address alone must do.
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    hours_note = models.CharField(
        _("note on opening hours"),
        max_length=200,
        blank=True,
        help_text=_("Shown next to the hours, e.g. 具体以实际为准."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    # No-show policy (爽约): this many no-shows within the window suspend booking and
    # registering for ``suspension_days``; the first one brings a warning.
    no_show_limit = models.PositiveSmallIntegerField(_("no-shows before suspension"), default=3)
    no_show_window_days = models.PositiveSmallIntegerField(_("no-show window (days)"), default=90)
    suspension_days = models.PositiveSmallIntegerField(_("suspension (days)"), default=30)
    reminder_hours = models.CharField(
        _("reminders (hours before)"),
        max_length=40,
        default="24,1",
        validators=[validate_comma_separated_integer_list],
        help_text=_("When members are reminded of bookings and sessions, e.g. 24,1."),
    )
    points_per_volunteer_hour = models.PositiveSmallIntegerField(
        _("points per volunteer hour"), default=10
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    no_show_limit__gte=1, no_show_window_days__gte=1, suspension_days__gte=1
                ),
                name="center_no_show_policy_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind="center", parent__isnull=True)
                | Q(kind="station", parent__isnull=False),
                name="center_station_has_parent",
                violation_error_message=_("A station needs a parent center; a center has none."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.kind != self.Kind.CENTER:
            raise ValidationError({"parent": _("A station's parent must be a center.")})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A center cannot be its own parent.")})

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted(
            {int(h) for h in self.reminder_hours.split(",") if h.strip().isdigit() and int(h) > 0},
            reverse=True,
        )


class Space(models.Model):
    """A room or facility in a center (场地/场馆), bookable by time when ``bookable``.

    ``units`` counts identical units (6 washers, 10 study seats): one booking holds one unit.
    """

    class Kind(models.TextChoices):
        MULTI_FUNCTION = "multi_function", _("multi-function room")
        LECTURE_HALL = "lecture_hall", _("lecture hall")
        STAGE = "stage", _("stage")
        STUDIO = "studio", _("live-stream studio")
        CLASSROOM = "classroom", _("classroom")
        YOUTH = "youth", _("youth space")
        CHILDREN = "children", _("children's room")
        CANTEEN = "canteen", _("canteen")
        FITNESS = "fitness", _("elderly fitness and rehab room")
        GYM = "gym", _("gym")
        LIBRARY = "library", _("library")
        REST_STOP = "rest_stop", _("rest stop")
        STUDY_ROOM = "study_room", _("self-study room")
        KITCHEN = "kitchen", _("shared kitchen")
        BATH = "bath", _("public bath")
        LAUNDRY = "laundry", _("laundry")
        MEETING = "meeting", _("meeting room")
        OTHER = "other", _("other")

    center = models.ForeignKey(
        Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="spaces"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind, default=Kind.OTHER)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), default=1)
    units = models.PositiveSmallIntegerField(
        _("units"),
        default=1,
        help_text=_("How many identical units it has (e.g. 6 washers); each is booked on its own."),
    )
    unit_label = models.CharField(
        _("unit name"), max_length=40, blank=True, help_text=_("e.g. 洗衣机, 座位")
    )
    bookable = models.BooleanField(_("bookable"), default=True)
    requires_approval = models.BooleanField(_("requires staff approval"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(_("slot grid (minutes)"), default=30)
    min_minutes = models.PositiveSmallIntegerField(_("minimum duration (minutes)"), default=30)
    max_minutes = models.PositiveSmallIntegerField(_("maximum duration (minutes)"), default=120)
    max_days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), default=14)
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=60)
    cancel_deadline_minutes = models.PositiveIntegerField(
        _("cancel until (minutes before start)"), default=120
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(
        _("buffer before (minutes)"), default=0, help_text=_("Kept free before each booking.")
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), default=0, help_text=_("Kept free after each booking.")
    )
    requires_check_in = models.BooleanField(
        _("requires check-in"),
        default=True,
        help_text=_("Bookings nobody checks in to are released and count as no-shows."),
    )
    check_in_opens_minutes = models.PositiveSmallIntegerField(
        _("check-in opens (minutes before start)"), default=15
    )
    release_after_minutes = models.PositiveSmallIntegerField(
        _("release after (minutes past start without check-in)"),
        default=15,
        help_text=_("0 keeps the booking until its end, then marks a no-show."),
    )
    max_active_per_member = models.PositiveSmallIntegerField(
        _("active bookings per member"), default=2
    )
    max_active_per_team = models.PositiveSmallIntegerField(_("active bookings per team"), default=5)
    weekly_quota_minutes = models.PositiveIntegerField(
        _("weekly minutes per member"),
        null=True,
        blank=True,
        help_text=_("Empty means no weekly limit."),
    )
    uses_access_codes = models.BooleanField(
        _("door access codes"),
        default=False,
        help_text=_("Each booking gets a 6-digit door code valid for its time."),
    )
    venue_code = models.CharField(
        _("venue check-in code"),
        max_length=12,
        blank=True,
        help_text=_("Shown at the venue; members enter it to check in themselves."),
    )
    eligibility = models.ForeignKey(
        "members.EligibilityRule",
        verbose_name=_("eligibility rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    eligibility_note = models.CharField(
        _("who may book"),
        max_length=200,
        blank=True,
        help_text=_("Shown to residents; the eligibility rule is what is enforced."),
    )
    equipment = models.TextField(_("equipment"), blank=True, help_text=_("One item per line."))
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["center_id", "floor", "id"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="space_unique_name"),
            models.CheckConstraint(condition=Q(units__gte=1), name="space_units_positive"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=1440), name="space_slot_range"
            ),
            models.CheckConstraint(
                condition=Q(min_minutes__gte=F("slot_minutes"), max_minutes__gte=F("min_minutes")),
                name="space_duration_order",
                violation_error_message=_("Durations must satisfy slot ≤ minimum ≤ maximum."),
            ),
            models.CheckConstraint(
                condition=Exact(Mod("min_minutes", "slot_minutes"), 0)
                & Exact(Mod("max_minutes", "slot_minutes"), 0),
                name="space_durations_on_grid",
                violation_error_message=_("Durations must be whole multiples of the slot grid."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center.name} · {self.name}"

    @property
    def equipment_list(self) -> list[str]:
        return [line.strip() for line in self.equipment.splitlines() if line.strip()]


class _HoursScope(models.Model):
    """Hours belong to a whole center or to one space of it (overriding the center's)."""

    center = models.ForeignKey(
        Center, verbose_name=_("center"), null=True, blank=True, on_delete=models.CASCADE
    )
    space = models.ForeignKey(
        Space, verbose_name=_("space"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        abstract = True


class OpeningRule(_HoursScope):
    """A weekly interval: on the chosen weekdays, open from ``opens`` to ``closes``.

    ``closes`` at or before ``opens`` means the interval ends the next day (22:00–06:00), and
    ``opens == closes`` means 24 hours. A space with rules of its own ignores its center's.
    """

    weekdays = models.PositiveSmallIntegerField(_("weekdays"), default=weekdays.ALL_DAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("weekly opening hours")
        verbose_name_plural = _("weekly opening hours")
        ordering = ["opens", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(center__isnull=False, space__isnull=True)
                | Q(center__isnull=True, space__isnull=False),
                name="openingrule_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=weekdays.ALL_DAYS),
                name="openingrule_weekdays_mask",
            ),
        ]
        indexes = [models.Index(fields=["center"]), models.Index(fields=["space"])]

    def __str__(self) -> str:
        return f"{weekdays.describe(self.weekdays)} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(_HoursScope):
    """Dated hours that replace the weekly rules: a holiday closure, changed hours.

    Every exception covering a date replaces that date's weekly hours; one without times closes.
    """

    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until (inclusive)"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("hours exception")
        verbose_name_plural = _("hours exceptions")
        ordering = ["start_date", "opens", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(center__isnull=False, space__isnull=True)
                | Q(center__isnull=True, space__isnull=False),
                name="openingexception_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="openingexception_dates_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(opens__isnull=True, closes__isnull=True)
                | Q(opens__isnull=False, closes__isnull=False),
                name="openingexception_times_paired",
                violation_error_message=_("Give both times, or neither to close."),
            ),
        ]
        indexes = [
            models.Index(fields=["center", "end_date"]),
            models.Index(fields=["space", "end_date"]),
        ]

    def __str__(self) -> str:
        when = (
            f"{self.start_date}"
            if self.start_date == self.end_date
            else (f"{self.start_date}–{self.end_date}")
        )
        if self.opens is None:
            closed = _("closed")
            return f"{when} {closed}"
        return f"{when} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def closes_day(self) -> bool:
        return self.opens is None


class StaffAssignment(models.Model):
    """A staff member's role at a center. Staff of a center also manage its stations."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("manager")
        FRONT_DESK = "front_desk", _("front desk")
        VIEWER = "viewer", _("viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="staff_assignments",
    )
    center = models.ForeignKey(
        Center,
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        related_name="staff_assignments",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.VIEWER)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "center"], name="staffassignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.center} ({self.get_role_display()})"


class DistrictAssignment(models.Model):
    """Oversight of a district (区) or one of its sub-districts (街道): read-only access to
    every center there, their lists, day boards and reports."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="district_assignments",
    )
    district = models.CharField(_("district"), max_length=50)
    subdistrict = models.CharField(
        _("sub-district or town"),
        max_length=50,
        blank=True,
        help_text=_("Leave empty for the whole district."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("district oversight")
        verbose_name_plural = _("district oversight")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "district", "subdistrict"], name="districtassignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.district}{self.subdistrict}"
