from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members import crypto, idcard


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day``: the birthday itself counts (60 on the 60th birthday)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class User(AbstractUser):
    """A resident, a team member or a staff member: everyone who logs in.

    The resident ID number is never stored in clear: ``id_number_encrypted`` holds it encrypted
    with the keys in settings (rotatable), ``id_number_digest`` is a keyed HMAC that keeps one ID
    to one account. The only form ever shown, ``id_number_masked``, is derived from the ciphertext
    when it is shown: no column holds any part of the number in plain.
    """

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("WeChat")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("email")

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, null=True, blank=True, unique=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    neighbourhood = models.CharField(_("neighbourhood (居民区)"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    notification_channels = models.JSONField(
        _("notification channels"),
        default=list,
        blank=True,
        help_text=_("In order of preference: wechat, sms, email."),
    )
    is_party_member = models.BooleanField(_("party member"), default=False)

    real_name_encrypted = models.TextField(blank=True, editable=False)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_digest = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)

    points_balance = models.IntegerField(_("points balance"), default=0, editable=False)
    anonymized_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("member")
        verbose_name_plural = _("members")
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # The last word on "never negative", whatever races the Python checks lose.
            models.CheckConstraint(
                condition=Q(points_balance__gte=0), name="member_points_not_negative"
            ),
        ]

    def __str__(self) -> str:
        # Staff screens name a member the way the front desk knows them: by name, with enough
        # of the phone to tell two 王阿姨 apart (never the whole number, never the ID number).
        name = self.display_name or self.get_full_name() or self.username
        return f"{name} ({self.phone_masked})" if self.phone else name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def id_number_masked(self) -> str:
        """``3****************4``, or "" until verified."""
        if not self.id_number_encrypted:
            return ""
        return idcard.mask(crypto.decrypt(self.id_number_encrypted))

    def age_on(self, day: date) -> int | None:
        return age_on(self.birth_date, day) if self.birth_date else None

    def wechat_openid(self, appid: str) -> str | None:
        """The member's openid in the mini-program ``appid`` (an openid is per app), if any."""
        return self.wechat_accounts.filter(appid=appid).values_list("openid", flat=True).first()

    @property
    def phone_masked(self) -> str:
        if not self.phone:
            return ""
        digits = self.phone.removeprefix("+86")
        return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"


class WeChatAccount(models.Model):
    """A member's identity in one WeChat mini-program (appid, openid)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="wechat_accounts", verbose_name=_("member")
    )
    appid = models.CharField(max_length=64)
    openid = models.CharField(max_length=128)
    unionid = models.CharField(max_length=128, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_login = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("WeChat account")
        verbose_name_plural = _("WeChat accounts")
        constraints = [
            models.UniqueConstraint(fields=["appid", "openid"], name="wechat_account_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.appid}:{self.openid[:6]}…"


class Team(models.Model):
    """A team (团队) or a community talent (社区达人) group at a center; its leader books for it."""

    class Kind(models.TextChoices):
        TEAM = "team", _("team")
        TALENT = "talent", _("community talent")

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="teams", verbose_name=_("center")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.TEAM)
    leader = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="led_teams", verbose_name=_("leader")
    )
    members = models.ManyToManyField(
        User, through="TeamMembership", related_name="teams", verbose_name=_("members")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    joined = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "member"], name="team_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} ∈ {self.team}"


class EligibilityRule(models.Model):
    """Who may use a space or a program. Every condition that is set must hold."""

    center = models.ForeignKey(
        "centers.Center",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="eligibility_rules",
        verbose_name=_("center"),
        help_text=_("Leave empty for a rule every center may use."),
    )
    name = models.CharField(_("name"), max_length=100)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    verified_only = models.BooleanField(_("verified members only"), default=False)
    neighbourhoods = models.TextField(
        _("neighbourhoods"), blank=True, help_text=_("One per line; empty means anyone.")
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="eligibility_rules",
        verbose_name=_("members of team"),
    )

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="eligibility_age_order",
                violation_error_message=_("The minimum age cannot exceed the maximum age."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def neighbourhood_list(self) -> list[str]:
        return [line.strip() for line in self.neighbourhoods.splitlines() if line.strip()]

    def describe(self) -> str:
        """The rule in words, for residents (e.g. "60岁及以上；仅限实名认证居民")."""
        parts = []
        if self.min_age is not None and self.max_age is not None:
            parts.append(
                gettext("aged %(low)d–%(high)d") % {"low": self.min_age, "high": self.max_age}
            )
        elif self.min_age is not None:
            parts.append(gettext("aged %(age)d and over") % {"age": self.min_age})
        elif self.max_age is not None:
            parts.append(gettext("aged %(age)d and under") % {"age": self.max_age})
        if self.verified_only:
            parts.append(gettext("verified members only"))
        if self.neighbourhood_list:
            parts.append(
                gettext("residents of %(places)s") % {"places": "、".join(self.neighbourhood_list)}
            )
        if self.team_id:
            parts.append(gettext("members of “%(team)s”") % {"team": self.team.name})
        return gettext("; ").join(parts)


class PointsEntry(models.Model):
    """One line of the append-only points ledger (积分). The member's balance is the sum of the
    deltas, kept on ``User.points_balance`` by the same transaction that writes the line."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("volunteer hours")
        ATTENDANCE = "attendance", _("attendance")
        SPEND = "spend", _("spent")
        REFUND = "refund", _("refund")
        ADJUSTMENT = "adjustment", _("staff adjustment")

    member = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="points_entries", verbose_name=_("member")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    delta = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("balance after"))
    reason = models.CharField(_("reason"), max_length=200)
    center = models.ForeignKey(
        "centers.Center",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("center"),
    )
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    cause_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cause type"),
    )
    cause_id = models.PositiveBigIntegerField(_("cause number"), null=True, blank=True)
    cause = GenericForeignKey("cause_type", "cause_id")
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["member", "-created"])]
        constraints = [
            models.CheckConstraint(condition=~Q(delta=0), name="points_entry_nonzero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="points_entry_balance_not_negative"
            ),
            # A cause (a registration, a volunteer record) earns, spends or refunds once.
            models.UniqueConstraint(
                fields=["cause_type", "cause_id", "kind"],
                condition=Q(cause_id__isnull=False) & ~Q(kind="adjustment"),
                name="points_entry_once_per_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.delta:+d} ({self.reason})"


class VolunteerRecord(models.Model):
    """Volunteer hours a member reports; approved by staff, they earn points."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    member = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="volunteer_records", verbose_name=_("member")
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="+", verbose_name=_("center")
    )
    day = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    description = models.CharField(_("what was done"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # What the hours were for, when staff confirmed them there (a volunteer shift): one record
    # each, so the hours, and the points, are counted once.
    cause_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cause type"),
    )
    cause_id = models.PositiveBigIntegerField(_("cause number"), null=True, blank=True)
    cause = GenericForeignKey("cause_type", "cause_id")
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer record")
        verbose_name_plural = _("volunteer records")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="volunteer_hours_range"
            ),
            models.UniqueConstraint(
                fields=["cause_type", "cause_id"],
                condition=Q(cause_id__isnull=False),
                name="volunteer_record_once_per_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.day} {self.hours}h"


class NoShow(models.Model):
    """A booking or a registration the member did not turn up for (爽约)."""

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="no_shows")
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("time"))
    cause_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    cause_id = models.PositiveBigIntegerField()
    cause = GenericForeignKey("cause_type", "cause_id")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("no-show")
        verbose_name_plural = _("no-shows")
        indexes = [models.Index(fields=["member", "center", "occurred_at"])]
        constraints = [
            models.UniqueConstraint(fields=["cause_type", "cause_id"], name="no_show_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.occurred_at:%Y-%m-%d}"


class Suspension(models.Model):
    """No booking or registering until ``ends_at``, unless staff lift it (with a reason)."""

    member = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="suspensions", verbose_name=_("member")
    )
    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="+", verbose_name=_("center")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.CharField(_("why lifted"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        indexes = [models.Index(fields=["member", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="suspension_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | ~Q(lift_reason=""),
                name="suspension_lift_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.ends_at:%Y-%m-%d}"


class ProxyLink(models.Model):
    """亲友代办: a family member (``proxy``) acts for a relative (``member``), often a parent
    without a smartphone: books, registers and posts wishes for them, under the relative's
    rules, quotas, points and no-shows. The relative agrees by reading out a one-time code
    texted to their phone, or in person at a center's front desk; either of them can end the
    link at any time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the relative's code")
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    class Via(models.TextChoices):
        CODE = "code", _("code texted to the relative")
        DESK = "desk", _("in person at the front desk")

    proxy = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="proxy_links", verbose_name=_("acts")
    )
    member = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proxied_by",
        verbose_name=_("for"),
        help_text=_("Known once the relative agreed."),
    )
    relative_name = models.CharField(_("relative's name"), max_length=50, blank=True)
    phone = models.CharField(_("relative's phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING, db_index=True
    )
    via = models.CharField(_("agreed"), max_length=8, choices=Via, default=Via.CODE)
    code_digest = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    center = models.ForeignKey(
        "centers.Center",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("center"),
        help_text=_("Where staff saw the relative agree."),
    )
    confirmed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("linked at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(proxy=F("member")), name="proxy_not_self"),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(member__isnull=False),
                name="proxy_active_has_member",
            ),
            # One live link per pair, and one code waiting per number: asking again replaces
            # the waiting one.
            models.UniqueConstraint(
                fields=["proxy", "member"],
                condition=Q(status__in=["pending", "active"], member__isnull=False),
                name="proxy_one_live_link",
            ),
            models.UniqueConstraint(
                fields=["proxy", "phone"],
                condition=Q(status="pending") & ~Q(phone=""),
                name="proxy_one_pending_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proxy} → {self.member or self.relative_name}"


class ProxyAction(models.Model):
    """Every change a family member made for a relative through the API: who, for whom, what
    (the services' own audit rows name the same actor)."""

    link = models.ForeignKey(ProxyLink, on_delete=models.CASCADE, related_name="actions")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action for a relative")
        verbose_name_plural = _("actions for relatives")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.link_id} {self.method} {self.path}"
