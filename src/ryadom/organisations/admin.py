from __future__ import annotations

from django.contrib import admin
from django.db import models

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.organisations.models import Agreement, Organisation, OrganisationStatus


class StatusInline(admin.TabularInline[OrganisationStatus, Organisation]):
    model = OrganisationStatus
    extra = 0


class AgreementInline(admin.TabularInline[Agreement, Organisation]):
    model = Agreement
    extra = 0
    raw_id_fields = ["institution"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin[Organisation]):
    list_display = ["name", "inn", "ogrn", "kind", "home_region", "weekly_capacity", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "inn", "ogrn"]
    list_select_related = ["home_region"]
    autocomplete_fields = ["home_region"]
    filter_horizontal = ["regions", "service_types"]
    inlines = [StatusInline, AgreementInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin[Agreement]):
    list_display = ["organisation", "institution", "number", "valid_from", "valid_to"]
    raw_id_fields = ["organisation", "institution"]
    list_select_related = ["organisation", "institution"]
