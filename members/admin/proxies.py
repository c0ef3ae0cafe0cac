"""Family links at the front desk: staff who see a relative in person link their family member
to them (proxy_link_at_desk), and end a link for a relative who asks (proxy_end).

Staff see the links made at their centers, and any link of a member whose full mobile number
they search for (the relative standing at the desk says it): family ties are not browsed."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from centers.admin_scope import CenterScopedAdmin, active_centers_where, center_ids
from centers.models import Center
from centers.permissions import Action
from core.admin_kit import ServiceAddMixin
from core.errors import LinliError
from members.models import ProxyAction, ProxyLink, User
from members.phones import MainlandPhoneField, normalize_mainland_mobile
from members.services.proxies import proxy_end, proxy_link_at_desk, relative_for_phone


class DeskLinkForm(forms.Form):
    center = forms.ModelChoiceField(queryset=Center.objects.none(), label=gettext_lazy("center"))
    proxy_phone = MainlandPhoneField(
        label=gettext_lazy("Family member's mobile number"),
        help_text=gettext_lazy("They act for the relative; their real name must be verified."),
    )
    relative_phone = MainlandPhoneField(label=gettext_lazy("Relative's mobile number"))
    relative_name = forms.CharField(
        max_length=50,
        required=False,
        label=gettext_lazy("Relative's name"),
        help_text=gettext_lazy("For a relative without an account: one is opened for them."),
    )
    seen_in_person = forms.BooleanField(
        label=gettext_lazy("I saw the relative in person and they agree"),
    )

    def __init__(self, *args: Any, centers: QuerySet[Center], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers

    def clean_proxy_phone(self) -> User:
        proxy = User.objects.filter(phone=self.cleaned_data["proxy_phone"], is_active=True).first()
        if proxy is None:
            raise ValidationError(_("No member has this mobile number."))
        return proxy


@admin.register(ProxyLink)
class ProxyLinkAdmin(ServiceAddMixin, CenterScopedAdmin):
    edit_action = Action.MANAGE_COMMUNITY
    list_display = ["proxy", "relative", "status", "via", "center", "confirmed_at", "ended_at"]
    list_filter = ["status", "via"]
    list_select_related = ["proxy", "member", "center"]
    search_fields = ["=phone", "=proxy__phone", "=member__phone"]
    search_help_text = gettext_lazy("A full mobile number of the family member or the relative.")
    fields = [
        "proxy",
        "member",
        "relative_name",
        "status",
        "via",
        "center",
        "confirmed_by",
        "confirmed_at",
        "ended_at",
        "created",
    ]
    readonly_fields = fields
    actions = ["end_links"]
    add_form_class = DeskLinkForm
    add_fieldsets = [
        (
            None,
            {
                "fields": [
                    "center",
                    "proxy_phone",
                    "relative_phone",
                    "relative_name",
                    "seen_in_person",
                ]
            },
        )
    ]

    @admin.display(description=gettext_lazy("for"))
    def relative(self, link: ProxyLink) -> str:
        return str(link.member or link.relative_name)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProxyLink]:
        links = admin.ModelAdmin.get_queryset(self, request).select_related(
            "proxy", "member", "center"
        )
        if request.user.is_superuser:
            return links
        visible = Q(center_id__in=center_ids(request))
        phone = self._searched_phone(request)
        if phone and center_ids(request, Action.MANAGE_COMMUNITY):
            visible |= Q(phone=phone) | Q(proxy__phone=phone) | Q(member__phone=phone)
        return links.filter(visible)

    @staticmethod
    def _searched_phone(request: HttpRequest) -> str | None:
        try:
            return normalize_mainland_mobile(request.GET.get("q", ""))
        except ValidationError:
            return None

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        phone = self._searched_phone(request)
        if phone is None:
            return super().get_search_results(request, queryset, search_term)
        found = queryset.filter(Q(phone=phone) | Q(proxy__phone=phone) | Q(member__phone=phone))
        return found, False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_end_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.MANAGE_COMMUNITY)

    def get_add_form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"centers": active_centers_where(request, Action.MANAGE_COMMUNITY)}

    def perform_add(self, request: HttpRequest, form: DeskLinkForm) -> HttpResponse:
        data = form.cleaned_data
        # One step: an account opened for the relative goes again if linking is refused.
        with transaction.atomic():
            relative = relative_for_phone(
                phone=data["relative_phone"], name=data["relative_name"], proven=False
            )
            link = proxy_link_at_desk(
                proxy=data["proxy_phone"], member=relative, by=request.user, center=data["center"]
            )
        self.log_addition(request, link, [{"added": {}}])
        self.message_user(
            request,
            _("%(proxy)s can now act for %(relative)s.")
            % {"proxy": link.proxy, "relative": link.member},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:members_proxylink_changelist"))

    @admin.action(description=gettext_lazy("End the selected links"), permissions=["end"])
    def end_links(self, request: HttpRequest, queryset: QuerySet[ProxyLink]) -> None:
        ended = 0
        for link in queryset.filter(status__in=[ProxyLink.Status.PENDING, ProxyLink.Status.ACTIVE]):
            try:
                proxy_end(link=link, by=request.user)
            except LinliError:
                continue
            ended += 1
        self.message_user(
            request,
            ngettext("%(n)d link ended.", "%(n)d links ended.", ended) % {"n": ended},
            messages.SUCCESS if ended else messages.WARNING,
        )


@admin.register(ProxyAction)
class ProxyActionAdmin(CenterScopedAdmin):
    """What family members did for relatives through the API (superusers: the trail)."""

    list_display = ["at", "link", "method", "path"]
    list_select_related = ["link__proxy", "link__member"]
    readonly_fields = ["at", "link", "method", "path"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
