from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """The outbox: one message to one member by one channel, written in the same transaction as
    the change that causes it, sent by the background jobs.

    Unique per (object, kind, channel, recipient): a message is never written twice, however
    often a job or a retry runs.
    """

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("WeChat")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("email")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FELL_BACK = "fell_back", _("went by another channel")
        DEAD = "dead", _("failed")
        OBSOLETE = "obsolete", _("no longer applies")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    context = models.JSONField(_("details"), default=dict, blank=True)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    # When the clock last handed the message to the workers (cleared when one claims it): a
    # backlog is handed over once, not again at every tick while the workers work through it.
    queued_at = models.DateTimeField(_("handed to a worker"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "channel", "recipient"],
                name="message_once",
            ),
            models.CheckConstraint(
                condition=Q(content_type__isnull=True, object_id__isnull=True)
                | Q(content_type__isnull=False, object_id__isnull=False),
                name="message_object_complete",
            ),
        ]

    def __str__(self) -> str:
        from notifications.texts import kind_label

        return f"{kind_label(self.kind)} → {self.recipient} ({self.get_channel_display()})"


class WeChatConsent(models.Model):
    """One-time subscribe-message consents (订阅消息) a member gave in the mini-program, per
    template: each message sent uses one up."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_consents"
    )
    template_id = models.CharField(max_length=64)
    remaining = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WeChat consent")
        verbose_name_plural = _("WeChat consents")
        constraints = [
            models.UniqueConstraint(fields=["member", "template_id"], name="wechat_consent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.template_id} ×{self.remaining}"
