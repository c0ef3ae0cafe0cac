"""The admin kit: what every app's staff screens share. Rows that services own are never
edited as fields; staff act through pages that parse a form and call one service, whose errors
come back on the form.

- ``ServiceAddMixin``: an add page whose row a service creates;
- ``confirm_page`` and ``ask_reason``: the intermediate page of an action that needs a reason
  (or a small form) before it runs;
- ``CheckInByCodeMixin``: the front desk's page that checks a member in by the code they show;
- ``form_page``: an admin-looking page for any form one service acts on;
- ``apply_each``: an action's service called row by row, each refusal a message naming the row;
- helpers: ``add_service_error``, ``error_message``, ``redirect_back``, ``local``,
  ``ServiceOwnedRows``, ``ReadOnlyInline``.

Scoping staff to their centers is the centers app's part (``centers.admin_scope``).
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import LinliError


def local(moment: datetime) -> str:
    """A time as the admin shows its own datetime fields (read-only methods get no formatting)."""
    return formats.localize(timezone.template_localtime(moment))


class ServiceOwnedRows:
    """Rows only services write: the admin adds, edits and deletes none of them (an admin
    that has an add page of its own says so again)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ServiceOwnedRows):
    """An inline that only lists rows (as a plain table): services write them, nobody edits."""

    template = "admin/readonly_tabular.html"
    extra = 0
    can_delete = False


# --- A service's errors on a form ----------------------------------------------------------------


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


def redirect_back(request: HttpRequest) -> HttpResponse | None:
    """After an action started from an object's page, go back there (``next``); otherwise the
    admin returns to the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return None


# --- Actions ------------------------------------------------------------------------------------


def apply_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[Model],
    *,
    allowed: Callable[[Model], bool],
    perform: Callable[[Model], object],
    done: Callable[[int], str],
) -> HttpResponse | None:
    """An action's service (``perform``) on each row, if ``allowed`` (the staff member's role
    at the row's center). A refusal, by the role or by the service, is a message naming the
    row, and the rest go on; ``done`` says how many went through."""
    count = 0
    for obj in objects:
        # The service checks again; asking first gives staff a message in words.
        if not allowed(obj):
            model_admin.message_user(
                request,
                _("%(row)s: your role at this center does not allow this.") % {"row": obj},
                messages.ERROR,
            )
            continue
        try:
            perform(obj)
        except LinliError as error:
            model_admin.message_user(request, f"{obj}: {error.detail}", messages.ERROR)
        else:
            count += 1
    if count:
        model_admin.message_user(request, done(count), messages.SUCCESS)
    return redirect_back(request)


# --- Actions that ask first ----------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("The member is told this reason."),
    )


def confirm_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[Model],
    *,
    form: forms.Form,
    action: str,
    title: str,
    button: str,
    lead: str = "",
    label: Callable[[Model], str] | None = None,
) -> TemplateResponse:
    """The intermediate page of the admin action ``action``: the rows it applies to (each as
    ``label`` says, else as itself with its member and status), ``form`` and the way back.
    Posting it runs the action again with ``confirm=yes``."""
    label = label or _row_label
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "button": button,
        "lead": lead,
        "opts": model_admin.opts,
        "rows": [(obj, label(obj)) for obj in objects],
        "form": form,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "next": request.POST.get("next", ""),
        "media": model_admin.media + form.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/confirm_with_form.html", context)


def _row_label(obj: Model) -> str:
    parts = [str(obj)]
    member = getattr(obj, "member", None)
    if member is not None:
        parts.append(str(member))
    if hasattr(obj, "get_status_display"):
        parts.append(str(obj.get_status_display()))
    return " · ".join(parts)


def confirmed(request: HttpRequest) -> bool:
    """Whether the action's intermediate page was posted (not the list's first click)."""
    return request.POST.get("confirm") == "yes"


def ask_reason(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[Model],
    *,
    action: str,
    title: str,
    button: str,
    lead: str = "",
) -> tuple[str | None, HttpResponse | None]:
    """The intermediate page of an action that needs a reason. Returns ``(reason, None)`` once
    staff confirmed with a reason, else ``(None, page)`` to show."""
    form = ReasonForm(request.POST if confirmed(request) else None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["reason"], None
    page = confirm_page(
        model_admin,
        request,
        objects,
        form=form,
        action=action,
        title=title,
        button=button,
        lead=lead,
    )
    return None, page


# --- Pages of their own --------------------------------------------------------------------------


def form_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    form: forms.Form,
    fieldsets: list,
    title: str,
    button: str,
    lead: str = "",
    extra: dict[str, Any] | None = None,
) -> TemplateResponse:
    """An admin-looking page for a form that one service acts on (a weekly series, a block of
    appointments, a session's new time)."""
    adminform = helpers.AdminForm(form, fieldsets, {}, model_admin=model_admin)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": model_admin.opts,
        "adminform": adminform,
        "errors": helpers.AdminErrorList(form, []),
        "media": model_admin.media + adminform.media,
        "button": button,
        "lead": lead,
        "has_view_permission": True,
        "is_popup": False,
        "inline_admin_formsets": [],
        **(extra or {}),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/form_page.html", context)


class ServiceAddMixin:
    """The add page of a model whose rows only a service creates. The page looks like the
    admin's own; ``perform_add`` calls the service with the cleaned form and returns the
    response, or a dict of extra context to show the form again (errors already on it)."""

    add_form_class: type[forms.Form]
    add_fieldsets: list
    add_title: str | None = None  # "Add <verbose name>" unless said

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
            form = self.add_form_class(request.POST, request.FILES, **kwargs)
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
            "title": self.add_title or _("Add %s") % self.opts.verbose_name,
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


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("check-in code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "inputmode": "numeric"}
        ),
        help_text=gettext_lazy("Type or scan the code the member shows."),
    )


class CheckInByCodeMixin:
    """The check-in desk of a ModelAdmin (``<app>/<model>/check-in/``): staff type or scan a
    member's code, and ``check_in_by_code`` (one service) finds among their centers' what the
    code belongs to and checks it in. The page shows what was checked in
    (``check_in_template`` extends ``admin/check_in.html``) and is ready for the next code."""

    check_in_template: str
    # The name the template knows the checked-in object by ("booking", "registration").
    checked_in_name: str

    # The admin also has ``has_check_in_permission(request)``: who may use the desk.

    def check_in_by_code(self, request: HttpRequest, code: str) -> Model:
        raise NotImplementedError

    def checked_in_context(self, request: HttpRequest, obj: Model | None) -> dict[str, Any]:
        return {}

    def check_in_url(self) -> URLPattern:
        info = self.opts.app_label, self.opts.model_name
        return path(
            "check-in/",
            self.admin_site.admin_view(self.check_in_view),
            name="{}_{}_check_in".format(*info),
        )

    def check_in_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_check_in_permission(request):
            raise PermissionDenied
        checked_in = None
        form = CheckInForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                checked_in = self.check_in_by_code(request, form.cleaned_data["code"])
            except LinliError as error:
                form.add_error("code", str(error.detail))
            else:
                form = CheckInForm()  # ready for the next member
        context = {
            **self.admin_site.each_context(request),
            "title": _("Check in by code"),
            "opts": self.opts,
            "form": form,
            self.checked_in_name: checked_in,
            "media": self.media,
            **self.checked_in_context(request, checked_in),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.check_in_template, context)
