"""The community side of a center: micro-wishes (微心愿) and the proposal wall (提案墙)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Wish(models.Model):
    """A small wish a resident posts (or staff post for them); once staff publish it, a
    volunteer or a team claims it, fulfils it, and the wisher confirms.

    The wall shows the wisher's first name and neighbourhood only. ``details`` (an address, a
    time to call) is for staff, the wisher and whoever holds the claim."""

    class Category(models.TextChoices):
        DAILY_GOODS = "daily_goods", _("daily goods")
        REPAIR = "repair", _("repair")
        COMPANY = "company", _("company")
        ERRAND = "errand", _("errand")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting review")
        PUBLISHED = "published", _("open")
        CLAIMED = "claimed", _("claimed")
        FULFILLED = "fulfilled", _("fulfilled, awaiting confirmation")
        # Not a closed center (闭馆): a wish that is over.
        CLOSED = "closed", pgettext_lazy("wish status", "closed")
        DECLINED = "declined", _("declined")

    # Once staff publish a wish, it is on the wall in whatever state it goes on to.
    PUBLIC = (Status.PUBLISHED, Status.CLAIMED, Status.FULFILLED, Status.CLOSED)
    OPEN = (Status.SUBMITTED, Status.PUBLISHED, Status.CLAIMED, Status.FULFILLED)
    HELD = (Status.CLAIMED, Status.FULFILLED)

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="wishes", verbose_name=_("center")
    )
    wisher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="wishes",
        verbose_name=_("wisher"),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category)
    text = models.CharField(_("wish"), max_length=300)
    details = models.TextField(
        _("private details"),
        blank=True,
        help_text=_("Address, when to call: only staff, the wisher and the volunteer see this."),
    )
    # Re-encoded by community.services.photos (no EXIF, at most 1600 px a side) under a random
    # name. Never public: only the wisher, the volunteer and the center's staff get it, from a
    # view that asks who they are (selectors.wish_photo_visible).
    photo = models.ImageField(
        _("photo"),
        upload_to="wishes/",
        blank=True,
        help_text=_("Only the wisher, the volunteer and staff see it, never the wall."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.SUBMITTED, db_index=True
    )
    decline_reason = models.CharField(_("reason declined"), max_length=200, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_wishes",
        verbose_name=_("claimed by"),
    )
    claimed_team = models.ForeignKey(
        "members.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_wishes",
        verbose_name=_("for team"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_expires_at = models.DateTimeField(_("claim lapses at"), null=True, blank=True)
    fulfil_note = models.CharField(_("what was done"), max_length=500, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created = models.DateTimeField(_("posted"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["center", "status", "-created"])]
        constraints = [
            # A wish in someone's hands has those hands; nobody claims their own wish.
            models.CheckConstraint(
                condition=~Q(status__in=["claimed", "fulfilled"]) | Q(claimed_by__isnull=False),
                name="wish_held_has_claimant",
            ),
            models.CheckConstraint(
                condition=~Q(claimed_by=F("wisher")), name="wish_not_claimed_by_wisher"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="wish_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:30]


class WishEvent(models.Model):
    """The audit trail of a wish: each step, who took it and for whom."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.wish_id} {self.action}"


class Proposal(models.Model):
    """A member's proposal for the community on a center's wall (美好社区提案墙). Others
    support it, once each; staff answer with a status and a public reply, or hide it (with a
    reason only its author reads)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        RECEIVED = "received", _("received")
        DISCUSSING = "discussing", _("under discussion")
        ADOPTED = "adopted", _("adopted")
        NOT_ADOPTED = "not_adopted", _("not adopted")
        HIDDEN = "hidden", _("hidden")

    PUBLIC = (Status.RECEIVED, Status.DISCUSSING, Status.ADOPTED, Status.NOT_ADOPTED)
    # Supports count (and may be withdrawn) until staff decide.
    OPEN = (Status.RECEIVED, Status.DISCUSSING)
    # What staff may answer from each status.
    ANSWERS = {
        Status.RECEIVED: (Status.DISCUSSING, Status.ADOPTED, Status.NOT_ADOPTED),
        Status.DISCUSSING: (Status.ADOPTED, Status.NOT_ADOPTED),
    }

    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("center"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("proposal"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.RECEIVED, db_index=True
    )
    supports = models.PositiveIntegerField(_("supports"), default=0, editable=False)
    reply = models.TextField(_("public reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason hidden"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created = models.DateTimeField(_("posted"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["center", "status", "-created"]),
            models.Index(fields=["center", "status", "-supports"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(supports__gte=0), name="proposal_supports_counted"),
            models.CheckConstraint(
                condition=~Q(status="hidden") | ~Q(hidden_reason=""),
                name="proposal_hidden_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProposalSupport(models.Model):
    """One member's support of one proposal: the unique pair is what makes a double click,
    or two phones at once, count once."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="support_rows")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_supports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="proposal_support_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.proposal_id}"


class ProposalEvent(models.Model):
    """A proposal's history: each status with its public reply (the wall shows these), and
    who moved it (it does not)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reply = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.action}"
