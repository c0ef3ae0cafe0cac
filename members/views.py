"""Resident web pages about the member themselves: profile, data download, account deletion."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import selectors
from members.services import privacy
from members.services.no_shows import active_suspension

RECENT_POINTS = 10


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
