"""Staff see and change only their own centers in the admin.

Every ModelAdmin of a center-owned model mixes in ``CenterScopedAdmin`` and names the path from
its model to the center (``center_field``). Querysets, object permissions and foreign-key choices
all go through the same role map (``centers.selectors.staff_roles``), so guessing another
center's URL finds nothing (the admin answers as for a missing object).
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from centers.models import Center, Space
from centers.permissions import Action, centers_where


def center_ids(request: HttpRequest, action: Action = Action.VIEW) -> set[int]:
    return centers_where(request.user, action) or set()


def active_centers_where(request: HttpRequest, action: Action) -> QuerySet[Center]:
    """The open centers where the staff member may do ``action`` (a form's center choices)."""
    centers = Center.objects.filter(is_active=True).order_by("id")
    if request.user.is_superuser:
        return centers
    return centers.filter(id__in=center_ids(request, action))


class CenterScopedMixin:
    """Shared by ModelAdmin and inlines. ``center_field`` leads from the model to Center's id."""

    center_field: str = "center_id"
    edit_action: Action = Action.MANAGE_PLACES

    def center_of(self, obj: Model) -> int | None:
        value: Any = obj
        for part in self.center_field.split("__"):
            value = getattr(value, part, None)
        return value

    def _role_ok(self, request: HttpRequest, obj: Model | None, action: Action):
        if request.user.is_superuser:
            return True
        allowed = center_ids(request, action)
        if obj is None:
            return bool(allowed)
        return self.center_of(obj) in allowed

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._role_ok(request, obj, Action.VIEW)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._role_ok(request, obj, self.edit_action)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._role_ok(request, obj, self.edit_action)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._role_ok(request, obj, self.edit_action)

    def scope_queryset(self, request: HttpRequest, qs: QuerySet) -> QuerySet:
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.center_field}__in": center_ids(request)})

    def limit_choices(self, db_field: Any, request: HttpRequest, kwargs: dict) -> dict:
        if request.user.is_superuser:
            return kwargs
        editable = center_ids(request, self.edit_action)
        if db_field.related_model is Center:
            kwargs["queryset"] = Center.objects.filter(id__in=editable)
        elif db_field.related_model is Space:
            kwargs["queryset"] = Space.objects.filter(center_id__in=editable).select_related(
                "center"
            )
        elif db_field.related_model._meta.label == "members.EligibilityRule":
            # Shared rules (no center) are for everyone to use; a center's own only for it.
            kwargs["queryset"] = db_field.related_model.objects.filter(
                Q(center__isnull=True) | Q(center_id__in=editable)
            )
        return kwargs


class CenterScopedAdmin(CenterScopedMixin, admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        return super().formfield_for_foreignkey(
            db_field, request, **self.limit_choices(db_field, request, kwargs)
        )


class CenterScopedInline(CenterScopedMixin):
    """An inline is judged by its parent object (``obj`` is the Center or Space being edited)."""

    parent_center_field: str = "id"

    def center_of(self, obj: Model) -> int | None:
        value: Any = obj
        for part in self.parent_center_field.split("__"):
            value = getattr(value, part, None)
        return value

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        return super().formfield_for_foreignkey(
            db_field, request, **self.limit_choices(db_field, request, kwargs)
        )


class IdListFilter(admin.SimpleListFilter):
    """A list filter by the id of a related row (``field``, the lookup): its choices are the
    rows of the staff member's own centers, and anything but an id finds nothing."""

    field: str

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(**{self.field: int(value)})


class CenterListFilter(IdListFilter):
    """The staff member's own centers (Django's related filter would list every center), by
    the admin's own path to the center (``center_field``)."""

    title = gettext_lazy("center")
    parameter_name = "center"

    def __init__(self, request: HttpRequest, params: dict, model: Any, model_admin: Any) -> None:
        self.field = model_admin.center_field
        super().__init__(request, params, model, model_admin)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        centers = Center.objects.order_by("id")
        if not request.user.is_superuser:
            centers = centers.filter(id__in=center_ids(request))
        return [(str(center.pk), center.name) for center in centers]
