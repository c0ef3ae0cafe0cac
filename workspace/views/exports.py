"""CSV or Excel of any admin list as filtered on screen: ``/admin/export/<app>/<model>/`` with
the list's own query string and ``format=csv`` or ``xlsx``. The rows are the list's queryset
(scoped to the staff member's centers like the list), the columns its columns."""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import display_for_value, label_for_field, lookup_field
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import strip_tags

from workspace.exports import csv_response, xlsx_response

MAX_ROWS = 20_000  # a month of a busy city is far below this; a runaway export is not


def _cell(name: str, obj, model_admin) -> str:
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, LookupError):
        return ""
    if field is not None and getattr(field, "flatchoices", None):
        value = dict(field.flatchoices).get(value, value)
    text = display_for_value(value, "", boolean=getattr(attr, "boolean", False))
    return strip_tags(str(text).replace("<br>", " "))


def export_list(request: HttpRequest, app_label: str, model_name: str) -> HttpResponse:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        raise Http404
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    query = request.GET.copy()
    kind = query.pop("format", ["csv"])[-1]
    if kind not in ("csv", "xlsx"):
        raise Http404
    request.GET = query  # the change list reads its filters from here
    changelist = model_admin.get_changelist_instance(request)
    columns = [name for name in changelist.list_display if name != "action_checkbox"]
    header = [strip_tags(str(label_for_field(n, model, model_admin))) for n in columns]
    rows = (
        [_cell(n, obj, model_admin) for n in columns]
        for obj in changelist.get_queryset(request)[:MAX_ROWS]
    )
    title = str(model._meta.verbose_name_plural)
    name = f"linli-{model_name}.{kind}"
    respond = csv_response if kind == "csv" else xlsx_response
    return respond(name, [(title, header, rows)])
