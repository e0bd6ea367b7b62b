from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.institutions.models import Agency, Department, Institution, VisitingHours


class DepartmentInline(admin.TabularInline[Department, Institution]):
    model = Department
    extra = 0


class VisitingHoursInline(admin.TabularInline[VisitingHours, Institution]):
    model = VisitingHours
    extra = 0


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin[Agency]):
    list_display = ["code", "name_ru", "name_en"]


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin[Institution]):
    list_display = ["name", "kind", "agency", "region", "access_level", "is_active"]
    list_filter = ["kind", "access_level", "agency", "region__federal_district"]
    search_fields = ["name", "address"]
    list_select_related = ["agency", "region"]
    autocomplete_fields = ["region"]
    raw_id_fields = ["settlement"]
    inlines = [DepartmentInline, VisitingHoursInline]
