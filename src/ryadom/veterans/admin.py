from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.veterans.models import Consent, Proxy, Stay, Veteran


class StayInline(admin.TabularInline[Stay, Veteran]):
    model = Stay
    fk_name = "veteran"
    extra = 0
    raw_id_fields = ["institution", "department", "transferred_from"]


class ProxyInline(admin.TabularInline[Proxy, Veteran]):
    model = Proxy
    extra = 0
    raw_id_fields = ["user"]


class ConsentInline(admin.TabularInline[Consent, Veteran]):
    model = Consent
    extra = 0
    raw_id_fields = ["given_by", "recorded_by"]


@admin.register(Veteran)
class VeteranAdmin(AuditedAdmin[Veteran]):
    list_display = ["addressed_as", "home_region", "contact_route", "created_at"]
    list_filter = ["contact_route", "home_region__federal_district"]
    search_fields = ["addressed_as"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["home_region"]
    inlines = [StayInline, ProxyInline, ConsentInline]


@admin.register(Stay)
class StayAdmin(AuditedAdmin[Stay]):
    list_display = ["veteran", "institution", "department", "admitted_on", "discharged_on"]
    raw_id_fields = ["veteran", "institution", "department", "transferred_from"]
    list_select_related = ["veteran", "institution", "department"]
