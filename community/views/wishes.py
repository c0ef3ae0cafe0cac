"""Micro-wishes on the web: a center's open wishes (first name and neighbourhood only), one
wish's page with what the viewer may do with it, posting a wish, and the member's own wishes
with their history. Posting, confirming and taking a wish back work for a relative too
(亲友代办: ``members.acting``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from centers.models import Center
from centers.selectors import active_centers
from community import selectors
from community.models import Wish, WishEvent
from community.services.wishes import (
    wish_claim,
    wish_confirm,
    wish_create,
    wish_fulfil,
    wish_withdraw,
)
from community.web_forms import FulfilForm, WishForm
from core.errors import LinliError
from core.forms import add_service_errors
from core.web import posted, refuse
from members.acting import member_of
from members.selectors import member_teams

PAGE_SIZE = 20
Status = Wish.Status

# What each step of a wish's history says to its wisher.
STEPS = {
    "create": gettext_lazy("Posted; waiting for staff to review it"),
    "create_by_staff": gettext_lazy("Posted for you by staff"),
    "publish": gettext_lazy("On the wall: volunteers can see it"),
    "decline": gettext_lazy("Not published"),
    "claim": gettext_lazy("A volunteer took it on"),
    "release": gettext_lazy("The volunteer gave it back; it is open again"),
    "claim_lapsed": gettext_lazy("Not done in time; it is open again"),
    "fulfil": gettext_lazy("The volunteer says it is done"),
    "confirm": gettext_lazy("Confirmed as done"),
    "confirm_by_staff": gettext_lazy("Confirmed as done by staff"),
    "withdraw": gettext_lazy("Taken off the wall"),
    "photo_removed": gettext_lazy("Staff removed the photo"),
}


def _center(center_id: int) -> Center:
    return get_object_or_404(active_centers(), pk=center_id)


def _history(wish: Wish) -> list[dict]:
    return [
        {"at": event.at, "step": STEPS.get(event.action, event.action), "note": event.note}
        for event in wish.events.all()
        # A decline's reason is shown with the wish; a fulfilment's note is the volunteer's.
    ]


def center_wishes(request: HttpRequest, center_id: int) -> HttpResponse:
    """The center's open wishes, newest first: what a volunteer could take on today."""
    center = _center(center_id)
    wishes = selectors.public_wishes().filter(center=center, status=Status.PUBLISHED)
    page = Paginator(wishes, PAGE_SIZE).get_page(request.GET.get("page"))
    # The wisher's own wish is on the wall too, without the offer to help with it.
    viewer_id = member_of(request).pk if request.user.is_authenticated else None
    context = {"center": center, "page": page, "viewer_id": viewer_id}
    return render(request, "community/center_wishes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def wish_new(request: HttpRequest, center_id: int) -> HttpResponse:
    center = _center(center_id)
    # The photo (a file) comes apart from the form's text.
    form = WishForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            wish = wish_create(
                member=member_of(request), center=center, by=request.user, **form.cleaned_data
            )
        except LinliError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your wish is posted. Staff will review it, usually within a day.")
            )
            return redirect("community:wish", wish_id=wish.pk)
    return render(request, "community/wish_new.html", {"center": center, "form": form})


def wish_detail(request: HttpRequest, wish_id: int) -> HttpResponse:
    """One wish: the wall's part for anyone; its private part, history and buttons for the
    wisher (or family acting for them) and the volunteer holding it."""
    viewer = member_of(request) if request.user.is_authenticated else None
    wish = get_object_or_404(
        selectors.visible_wishes(viewer).prefetch_related("events"), pk=wish_id
    )
    mine = viewer is not None and wish.wisher_id == viewer.pk
    holding = viewer is not None and wish.claimed_by_id == viewer.pk and wish.status in Wish.HELD
    context = {
        "viewer": viewer,
        "wish": wish,
        "mine": mine,
        "holding": holding,
        "acquainted": selectors.wish_acquainted(wish, viewer),
        # The one who is logged in (family acting for the wisher see it too, as staff do).
        "photo_visible": selectors.wish_photo_visible(wish, request.user),
        "history": _history(wish) if mine else [],
        "can_claim": wish.status == Status.PUBLISHED and not mine,
        "teams": member_teams(viewer) if viewer is not None and not mine else [],
        "fulfil_form": FulfilForm() if holding and wish.status == Status.CLAIMED else None,
        # The wisher takes a wish back until it is fulfilled; the volunteer gives it back.
        "can_withdraw": (mine and wish.status in Wish.OPEN and wish.status != Status.FULFILLED)
        or (holding and wish.status == Status.CLAIMED),
    }
    return render(request, "community/wish_detail.html", context)


def _act(request: HttpRequest, wish: Wish, do, done: str) -> HttpResponse:
    """Call one service on ``wish``; its refusal is the page's error message."""
    try:
        do(wish)
    except LinliError as error:
        refuse(request, error)
    else:
        messages.success(request, done)
    return redirect("community:wish", wish_id=wish.pk)


@login_required
@require_POST
def wish_claim_view(request: HttpRequest, wish_id: int) -> HttpResponse:
    member = member_of(request)
    wish = get_object_or_404(selectors.public_wishes(), pk=wish_id)
    team, team_id = None, request.POST.get("team", "")
    if team_id:
        team = member_teams(member).filter(pk=team_id).first() if team_id.isdigit() else None
        if team is None:
            messages.error(request, _("You are not a member of this team."))
            return redirect("community:wish", wish_id=wish.pk)
    return _act(
        request,
        wish,
        lambda wish: wish_claim(wish=wish, member=member, team=team, by=request.user),
        _("The wish is yours. Please fulfil it within a week, then say what you did."),
    )


@login_required
@require_POST
def wish_fulfil_view(request: HttpRequest, wish_id: int) -> HttpResponse:
    member = member_of(request)
    note = request.POST.get("note", "")  # the service says when it is missing
    wish = get_object_or_404(selectors.member_claims(member), pk=wish_id)
    return _act(
        request,
        wish,
        lambda wish: wish_fulfil(wish=wish, member=member, note=note, by=request.user),
        _("Thank you! The wisher is asked to confirm."),
    )


@login_required
@require_POST
def wish_confirm_view(request: HttpRequest, wish_id: int) -> HttpResponse:
    wish = get_object_or_404(selectors.member_wishes(member_of(request)), pk=wish_id)
    return _act(
        request,
        wish,
        lambda wish: wish_confirm(wish=wish, by=request.user),
        _("Confirmed. The volunteer is thanked with points."),
    )


@login_required
@require_POST
def wish_withdraw_view(request: HttpRequest, wish_id: int) -> HttpResponse:
    member = member_of(request)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm."))
        return redirect("community:wish", wish_id=wish_id)
    queryset = (selectors.member_wishes(member) | selectors.member_claims(member)).distinct()
    wish = get_object_or_404(queryset, pk=wish_id)
    done = (
        _("You gave the wish back; other volunteers can take it on.")
        if wish.wisher_id != member.pk
        else _("Your wish is taken off the wall.")
    )
    return _act(
        request,
        wish,
        lambda wish: wish_withdraw(wish=wish, member=member, by=request.user),
        done,
    )


@login_required
def my_wishes(request: HttpRequest) -> HttpResponse:
    """The member's wishes in every state with each one's history, and the wishes they took
    on as a volunteer."""
    member = member_of(request)
    events = Prefetch("events", queryset=WishEvent.objects.order_by("at", "id"))
    wishes = list(selectors.member_wishes(member).prefetch_related(events)[:50])
    for wish in wishes:
        wish.history = _history(wish)
    context = {"wishes": wishes, "claims": list(selectors.member_claims(member)[:50])}
    return render(request, "community/my_wishes.html", context)
