from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from ryadom.accounts.models import ApiToken, OneTimeCode, RoleAssignment, User
from ryadom.audit.backoffice import AuditedAdmin


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdmin[User], DjangoUserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), (None, {"fields": ("phone", "language")}))


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin[RoleAssignment]):
    list_display = ["user", "role", "scope_kind", "scope_id", "created_at"]
    list_filter = ["role", "scope_kind"]
    search_fields = ["user__username", "user__last_name"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin[ApiToken]):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    raw_id_fields = ["user"]


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(AuditedAdmin[OneTimeCode]):
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
