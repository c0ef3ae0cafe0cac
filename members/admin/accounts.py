from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from members.admin.forms import MemberChangeForm, MemberCreationForm
from members.models import User


@admin.register(User)
class MemberAdmin(UserAdmin):
    """All accounts. Superusers only: members are not owned by one center."""

    form = MemberChangeForm
    add_form = MemberCreationForm
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "phone", "usable_password", "password1", "password2"],
            },
        )
    ]

    list_display = [
        "username",
        "display_name",
        "phone_display",
        "is_verified_display",
        "points_balance",
        "is_staff",
        "is_active",
    ]
    search_fields = ["username", "display_name", "first_name", "last_name", "email", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Personal info"),
            {
                "fields": [
                    "display_name",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "phone_verified",
                    "language",
                    "notification_channels",
                ]
            },
        ),
        (
            _("Resident"),
            {
                "fields": [
                    "birth_date",
                    "neighbourhood",
                    "is_party_member",
                    "id_number_display",
                    "verified_at",
                    "points_balance",
                    "anonymized_at",
                ]
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    # The identity columns never reach a form or a page: only the mask is shown.
    exclude = ["real_name_encrypted", "id_number_encrypted", "id_number_digest"]
    readonly_fields = ["id_number_display", "verified_at", "points_balance", "anonymized_at"]

    @admin.display(description=_("phone"), ordering="phone")
    def phone_display(self, member: User) -> str:
        return member.phone_masked

    @admin.display(description=_("ID number"))
    def id_number_display(self, member: User) -> str:
        return member.id_number_masked

    @admin.display(description=_("verified"), boolean=True, ordering="verified_at")
    def is_verified_display(self, member: User) -> bool:
        return member.is_verified

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        # A verified member's birth date is the one on their ID card.
        if obj is not None and obj.is_verified:
            return [*self.readonly_fields, "birth_date"]
        return self.readonly_fields

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
