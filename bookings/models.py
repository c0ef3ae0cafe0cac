from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centers import weekdays


class BookingSeries(models.Model):
    """A weekly recurring booking made by staff or a team leader; each date is a Booking."""

    space = models.ForeignKey("centers.Space", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_series"
    )
    team = models.ForeignKey(
        "members.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    weekdays = models.PositiveSmallIntegerField(_("weekdays"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    first_date = models.DateField(_("first date"))
    last_date = models.DateField(_("last date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_date__gte=F("first_date")), name="series_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=weekdays.ALL_DAYS),
                name="series_weekdays_mask",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.space} {weekdays.describe(self.weekdays)} {self.start_time:%H:%M}"


class Booking(models.Model):
    """A member (or a team, through its leader) holding one unit of a space for a time range."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        CONFIRMED = "confirmed", _("confirmed")
        CHECKED_IN = "checked_in", _("checked in")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")
        REJECTED = "rejected", _("rejected")
        NO_SHOW = "no_show", _("no-show")

    HOLDING = (Status.PENDING, Status.CONFIRMED, Status.CHECKED_IN)

    # No single-column indexes where a composite one below leads with the same column (space,
    # member, status): each would cost every booking an index write and 6-8 MB a million rows.
    space = models.ForeignKey(
        "centers.Space",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("space"),
        db_index=False,
    )
    unit = models.PositiveSmallIntegerField(_("unit"), default=1)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("member"),
        db_index=False,
    )
    team = models.ForeignKey(
        "members.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("team"),
    )
    series = models.ForeignKey(
        BookingSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=16, choices=Status)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    attendees = models.PositiveSmallIntegerField(_("attendees"), default=1)
    check_in_code = models.CharField(_("check-in code"), max_length=12)
    access_code = models.CharField(_("door code"), max_length=6, null=True, blank=True)
    cancel_until = models.DateTimeField(_("cancel until"))
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    # The smallest reminder offset (hours before the start) already written for this booking:
    # the clock finds what is due without looking into the outbox.
    reminded_hours = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["space", "start"]),
            models.Index(fields=["member", "status", "start"]),
            models.Index(fields=["status", "start"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(condition=Q(unit__gte=1), name="booking_unit_positive"),
            models.CheckConstraint(condition=Q(attendees__gte=1), name="booking_attendees"),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.start, self.space.center.tz)
        return f"#{self.pk} {self.space.name} {start:%Y-%m-%d %H:%M}"

    @property
    def holds_time(self) -> bool:
        return self.status in self.HOLDING


class Blackout(models.Model):
    """Staff block a space (all its units): once, or weekly until a date."""

    space = models.ForeignKey(
        "centers.Space", on_delete=models.CASCADE, related_name="blackouts", verbose_name=_("space")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    repeat_weekly_until = models.DateField(
        _("repeat weekly until"),
        null=True,
        blank=True,
        help_text=_("Leave empty for a single block."),
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("blackout")
        verbose_name_plural = _("blackouts")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="blackout_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.start, self.space.center.tz)
        return f"{self.space.name} {start:%Y-%m-%d %H:%M} {self.reason}"


class SpaceHold(models.Model):
    """One unit of a space taken for a (buffered) time range, by a booking, a blackout or a
    program session. On PostgreSQL an exclusion constraint makes two overlapping holds on the
    same unit impossible (migration 0002); rows exist only while they hold time."""

    space = models.ForeignKey("centers.Space", on_delete=models.CASCADE, related_name="holds")
    unit = models.PositiveSmallIntegerField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="holds"
    )
    blackout = models.ForeignKey(
        Blackout, null=True, blank=True, on_delete=models.CASCADE, related_name="holds"
    )
    session = models.ForeignKey(
        "services.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="holds"
    )

    class Meta:
        verbose_name = _("space hold")
        verbose_name_plural = _("space holds")
        # End first: a window's holds are those ending after its start, so history (holds that
        # ended long ago) lies outside the index range scanned; ``start`` is checked in the index,
        # and with ``unit`` included the index alone answers availability (PostgreSQL).
        indexes = [
            models.Index(
                fields=["space", "end", "start"], include=["unit"], name="spacehold_window"
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="hold_end_after_start"),
            models.CheckConstraint(
                condition=Q(booking__isnull=False, blackout__isnull=True, session__isnull=True)
                | Q(booking__isnull=True, blackout__isnull=False, session__isnull=True)
                | Q(booking__isnull=True, blackout__isnull=True, session__isnull=False),
                name="hold_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.space_id}#{self.unit} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class AvailabilityChange(models.Model):
    """A change of the holds that bear on one day of a space, written in the transaction that
    changes them. The sum of ``weight`` over a (space, day) is that day's version: it only grows
    (rows are inserted, never updated, so writers never wait for each other here), and cached
    availability is keyed by it (``bookings.availability_cache``). Rows of past days, which are
    never cached, are deleted by the clock."""

    space = models.ForeignKey("centers.Space", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["space", "day"], name="availabilitychange_space_day")]

    def __str__(self) -> str:
        return f"{self.space_id} {self.day} +{self.weight}"


class BookingEvent(models.Model):
    """The audit trail: every state change of a booking, by whom and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.action} {self.from_status}→{self.to_status}"
