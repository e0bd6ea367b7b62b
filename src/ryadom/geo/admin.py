from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.geo.models import Region, Settlement


@admin.register(Region)
class RegionAdmin(AuditedAdmin[Region]):
    list_display = ["code", "name_ru", "name_en", "federal_district", "centre_ru", "timezone"]
    list_filter = ["federal_district"]
    search_fields = ["code", "name_ru", "name_en"]


@admin.register(Settlement)
class SettlementAdmin(AuditedAdmin[Settlement]):
    list_display = ["name_ru", "region", "population", "is_centre", "lat", "lon"]
    list_filter = ["is_centre", "region__federal_district"]
    search_fields = ["name_ru", "name_en"]
    list_select_related = ["region"]
