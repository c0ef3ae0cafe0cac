from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Program(models.Model):
    """A kind of service (服务项目/活动) a center offers: sessions with seats, or one-to-one
    appointments."""

    class Kind(models.TextChoices):
        GROUP = "group", _("group sessions")
        APPOINTMENT = "appointment", _("one-to-one appointments")
        # Members sign up for a role in each session (理发 2 人, 扦脚 1 人) and earn points for
        # the hours staff confirm.
        VOLUNTEER = "volunteer", _("volunteer shifts")

    class Category(models.TextChoices):
        HEALTH = "health", _("health lecture")
        CLINIC = "clinic", _("free clinic")
        CULTURE = "culture", _("culture and arts")
        KIDS = "kids", _("children")
        COUNSELLING = "counselling", _("psychological counselling")
        CAREER = "career", _("jobs and start-ups")
        LEGAL = "legal", _("legal consultation")
        MEDIATION = "mediation", _("labour mediation")
        TCM = "tcm", _("traditional Chinese medicine")
        DIGITAL = "digital", _("smartphone classes")
        CONVENIENCE = "convenience", _("convenience services")
        CINEMA = "cinema", _("cinema")
        COOKING = "cooking", _("cooking and baking")
        HOME_VISIT = "home_visit", _("home visits")
        OTHER = "other", _("other")

    class Mode(models.TextChoices):
        FIRST_COME = "first_come", _("first come, first served")
        LOTTERY = "lottery", _("lottery")

    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name=_("center"),
    )
    title = models.CharField(_("title"), max_length=120)
    category = models.CharField(
        _("category"), max_length=16, choices=Category, default=Category.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.GROUP)
    mode = models.CharField(_("registration"), max_length=16, choices=Mode, default=Mode.FIRST_COME)
    eligibility = models.ForeignKey(
        "members.EligibilityRule",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("eligibility rule"),
    )
    verification_required = models.BooleanField(_("real-name verification required"), default=False)
    points_cost = models.PositiveIntegerField(_("points cost"), default=0)
    points_reward = models.PositiveIntegerField(
        _("points for attending"), default=0, help_text=_("Earned at check-in.")
    )
    free_for_elderly = models.BooleanField(_("free for members aged 80+"), default=True)
    organizer_team = models.ForeignKey(
        "members.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programs",
        verbose_name=_("organizing team"),
    )
    partner = models.CharField(
        _("partner"), max_length=100, blank=True, help_text=_("e.g. 华东医院")
    )
    max_party_size = models.PositiveSmallIntegerField(
        _("largest party"), default=1, help_text=_("1 = the member alone; 2 = with a companion.")
    )
    max_per_member_per_day = models.PositiveSmallIntegerField(
        _("registrations per member per day"), null=True, blank=True
    )
    offer_hours = models.PositiveSmallIntegerField(_("waitlist offer holds (hours)"), default=12)
    cancel_deadline_hours = models.PositiveSmallIntegerField(
        _("cancel with refund until (hours before start)"), default=2
    )
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["center_id", "title"]
        constraints = [
            models.UniqueConstraint(fields=["center", "title"], name="program_unique_title"),
            models.CheckConstraint(
                condition=Q(max_party_size__gte=1), name="program_party_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One dated occurrence of a program (场次), with seats. ``seats_taken`` counts the party
    sizes of confirmed, offered and checked-in registrations; the database keeps it within
    the capacity."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("program")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    space = models.ForeignKey(
        "centers.Space",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("space"),
    )
    capacity = models.PositiveIntegerField(_("seats"))
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    waitlist_counter = models.PositiveIntegerField(default=0, editable=False)
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.SCHEDULED)
    note = models.CharField(_("note"), max_length=200, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff member"),
        help_text=_("For appointments: who sees the member."),
    )
    lottery_seed = models.CharField(_("lottery seed"), max_length=64, blank=True, editable=False)
    lottery_drawn_at = models.DateTimeField(
        _("lottery drawn at"), null=True, blank=True, editable=False
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["program", "start"]), models.Index(fields=["start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="session_not_oversold"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes__gt=F("registration_opens")),
                name="session_window_order",
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.start, self.program.center.tz)
        return f"{self.program.title} {start:%Y-%m-%d %H:%M}"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class VolunteerRole(models.Model):
    """A job in a volunteer session, with its own seats (理发 2 人). ``seats_taken`` counts the
    confirmed and checked-in sign-ups; the database keeps it within ``seats``."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="roles", verbose_name=_("session")
    )
    name = models.CharField(_("role"), max_length=50)
    seats = models.PositiveSmallIntegerField(_("volunteers needed"))
    seats_taken = models.PositiveSmallIntegerField(_("signed up"), default=0, editable=False)

    class Meta:
        verbose_name = _("volunteer role")
        verbose_name_plural = _("volunteer roles")
        ordering = ["session_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "name"], name="volunteer_role_unique_name"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="volunteer_role_has_seats"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("seats")), name="volunteer_role_not_oversold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ×{self.seats}"

    @property
    def seats_left(self) -> int:
        return max(self.seats - self.seats_taken, 0)


class Registration(models.Model):
    """A member's seat (or place in the queue) in a session (报名)."""

    class Status(models.TextChoices):
        ENTERED = "entered", _("entered in the lottery")
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("waitlisted")
        OFFERED = "offered", _("offered a seat")
        CHECKED_IN = "checked_in", _("checked in")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("offer expired")
        NO_SHOW = "no_show", _("no-show")

    ACTIVE = (
        Status.ENTERED,
        Status.CONFIRMED,
        Status.WAITLISTED,
        Status.OFFERED,
        Status.CHECKED_IN,
    )
    SEATED = (Status.CONFIRMED, Status.OFFERED, Status.CHECKED_IN)

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("session")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("member"),
    )
    party_size = models.PositiveSmallIntegerField(_("party size"), default=1)
    role = models.ForeignKey(
        VolunteerRole,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("volunteer role"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, db_index=True)
    position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    check_in_code = models.CharField(_("check-in code"), max_length=12)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # The smallest reminder offset (hours before the start) already written for this seat:
    # the clock finds what is due without looking into the outbox.
    reminded_hours = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("registered"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["session", "status", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=Q(
                    status__in=["entered", "confirmed", "waitlisted", "offered", "checked_in"]
                ),
                name="registration_one_active_per_member",
            ),
            models.UniqueConstraint(
                fields=["session", "position"],
                condition=Q(position__isnull=False),
                name="registration_unique_position",
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="registration_party"),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.session} ({self.get_status_display()})"


class RegistrationEvent(models.Model):
    """The audit trail of registrations."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.action}"


class LotteryDraw(models.Model):
    """The record that shows a draw was fair: the seed and the order it produced."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="draw")
    seed = models.CharField(max_length=64)
    entrant_ids = models.JSONField(help_text="Registration ids in the order they entered")
    drawn_ids = models.JSONField(help_text="Registration ids in drawn order")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"draw {self.session_id} seed {self.seed}"


class HomeVisitRequest(models.Model):
    """预约上门服务: a member asks for a visit at home; staff schedule and assign it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        SCHEDULED = "scheduled", _("scheduled")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="home_visits", verbose_name=_("program")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="home_visit_requests",
        verbose_name=_("member"),
    )
    address = models.CharField(_("address"), max_length=200)
    preferred_time = models.CharField(_("preferred time"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.REQUESTED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    scheduled_at = models.DateTimeField(_("visit time"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("home visit request")
        verbose_name_plural = _("home visit requests")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.member} {self.program}"
