"""What the booking screens share: scoping by the space's center, the role checks behind the
actions, the reason page of actions that need one, and add pages whose rows a service creates."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.admin_scope import CenterScopedAdmin, center_ids
from centers.models import Space
from centers.permissions import Action
from core.errors import LinliError


class SpaceBoundAdmin(CenterScopedAdmin):
    """Rows that belong to a space: anyone on a center's staff sees them; the actions need a
    role that allows them (front desk and managers), checked again by each service."""

    center_field = "space__center_id"
    edit_action = Action.MANAGE_BOOKINGS
    change_form_template = "admin/bookings/change_form_with_actions.html"

    # Rows change only through services (actions and add pages), never by editing fields.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("by"))
    def creator(self, obj: Any) -> Any:
        return obj.created_by

    @admin.display(description=gettext_lazy("created"), ordering="created")
    def created_at(self, obj: Any) -> str:
        return local(obj.created)

    def has_manage_bookings_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.MANAGE_BOOKINGS)

    def has_check_in_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.CHECK_IN)

    def spaces(self, request: HttpRequest, action: Action = Action.VIEW) -> QuerySet[Space]:
        spaces = Space.objects.select_related("center").order_by("center_id", "name")
        if request.user.is_superuser:
            return spaces
        return spaces.filter(center_id__in=center_ids(request, action))


def local(moment: datetime) -> str:
    """A time as the admin shows its own datetime fields (read-only methods get no formatting)."""
    return formats.localize(timezone.template_localtime(moment))


class ReadOnlyInline:
    """An inline that only lists rows (as a plain table): services write them, nobody edits."""

    template = "admin/bookings/readonly_tabular.html"
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SpaceListFilter(admin.SimpleListFilter):
    """The spaces of the staff member's own centers (Django's related filter would list every
    center's spaces)."""

    title = gettext_lazy("space")
    parameter_name = "space"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(space.pk), str(space)) for space in model_admin.spaces(request)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(space_id=int(value))


def _error_classes(cls: type[LinliError] = LinliError) -> Iterator[type[LinliError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _error_classes(sub)


def error_message(code: str) -> str:
    """The message of the error with ``code`` (series report skipped dates by code)."""
    for cls in _error_classes():
        if cls.code == code:
            return str(cls.message)
    return code


def add_service_error(form: forms.Form, error: LinliError) -> None:
    """Put a service's error on the form: its field messages on the fields the form has, and
    the message itself on top unless a field already says it."""
    said = set()
    for name, field_messages in (error.fields or {}).items():
        if name in form.fields:
            form.add_error(name, [str(m) for m in field_messages])
            said.update(str(m) for m in field_messages)
    if str(error.detail) not in said:
        form.add_error(None, str(error.detail))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("The member is told this reason."),
    )


def ask_reason(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    button: str,
) -> tuple[str | None, HttpResponse | None]:
    """The intermediate page of an action that needs a reason. Returns ``(reason, None)`` once
    staff confirmed with a reason, else ``(None, page)`` to show."""
    if request.POST.get("confirm") == "yes":
        form = ReasonForm(request.POST)
        if form.is_valid():
            return form.cleaned_data["reason"], None
    else:
        form = ReasonForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "button": button,
        "opts": model_admin.opts,
        "objects": list(queryset),
        "form": form,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "next": request.POST.get("next", ""),
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return None, TemplateResponse(request, "admin/bookings/confirm_with_reason.html", context)


def redirect_back(request: HttpRequest) -> HttpResponse | None:
    """After an action started from an object's page, go back there (``next``); otherwise the
    admin returns to the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return None


class ServiceAddMixin:
    """The add page of a model whose rows only a service creates. The page looks like the
    admin's own; ``perform_add`` calls the service with the cleaned form and returns the
    response, or a dict of extra context to show the form again (errors already on it)."""

    add_form_class: type[forms.Form]
    add_fieldsets: list

    def get_add_form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def get_add_fieldsets(self, request: HttpRequest, extra: dict[str, Any]) -> list:
        return self.add_fieldsets

    def perform_add(self, request: HttpRequest, form: forms.Form) -> HttpResponse | dict:
        raise NotImplementedError

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        kwargs = self.get_add_form_kwargs(request)
        extra: dict[str, Any] = {}
        if request.method == "POST":
            form = self.add_form_class(request.POST, **kwargs)
            if form.is_valid():
                try:
                    outcome = self.perform_add(request, form)
                except LinliError as error:
                    add_service_error(form, error)
                else:
                    if isinstance(outcome, HttpResponse):
                        return outcome
                    extra = outcome
        else:
            form = self.add_form_class(initial=request.GET.dict(), **kwargs)
        adminform = helpers.AdminForm(
            form, self.get_add_fieldsets(request, extra), {}, model_admin=self
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add %s") % self.opts.verbose_name,
            "subtitle": None,
            "adminform": adminform,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + adminform.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **extra,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)
