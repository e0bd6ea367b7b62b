from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from ryadom.accounts.models import User
from ryadom.audit.backoffice import AuditedAdmin
from ryadom.referrals.models import PartnerMember, PartnerService


class PartnerMemberInline(admin.TabularInline[PartnerMember, PartnerService]):
    model = PartnerMember
    extra = 0
    fields = ["user", "is_active", "added_by", "added_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["added_by", "added_at"]


@admin.register(PartnerService)
class PartnerServiceAdmin(AuditedAdmin[PartnerService]):
    list_display = ["name", "kind", "region", "contact_person", "phone", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "inn", "contact_person"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    raw_id_fields = ["settlement"]
    filter_horizontal = ["service_area"]
    inlines = [PartnerMemberInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for row in formset.forms:
            member = row.instance
            if isinstance(member, PartnerMember) and member.pk is None and row.has_changed():
                member.added_by = cast(User, request.user)
        super().save_formset(request, form, formset, change)


@admin.register(PartnerMember)
class PartnerMemberAdmin(AuditedAdmin[PartnerMember]):
    """Who answers a regular partner's referrals with an account. Coordinators add them from
    a service too (services.partner_member_add, with its audit row)."""

    list_display = ["user", "partner", "is_active", "added_by", "added_at"]
    list_filter = ["is_active", "partner__kind"]
    search_fields = ["user__username", "user__last_name", "partner__name"]
    list_select_related = ["user", "partner", "added_by"]
    raw_id_fields = ["user", "partner"]
    readonly_fields = ["added_by", "added_at"]

    def save_model(self, request: HttpRequest, obj: PartnerMember, form: Any, change: bool) -> None:
        if not change:
            obj.added_by = cast(User, request.user)
        super().save_model(request, obj, form, change)
