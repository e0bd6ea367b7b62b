from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.catalogue.models import ServiceType, Skill


@admin.register(Skill)
class SkillAdmin(AuditedAdmin[Skill]):
    list_display = ["code", "name_ru", "name_en"]
    search_fields = ["code", "name_ru", "name_en"]


@admin.register(ServiceType)
class ServiceTypeAdmin(AuditedAdmin[ServiceType]):
    list_display = [
        "code",
        "name_ru",
        "category",
        "standard_hours",
        "needs_professional",
        "same_gender_helper",
        "needs_security_screening",
        "is_active",
    ]
    list_filter = ["category", "is_active", "same_gender_helper", "needs_security_screening"]
    search_fields = ["code", "name_ru", "name_en"]
    filter_horizontal = ["required_skills"]
