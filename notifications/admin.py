"""The outbox for staff: what was sent to whom, by which channel, and what failed and why.

Superusers see every message. Other staff see the messages about their centers' bookings,
registrations, sessions, home visits and suspensions (and the digests about the centers), and
staff who manage bookings there may resend the dead ones. Rows are never edited.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import registry
from notifications.models import Message, WeChatConsent
from notifications.services import message_resend
from notifications.texts import kind_label, render

# The staff roles' names for seeing messages and for resending them (centers.permissions).
VIEW = "view"
RESEND = "manage_bookings"


def center_ids(request: HttpRequest, action: str = VIEW) -> set[int]:
    return registry.STAFF_SCOPE.centers_where(request.user, action) or set()


def about_centers(ids: set[int]) -> Q:
    """Messages about objects of the centers ``ids`` (what each registered model is, and its
    path to its center, the apps registered)."""
    condition = Q(pk__in=[])
    for about in registry.ABOUT.values():
        if about.center is None:
            continue
        condition |= Q(
            content_type=ContentType.objects.get_for_model(about.model),
            object_id__in=about.model.objects.filter(**{f"{about.center}__in": ids}).values("pk"),
        )
    return condition


class KindFilter(admin.SimpleListFilter):
    """By kind of message, whatever its suffix (reminder_24h, session_changed@…)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(kind, kind_label(kind)) for kind in registry.KINDS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        kind = self.value()
        if not kind:
            return queryset
        if kind == registry.REMINDER:
            return queryset.filter(kind__startswith=f"{registry.REMINDER}_")
        return queryset.filter(Q(kind=kind) | Q(kind__startswith=f"{kind}@"))


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created",
        "recipient",
        "kind_display",
        "channel",
        "status",
        "text",
        "last_error",
    ]
    list_filter = ["status", "channel", KindFilter]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__display_name", "recipient__phone"]
    fields = [
        "recipient",
        "kind_display",
        "channel",
        "about_label",
        "full_text",
        "status",
        "attempts",
        "due_at",
        "claimed_at",
        "sent_at",
        "created",
        "last_error",
    ]
    readonly_fields = fields
    actions = ["resend"]
    date_hierarchy = "created"

    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row shows its text, rendered from the object it is about.
        queryset = super().get_queryset(request).prefetch_related("about")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(about_centers(center_ids(request)))

    @admin.display(description=_("kind"), ordering="kind")
    def kind_display(self, message: Message) -> str:
        return kind_label(message.kind)

    def _rendered(self, message: Message):
        # What the member reads (or read), in their language, from the message's own context.
        return render(
            message.kind, message.about, message.context, message.recipient.language or ""
        )

    @admin.display(description=_("text"))
    def text(self, message: Message) -> str:
        body = self._rendered(message).body
        return body if len(body) <= 60 else f"{body[:59]}…"

    @admin.display(description=_("text"))
    def full_text(self, message: Message) -> str:
        rendered = self._rendered(message)
        return f"{rendered.subject} {rendered.body}"

    @admin.display(description=_("about"))
    def about_label(self, message: Message) -> str:
        return str(message.about) if message.about is not None else "-"

    def _is_staff_of_a_center(self, request: HttpRequest, action: str) -> bool:
        return request.user.is_superuser or bool(center_ids(request, action))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_staff_of_a_center(request, VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        # Rows of other centers are not in the queryset: their pages are "not found".
        return self._is_staff_of_a_center(request, VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return self._is_staff_of_a_center(request, RESEND)

    @admin.action(description=_("Resend the selected failed messages"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not request.user.is_superuser:
            queryset = queryset.filter(about_centers(center_ids(request, RESEND)))
        resent = 0
        for message in queryset.filter(status=Message.Status.DEAD):
            if message_resend(message):
                self.log_change(request, message, _("Resent"))
                resent += 1
        self.message_user(
            request,
            ngettext("%(count)d message resent.", "%(count)d messages resent.", resent)
            % {"count": resent},
            messages.SUCCESS if resent else messages.WARNING,
        )


@admin.register(WeChatConsent)
class WeChatConsentAdmin(admin.ModelAdmin):
    """How many subscribe messages each member agreed to, per template (superusers only)."""

    list_display = ["member", "template_id", "remaining", "updated"]
    list_select_related = ["member"]
    search_fields = ["member__username", "template_id"]
    readonly_fields = ["member", "template_id", "remaining", "updated"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
