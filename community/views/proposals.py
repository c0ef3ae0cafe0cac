"""The proposal wall on the web: a center's proposals by support or newest, one proposal
with its public history, supporting it (once per member) or withdrawing the support, and
posting one. The wall names no author."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from centers.models import Center
from centers.selectors import active_centers
from community import selectors
from community.models import Proposal
from community.services.proposals import proposal_create, proposal_support, proposal_unsupport
from community.web_forms import ProposalForm
from core.errors import LinliError
from core.forms import add_service_errors
from core.web import posted, refuse
from members.acting import member_of

PAGE_SIZE = 20
ORDERINGS = {"support": ("-supports", "-created", "-id"), "new": ("-created", "-id")}


def _center(center_id: int) -> Center:
    return get_object_or_404(active_centers(), pk=center_id)


def _viewer(request: HttpRequest):
    return member_of(request) if request.user.is_authenticated else None


def center_proposals(request: HttpRequest, center_id: int) -> HttpResponse:
    center = _center(center_id)
    order = request.GET.get("order")
    order = order if order in ORDERINGS else "support"
    proposals = selectors.public_proposals(_viewer(request)).filter(center=center)
    page = Paginator(proposals.order_by(*ORDERINGS[order]), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "center": center,
        "page": page,
        "order": order,
        "query": f"order={order}",
        "open_statuses": Proposal.OPEN,
    }
    return render(request, "community/center_proposals.html", context)


def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    viewer = _viewer(request)
    proposal = get_object_or_404(selectors.visible_proposals(viewer), pk=proposal_id)
    history = selectors.proposal_history(proposal)
    for event in history:
        event.status_label = Proposal.Status(event.to_status).label
    context = {
        "proposal": proposal,
        "history": history,
        "mine": viewer is not None and proposal.author_id == viewer.pk,
        "open": proposal.status in Proposal.OPEN,
    }
    return render(request, "community/proposal_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, center_id: int) -> HttpResponse:
    center = _center(center_id)
    form = ProposalForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_create(
                member=member_of(request), center=center, by=request.user, **form.cleaned_data
            )
        except LinliError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your proposal is on the wall. Staff will reply to it."))
            return redirect("community:proposal", proposal_id=proposal.pk)
    return render(request, "community/proposal_new.html", {"center": center, "form": form})


@login_required
@require_POST
def proposal_support_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Support the proposal (``support=yes``) or withdraw the support (``support=no``); from
    the wall (``back=support|new``) back to it, else to the proposal."""
    member = member_of(request)
    proposal = get_object_or_404(selectors.public_proposals(member), pk=proposal_id)
    withdraw = request.POST.get("support") == "no"
    change = proposal_unsupport if withdraw else proposal_support
    try:
        change(proposal=proposal, member=member, by=request.user)
    except LinliError as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _("Your support is withdrawn.") if withdraw else _("Thank you for your support."),
        )
    back = request.POST.get("back")
    if back in ORDERINGS:
        url = reverse("community:center_proposals", args=[proposal.center_id])
        return redirect(f"{url}?order={back}")
    return redirect("community:proposal", proposal_id=proposal.pk)


@login_required
def my_proposals(request: HttpRequest) -> HttpResponse:
    proposals = selectors.member_proposals(member_of(request))[:50]
    return render(request, "community/my_proposals.html", {"proposals": proposals})
