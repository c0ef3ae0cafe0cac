"""The front desk: ``/admin/front-desk/?center=<id>``. One field for a typed or scanned check-in
code (a USB scanner types into it and presses Enter; a camera scans through the vendored
html5-qrcode), today's arrivals, and booking for a walk-in found by phone or name or created
with a phone number, from the day's free times, confirmed at once (``booking_create``)."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.services.create import booking_create
from centers.models import Space
from centers.permissions import Action, staff_can
from core.admin_kit import add_service_error
from core.errors import LinliError
from members.models import User
from members.selectors import members_find
from members.services.walk_ins import member_create_walk_in
from workspace.forms import CodeForm, NewMemberForm, WalkInForm
from workspace.scope import centers_for, chosen_center
from workspace.selectors.front_desk import arrivals, free_starts
from workspace.services.front_desk import front_desk_check_in
from workspace.views.common import chosen_day, page


def _desk_url(center_id: int, **params) -> str:
    query = {"center": center_id, **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{reverse('admin:front_desk')}?{urlencode(query)}"


def front_desk(request: HttpRequest) -> HttpResponse:
    center = chosen_center(request, Action.CHECK_IN)
    day = chosen_day(request, center)
    can_book = staff_can(request.user, Action.MANAGE_BOOKINGS, center.pk)
    spaces = Space.objects.filter(center=center, bookable=True, is_active=True).order_by(
        "floor", "name"
    )
    for space in spaces:
        space.center = center
    outcome = None
    code_form = CodeForm()
    new_member_form = NewMemberForm(prefix="new")
    what = request.POST.get("do") if request.method == "POST" else None

    if what == "check_in":
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            outcome = front_desk_check_in(by=request.user, code=code_form.cleaned_data["code"])
            code_form = CodeForm()  # ready for the next member
    elif what == "new_member":
        if not can_book:
            raise Http404
        new_member_form = NewMemberForm(request.POST, prefix="new")
        if new_member_form.is_valid():
            data = new_member_form.cleaned_data
            try:
                member = member_create_walk_in(
                    phone=data["phone"], name=data["name"], by=request.user, center=center
                )
            except LinliError as error:
                add_service_error(new_member_form, error)
            else:
                messages.success(request, _("Account created for %(member)s.") % {"member": member})
                return HttpResponseRedirect(
                    _desk_url(center.pk, date=day.isoformat(), member=member.pk) + "#walk-in"
                )

    # The walk-in: a member chosen (found or just created), then a space and a free time.
    member = None
    member_id = request.POST.get("member") or request.GET.get("member") or ""
    if can_book and member_id.isdigit():
        member = User.objects.filter(pk=int(member_id), is_active=True).first()
    initial = {
        "member": member.pk if member else None,
        "space": request.GET.get("space"),
        "start": request.GET.get("start"),
    }
    walk_in_form = WalkInForm(initial=initial, spaces=spaces, day=day)
    if what == "book":
        if not can_book:
            raise Http404
        walk_in_form = WalkInForm(request.POST, spaces=spaces, day=day)
        if walk_in_form.is_valid() and member is not None:
            data = walk_in_form.cleaned_data
            start = datetime.combine(day, data["start"], tzinfo=center.tz)
            end = start + timedelta(minutes=data["minutes"])
            try:
                booking = booking_create(
                    member=member,
                    space=data["space"],
                    start=start,
                    end=end,
                    purpose=data["purpose"],
                    by=request.user,
                )
            except LinliError as error:
                add_service_error(walk_in_form, error)
            else:
                messages.success(
                    request,
                    _("Booked and confirmed: %(booking)s for %(member)s. Check-in code %(code)s.")
                    % {"booking": booking, "member": member, "code": booking.check_in_code},
                )
                return HttpResponseRedirect(_desk_url(center.pk, date=day.isoformat()))

    who = request.GET.get("who", "").strip()
    found = list(members_find(who)) if (can_book and who) else []
    chosen_space = None
    space_value = request.POST.get("space") or request.GET.get("space") or ""
    if space_value.isdigit():
        chosen_space = next((s for s in spaces if s.pk == int(space_value)), None)
    chosen_space = chosen_space or (spaces[0] if spaces else None)
    with timezone.override(center.tz):
        starts = free_starts(chosen_space, day) if (can_book and chosen_space) else []
        start_labels = [f"{timezone.localtime(s):%H:%M}" for s in starts]

    return page(
        request,
        "admin/workspace/front_desk.html",
        _("Front desk"),
        center=center,
        centers=centers_for(request, Action.CHECK_IN),
        day=day,
        outcome=outcome,
        code_form=code_form,
        arrivals=arrivals(center, day),
        can_book=can_book,
        who=who,
        found=found,
        searched=bool(who),
        member=member,
        new_member_form=new_member_form,
        walk_in_form=walk_in_form,
        chosen_space=chosen_space,
        spaces=spaces,
        start_labels=start_labels,
        desk_url=_desk_url(center.pk, date=day.isoformat()),
    )
