"""What the workspace pages share: the admin's page context and reading a date parameter."""

from datetime import date
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from centers.models import Center


def page(request: HttpRequest, template: str, title: str, **context: Any) -> TemplateResponse:
    """A page that looks like the admin's own (header, sidebar, breadcrumbs, messages)."""
    request.current_app = admin.site.name
    return TemplateResponse(
        request,
        template,
        {**admin.site.each_context(request), "title": title, "subtitle": None, **context},
    )


def chosen_day(request: HttpRequest, center: Center, name: str = "date") -> date:
    """``?date=YYYY-MM-DD``; today at the center when missing or not a date."""
    value = request.GET.get(name) or request.POST.get(name) or ""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return timezone.localdate(timezone.now(), timezone=center.tz)
