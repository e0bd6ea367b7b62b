from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ryadom.accounts.models import ApiToken, OneTimeCode, RoleAssignment, User
from ryadom.accounts.services import api_token_check, api_token_issue
from ryadom.audit.backoffice import AuditedAdmin
from ryadom.core.errors import ApplicationError


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


class ApiTokenAddForm(forms.ModelForm[ApiToken]):
    """Issue a token: a person's, or an integration client's for a service account."""

    class Meta:
        model = ApiToken
        fields = ["user", "kind", "name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") is not None and data.get("kind"):
            try:
                api_token_check(user=data["user"], kind=data["kind"])
            except ApplicationError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin[ApiToken]):
    """Adding a token issues it through the service and shows its key once, on that page."""

    list_display = ["prefix", "name", "kind", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    raw_id_fields = ["user"]

    def get_form(
        self, request: HttpRequest, obj: ApiToken | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return ApiTokenAddForm.Meta.fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        # A token's holder and kind are what it was issued as; only its name and
        # revocation change.
        return [*self.readonly_fields, "user", "kind"] if obj is not None else []

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = api_token_issue(
            actor=request.user,  # type: ignore[arg-type]
            user=obj.user,
            name=obj.name,
            kind=obj.kind,
        )
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        obj.created_at = token.created_at
        obj._state.adding = False
        self._issued_keys[request] = key

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The key, shown on this page only: it is stored as a hash and never again known."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": obj,
            "token": obj,
            "key": self._issued_keys.pop(request, ""),
        }
        return TemplateResponse(request, "admin/accounts/apitoken/issued.html", context)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The key between save_model and response_add of one request; never stored.
        self._issued_keys: WeakKeyDictionary[HttpRequest, str] = WeakKeyDictionary()


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
