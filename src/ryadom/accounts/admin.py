from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from ryadom.accounts.models import ApiToken, OneTimeCode, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), (None, {"fields": ("phone", "language")}))


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ["user", "role", "scope_kind", "scope_id", "created_at"]
    list_filter = ["role", "scope_kind"]
    search_fields = ["user__username", "user__last_name"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    raw_id_fields = ["user"]


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin[OneTimeCode]):
    """For support: whether a code went out and what became of it (never the code itself)."""

    list_display = ["address", "address_kind", "created_at", "expires_at", "attempts", "used_at"]
    list_filter = ["address_kind"]
    search_fields = ["address"]
    readonly_fields = [
        "user",
        "address_kind",
        "address",
        "code_hash",
        "created_at",
        "expires_at",
        "attempts",
        "used_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
