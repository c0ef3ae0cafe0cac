from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from members.models import User


@admin.register(User)
class MemberAdmin(UserAdmin):
    """All accounts. Superusers only until staff get member screens scoped to their centers."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_superuser
