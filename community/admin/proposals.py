"""The proposal wall (提案墙) for staff: the proposals of their centers, most supported or newest
first; an answer with a status and the public reply (received → under discussion → adopted /
not adopted), which the author and every supporter hear of; hiding one that does not belong
on the wall, with a reason its author reads; and each proposal's history. Drafts are their
authors' own business and not listed."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from centers.admin_scope import CenterListFilter
from community.admin.common import CommunityAdmin
from community.models import Proposal
from community.services.proposals import proposal_hide, proposal_respond
from core.admin_kit import ask_reason, confirm_page, confirmed, local

Status = Proposal.Status

EVENT_LABELS = {
    "create": gettext_lazy("proposal posted"),
    "submit": gettext_lazy("proposal posted"),
    "respond": gettext_lazy("answered"),
    "hide": gettext_lazy("hidden"),
}
ANSWERS = [(s.value, s.label) for s in (Status.DISCUSSING, Status.ADOPTED, Status.NOT_ADOPTED)]


class StatusFilter(admin.SimpleListFilter):
    """The statuses staff see: every one but the authors' drafts."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(value, label) for value, label in Status.choices if value != Status.DRAFT]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(status=self.value()) if self.value() else queryset


class RespondForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("answer"), choices=ANSWERS, widget=forms.RadioSelect
    )
    reply = forms.CharField(
        label=gettext_lazy("public reply"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=gettext_lazy(
            "The wall shows this reply under the proposal; the author and every supporter are told."
        ),
    )


@admin.register(Proposal)
class ProposalAdmin(CommunityAdmin):
    list_display = ["title", "center", "status", "supports", "posted", "replied"]
    list_filter = [CenterListFilter, StatusFilter]
    list_select_related = ["center", "author"]
    search_fields = ["title", "text"]
    # Newest first, as the wall; the supports column sorts by support.
    ordering = ["-created", "-id"]
    actions = ["respond", "hide"]
    event_labels = EVENT_LABELS
    status_labels = dict(Status.choices)
    note_label = gettext_lazy("public reply")
    fields = [
        "center",
        "title",
        "text",
        "author",
        "status",
        "supports",
        "posted",
        "reply",
        "replied",
        "hidden_reason",
    ]
    readonly_fields = ["posted", "replied"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Proposal]:
        return super().get_queryset(request).exclude(status=Status.DRAFT)

    @admin.display(description=gettext_lazy("posted"), ordering="created")
    def posted(self, proposal: Proposal) -> str:
        return local(proposal.created)

    @admin.display(description=gettext_lazy("replied at"), ordering="replied_at")
    def replied(self, proposal: Proposal) -> str:
        return local(proposal.replied_at) if proposal.replied_at else "—"

    def audit_row(self, event: Any) -> dict[str, Any]:
        return super().audit_row(event) | {"reason": event.reply}

    # --- Actions: each calls the service, proposal by proposal -------------------------------

    @admin.action(description=gettext_lazy("Answer…"), permissions=["manage_community"])
    def respond(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> HttpResponse | None:
        proposals = list(queryset.select_related("center", "author"))
        form = RespondForm(request.POST if confirmed(request) else None)
        if not form.is_valid():
            return confirm_page(
                self,
                request,
                proposals,
                form=form,
                action="respond",
                title=_("Answer proposals"),
                button=_("Answer"),
                lead=_("The reply goes on the wall; the author and every supporter are told:"),
                label=lambda p: f"{p} · {p.center} · {p.get_status_display()}",
            )
        status, reply = form.cleaned_data["status"], form.cleaned_data["reply"]
        return self.apply(
            request,
            proposals,
            lambda p: proposal_respond(proposal=p, by=request.user, status=status, reply=reply),
            lambda n: (
                ngettext(
                    "%(n)d proposal answered; its supporters are told.",
                    "%(n)d proposals answered; their supporters are told.",
                    n,
                )
                % {"n": n}
            ),
        )

    @admin.action(description=gettext_lazy("Hide from the wall…"), permissions=["manage_community"])
    def hide(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> HttpResponse | None:
        proposals = queryset.select_related("center", "author")
        reason, page = ask_reason(
            self,
            request,
            proposals,
            action="hide",
            title=_("Hide proposals"),
            button=_("Hide"),
            lead=_("Only the author is told the reason. These leave the wall:"),
        )
        if page is not None:
            return page
        return self.apply(
            request,
            proposals,
            lambda p: proposal_hide(proposal=p, by=request.user, reason=reason),
            lambda n: ngettext("%(n)d proposal hidden.", "%(n)d proposals hidden.", n) % {"n": n},
        )

    def object_actions(self, request: HttpRequest, proposal: Proposal) -> list[str]:
        names = ["respond"] if proposal.status in Proposal.ANSWERS else []
        if proposal.status in Proposal.PUBLIC:
            names.append("hide")
        return names
