"""亲友代办 on the member's own pages: link a relative by a one-time code texted to the
relative's phone (enter the number, the relative reads out the code, enter the code), see the
links both ways, end one from either side, and switch to acting for a relative (kept in the
session, ``members.acting``) and back. The same services as /api/v1/me/proxies/; links are the
member's own business, so these pages always work for the logged-in member."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import LinliError
from core.forms import add_service_errors
from core.web import posted, refuse
from members.acting import acting_start, acting_stop
from members.models import ProxyLink
from members.phones import mask_phone
from members.selectors import active_proxy_link, member_name, member_proxy_links
from members.services.proxies import proxy_confirm, proxy_end, proxy_request
from members.web_forms import ProxyCodeForm, ProxyRequestForm

Status = ProxyLink.Status


def _own(request: HttpRequest, link_id: int) -> ProxyLink:
    """One of the member's links, either side; anyone else's is a 404."""
    link = member_proxy_links(request.user).filter(pk=link_id).first()
    if link is None:
        raise Http404
    return link


def _describe(link: ProxyLink, me) -> ProxyLink:
    """Who the other person is, as the API's ``relative`` says it."""
    link.i_act_for = link.proxy_id == me.pk
    if not link.i_act_for:
        link.other_name, link.other_phone = member_name(link.proxy), link.proxy.phone_masked
    elif link.member_id is not None:
        link.other_name, link.other_phone = member_name(link.member), link.member.phone_masked
    else:  # still waiting for the code: what the member typed
        link.other_name, link.other_phone = link.relative_name, mask_phone(link.phone)
    return link


@login_required
def family(request: HttpRequest) -> HttpResponse:
    me = request.user
    links = [_describe(link, me) for link in member_proxy_links(me)[:50]]
    context = {
        "pending": [link for link in links if link.status == Status.PENDING and link.i_act_for],
        "active": [link for link in links if link.status == Status.ACTIVE],
        "ended": [link for link in links if link.status == Status.ENDED][:10],
        "code_form": ProxyCodeForm(),
    }
    return render(request, "members/family.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def family_new(request: HttpRequest) -> HttpResponse:
    form = ProxyRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            link = proxy_request(
                proxy=request.user,
                phone=form.cleaned_data["phone"],
                relative_name=form.cleaned_data["display_name"],
            )
        except LinliError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("A code is on its way to %(phone)s. Ask your relative to read it out to you.")
                % {"phone": mask_phone(link.phone)},
            )
            return redirect("members:family")
    return render(request, "members/family_new.html", {"form": form})


@login_required
@require_POST
def family_confirm(request: HttpRequest, link_id: int) -> HttpResponse:
    link = _own(request, link_id)
    try:
        link = proxy_confirm(link=link, by=request.user, code=request.POST.get("code", "")[:12])
    except LinliError as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _("Linked. You can now act for %(name)s.") % {"name": member_name(link.member)},
        )
    return redirect("members:family")


@login_required
@require_POST
def family_end(request: HttpRequest, link_id: int) -> HttpResponse:
    link = _own(request, link_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm."))
        return redirect("members:family")
    try:
        proxy_end(link=link, by=request.user)
    except LinliError as error:
        refuse(request, error)
    else:
        messages.success(request, _("The link has ended. You were both told."))
    return redirect("members:family")


@login_required
@require_POST
def acting_switch(request: HttpRequest, link_id: int) -> HttpResponse:
    """Start acting for the relative of one of the member's active links."""
    link = _own(request, link_id)
    active = active_proxy_link(request.user, link.member_id) if link.member_id else None
    if link.proxy_id != request.user.pk or active is None:
        messages.error(request, _("You have no active family link with this member."))
        return redirect("members:family")
    acting_start(request, relative=active.member)
    messages.success(
        request,
        _("You are now acting for %(name)s: bookings, registrations and wishes are theirs.")
        % {"name": member_name(active.member)},
    )
    return redirect("members:family")


@login_required
@require_POST
def acting_switch_off(request: HttpRequest) -> HttpResponse:
    acting_stop(request)
    messages.success(request, _("You are acting for yourself again."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("members:family")
