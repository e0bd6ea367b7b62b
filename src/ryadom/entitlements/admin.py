from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.entitlements.models import ChecklistItem, Circumstances, Measure, PaymentContact


@admin.register(Measure)
class MeasureAdmin(AuditedAdmin[Measure]):
    """The catalogue of measures; `Measure.clean` refuses conditions that do not read."""

    list_display = ["code", "title_ru", "level", "region", "effective_to", "is_demo_sample"]
    list_filter = ["level", "region", "is_demo_sample"]
    search_fields = ["code", "title_ru", "title_en"]


@admin.register(PaymentContact)
class PaymentContactAdmin(AuditedAdmin[PaymentContact]):
    list_display = ["region", "user"]
    raw_id_fields = ["user"]


@admin.register(Circumstances)
class CircumstancesAdmin(AuditedAdmin[Circumstances]):
    list_display = ["veteran", "status", "region", "updated_at"]
    list_filter = ["status", "region"]
    raw_id_fields = ["veteran", "updated_by"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(AuditedAdmin[ChecklistItem]):
    list_display = ["veteran", "measure", "status", "marked_at"]
    list_filter = ["status"]
    raw_id_fields = ["veteran", "measure", "marked_by"]
