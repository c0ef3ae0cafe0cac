"""Resident web pages about the member themselves: the account page, editing the profile,
real-name verification (the same service as the API), message channels and WeChat consents,
points with their full history, data download, account deletion."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import LinliError
from core.forms import add_service_errors
from core.web import posted
from members import selectors
from members.services import privacy
from members.services.identity import member_verify_identity
from members.services.no_shows import active_suspension
from members.services.profile import member_update
from members.web_forms import ChannelsForm, ProfileForm, VerifyForm
from notifications.selectors import member_wechat_consents
from notifications.services import wechat_consent_withdraw

RECENT_POINTS = 5
POINTS_PAGE = 20


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    member = request.user
    context = {
        "member": member,
        "suspension": active_suspension(member),
        "teams": selectors.member_teams(member),
        "points": selectors.member_points_entries(member)[:RECENT_POINTS],
    }
    return render(request, "members/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    member = request.user
    initial = {
        "display_name": member.display_name,
        "neighbourhood": member.neighbourhood,
        "language": member.language,
        "birth_date": member.birth_date,
    }
    form = ProfileForm(posted(request), initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            member_update(member=member, data=form.cleaned_data)
        except LinliError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("members:profile")
    return render(request, "members/profile_edit.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    member = request.user
    if member.is_verified:
        return render(request, "members/verify.html", {"member": member})
    form = VerifyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            member_verify_identity(member=member, **form.cleaned_data)
        except LinliError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your real name is verified."))
            return redirect("members:profile")
    return render(request, "members/verify.html", {"member": member, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def channels(request: HttpRequest) -> HttpResponse:
    member = request.user
    form = ChannelsForm(posted(request), initial={"channels": member.notification_channels})
    if request.method == "POST" and form.is_valid():
        try:
            member_update(
                member=member, data={"notification_channels": form.cleaned_data["channels"]}
            )
        except LinliError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your message settings are saved."))
            return redirect("members:channels")
    return render(
        request,
        "members/channels.html",
        {"form": form, "consents": member_wechat_consents(member)},
    )


@login_required
@require_POST
def wechat_withdraw(request: HttpRequest) -> HttpResponse:
    """Stop one kind of WeChat message (the same service as the API's DELETE)."""
    try:
        wechat_consent_withdraw(member=request.user, template_id=request.POST.get("template", ""))
    except LinliError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Those messages no longer come by WeChat."))
    return redirect("members:channels")


@login_required
def points(request: HttpRequest) -> HttpResponse:
    entries = Paginator(selectors.member_points_entries(request.user), POINTS_PAGE)
    return render(
        request, "members/points.html", {"page": entries.get_page(request.GET.get("page"))}
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    data = json.dumps(privacy.member_export(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{privacy.EXPORT_FILENAME}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            privacy.member_delete(member=request.user)
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("centers:list")
        messages.error(request, _("Tick the box to confirm that you want to delete your account."))
    return render(request, "members/delete.html")
