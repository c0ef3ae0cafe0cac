"""Micro-wishes (微心愿) for staff: review what residents post (publish, or decline with a
reason the wisher reads), post a wish for a resident who cannot (someone living alone, found
by phone or name at the desk), confirm a fulfilled wish for a wisher who told staff, and read a
wish's trail. Each through the wish services, which tell the wisher and the volunteer."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from centers.admin_scope import CenterListFilter, active_centers_where
from centers.models import Center
from centers.permissions import Action
from community.admin.common import CommunityAdmin
from community.models import Wish
from community.services.wishes import (
    wish_confirm,
    wish_create,
    wish_decline,
    wish_photo_remove,
    wish_publish,
)
from core.admin_kit import ServiceAddMixin, ask_reason, local
from members.models import User
from members.phones import normalize_mainland_mobile
from members.selectors import members_find

Status = Wish.Status

EVENT_LABELS = {
    "create": gettext_lazy("wish posted"),
    "create_by_staff": gettext_lazy("posted by staff for the resident"),
    "publish": gettext_lazy("published"),
    "decline": gettext_lazy("declined"),
    "claim": gettext_lazy("claimed"),
    "release": gettext_lazy("given back by the volunteer"),
    "claim_lapsed": gettext_lazy("claim lapsed"),
    "fulfil": gettext_lazy("fulfilled"),
    "confirm": gettext_lazy("confirmed by the wisher"),
    "confirm_by_staff": gettext_lazy("confirmed by staff for the wisher"),
    "withdraw": gettext_lazy("withdrawn by the wisher"),
    "photo_removed": gettext_lazy("photo removed by staff"),
}


class WishOnBehalfForm(forms.Form):
    """A wish for a resident: staff find them by phone or name (never by ID number); when
    several match, the page asks which one."""

    center = forms.ModelChoiceField(queryset=Center.objects.none(), label=gettext_lazy("center"))
    who = forms.CharField(
        max_length=50,
        label=gettext_lazy("Resident"),
        help_text=gettext_lazy("Mobile number, its last four digits, or name."),
    )
    resident = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=gettext_lazy("Which resident"),
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        choices=Wish.Category.choices, label=Wish._meta.get_field("category").verbose_name
    )
    text = forms.CharField(
        max_length=Wish._meta.get_field("text").max_length,
        label=Wish._meta.get_field("text").verbose_name,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=gettext_lazy("What the wall shows, with the resident's first name only."),
    )
    details = forms.CharField(
        required=False,
        max_length=2000,
        label=Wish._meta.get_field("details").verbose_name,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=Wish._meta.get_field("details").help_text,
    )
    photo = forms.FileField(
        required=False,
        label=gettext_lazy("Photo (optional)"),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
        help_text=Wish._meta.get_field("photo").help_text,
    )

    def __init__(self, *args: Any, centers: QuerySet[Center], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers
        who = self.data.get("who", "") if self.is_bound else ""
        found = [member.pk for member in members_find(who)] if who else []
        self.fields["resident"].queryset = User.objects.filter(pk__in=found).order_by(
            "display_name", "pk"
        )
        # Two 王阿姨 told apart by where they live, as well as by the end of their number.
        self.fields["resident"].label_from_instance = lambda member: " · ".join(
            filter(None, [str(member), member.neighbourhood])
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "who" not in data or self.has_error("resident"):
            return data
        if data.get("resident") is None:
            found = list(self.fields["resident"].queryset[:2])
            if not found:
                self.add_error("who", _("No member found. Try the full mobile number."))
            elif len(found) > 1:
                self.add_error("resident", _("Several members match: choose one."))
            else:
                data["resident"] = found[0]
        return data


@admin.register(Wish)
class WishAdmin(ServiceAddMixin, CommunityAdmin):
    list_display = ["posted", "text", "category", "wisher_label", "center", "status", "claimant"]
    list_display_links = ["posted", "text"]
    list_filter = [CenterListFilter, "status", "category"]
    list_select_related = ["center", "wisher", "claimed_by", "claimed_team"]
    search_fields = ["text", "wisher__display_name", "wisher__first_name"]
    search_help_text = gettext_lazy("The wish's words, the wisher's name or full mobile number.")
    ordering = ["-created", "-id"]
    actions = ["publish", "decline", "confirm", "remove_photo"]
    event_labels = EVENT_LABELS
    status_labels = dict(Status.choices)
    fieldsets = [
        (None, {"fields": ["center", "status", "category", "text", "wisher_label", "poster"]}),
        (
            gettext_lazy("Private"),
            {"fields": ["details", "photo_preview", "decline_reason"]},
        ),
        (
            gettext_lazy("Volunteer"),
            {"fields": ["claimant", "claimed_at_local", "claim_expires_local", "fulfil_note"]},
        ),
    ]
    readonly_fields = [
        "photo_preview",
        "wisher_label",
        "poster",
        "claimant",
        "claimed_at_local",
        "claim_expires_local",
    ]
    add_form_class = WishOnBehalfForm
    add_title = gettext_lazy("Post a wish for a resident")
    add_fieldsets = [
        (None, {"fields": ["center", "who", "resident"]}),
        (gettext_lazy("The wish"), {"fields": ["category", "text", "details", "photo"]}),
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._role_ok(request, None, Action.MANAGE_COMMUNITY)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """A mobile number however it is written (139 1234 5678, +86…) finds the wisher's
        wishes; any other words, the wish's text or the wisher's name."""
        try:
            phone = normalize_mainland_mobile(search_term)
        except ValidationError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(wisher__phone=phone), False

    @admin.display(description=gettext_lazy("posted"), ordering="created")
    def posted(self, wish: Wish) -> str:
        return local(wish.created)

    @admin.display(description=gettext_lazy("wisher"), ordering="wisher__display_name")
    def wisher_label(self, wish: Wish) -> str:
        if not wish.wisher.neighbourhood:
            return str(wish.wisher)
        return format_html(
            '{}<br><span class="quiet">{}</span>', wish.wisher, wish.wisher.neighbourhood
        )

    @admin.display(description=gettext_lazy("posted by"))
    def poster(self, wish: Wish) -> Any:
        return wish.created_by or "—"

    @admin.display(description=gettext_lazy("claimed by"))
    def claimant(self, wish: Wish) -> Any:
        if wish.claimed_by_id is None:
            return "—"
        if wish.claimed_team_id is None:
            return str(wish.claimed_by)
        return format_html(
            '{}<br><span class="quiet">{}</span>', wish.claimed_by, wish.claimed_team
        )

    @admin.display(description=gettext_lazy("photo"))
    def photo_preview(self, wish: Wish) -> str:
        # Through the view that checks who asks, as for everyone: no file URL of its own.
        if not wish.photo:
            return "—"
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener">'
            '<img class="wish-photo-preview" src="{0}" alt="{1}"></a>',
            reverse("wish-photo", args=[wish.pk]),
            _("Photo of the wish"),
        )

    @admin.display(description=gettext_lazy("claimed at"))
    def claimed_at_local(self, wish: Wish) -> str:
        return local(wish.claimed_at) if wish.claimed_at else "—"

    @admin.display(description=gettext_lazy("claim lapses at"))
    def claim_expires_local(self, wish: Wish) -> str:
        return local(wish.claim_expires_at) if wish.claim_expires_at else "—"

    def audit_row(self, event: Any) -> dict[str, Any]:
        return super().audit_row(event) | {"reason": event.note}

    # --- Actions: each calls the service, wish by wish -------------------------------------

    @admin.action(description=gettext_lazy("Publish on the wall"), permissions=["manage_community"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Wish]) -> HttpResponse | None:
        return self.apply(
            request,
            queryset.select_related("center", "wisher"),
            lambda wish: wish_publish(wish=wish, by=request.user),
            lambda n: (
                ngettext(
                    "%(n)d wish published; the wisher is told.",
                    "%(n)d wishes published; the wishers are told.",
                    n,
                )
                % {"n": n}
            ),
        )

    @admin.action(description=gettext_lazy("Decline…"), permissions=["manage_community"])
    def decline(self, request: HttpRequest, queryset: QuerySet[Wish]) -> HttpResponse | None:
        wishes = queryset.select_related("center", "wisher")
        reason, page = ask_reason(
            self,
            request,
            wishes,
            action="decline",
            title=_("Decline wishes"),
            button=_("Decline"),
            lead=_("The wisher is told the reason. The wish does not go on the wall:"),
        )
        if page is not None:
            return page
        return self.apply(
            request,
            wishes,
            lambda wish: wish_decline(wish=wish, by=request.user, reason=reason),
            lambda n: ngettext("%(n)d wish declined.", "%(n)d wishes declined.", n) % {"n": n},
        )

    @admin.action(
        description=gettext_lazy("Confirm fulfilled, for the wisher"),
        permissions=["manage_community"],
    )
    def confirm(self, request: HttpRequest, queryset: QuerySet[Wish]) -> HttpResponse | None:
        return self.apply(
            request,
            queryset.select_related("center", "wisher", "claimed_by"),
            lambda wish: wish_confirm(wish=wish, by=request.user),
            lambda n: (
                ngettext(
                    "%(n)d wish closed; the volunteer earns the points.",
                    "%(n)d wishes closed; the volunteers earn the points.",
                    n,
                )
                % {"n": n}
            ),
        )

    @admin.action(description=gettext_lazy("Remove the photo…"), permissions=["manage_community"])
    def remove_photo(self, request: HttpRequest, queryset: QuerySet[Wish]) -> HttpResponse | None:
        wishes = queryset.exclude(photo="").select_related("center", "wisher")
        reason, page = ask_reason(
            self,
            request,
            wishes,
            action="remove_photo",
            title=_("Remove photos"),
            button=_("Remove the photo"),
            lead=_(
                "For a photo that shows a face, a door number or a document. The file is "
                "deleted; the wish stays as it is:"
            ),
        )
        if page is not None:
            return page
        return self.apply(
            request,
            wishes,
            lambda wish: wish_photo_remove(wish=wish, by=request.user, reason=reason),
            lambda n: ngettext("%(n)d photo removed.", "%(n)d photos removed.", n) % {"n": n},
        )

    def object_actions(self, request: HttpRequest, wish: Wish) -> list[str]:
        names = []
        if wish.status == Status.SUBMITTED:
            names = ["publish", "decline"]
        elif wish.status == Status.FULFILLED:
            names = ["confirm"]
        return [*names, "remove_photo"] if wish.photo else names

    # --- Posting for a resident --------------------------------------------------------------

    def get_add_form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"centers": active_centers_where(request, Action.MANAGE_COMMUNITY)}

    def perform_add(self, request: HttpRequest, form: WishOnBehalfForm) -> HttpResponse:
        data = form.cleaned_data
        wish = wish_create(
            member=data["resident"],
            center=data["center"],
            category=data["category"],
            text=data["text"],
            details=data["details"],
            photo=data["photo"],
            by=request.user,
        )
        self.log_addition(request, wish, [{"added": {}}])
        self.message_user(
            request,
            _("Wish posted for %(member)s; publish it when it is ready for the wall.")
            % {"member": wish.wisher},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:community_wish_change", args=[wish.pk]))
