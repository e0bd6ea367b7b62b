from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.openings.models import Application, Opening


class ApplicationInline(admin.TabularInline[Application, Opening]):
    model = Application
    extra = 0
    fields = ["volunteer", "status", "applied_at", "decided_at", "decided_by", "reason"]
    readonly_fields = ["volunteer", "applied_at", "decided_at", "decided_by"]


@admin.register(Opening)
class OpeningAdmin(AuditedAdmin[Opening]):
    list_display = ["title", "institution", "organisation", "recurrence", "starts_on", "status"]
    list_filter = ["status", "recurrence", "region"]
    search_fields = ["title", "institution__name"]
    raw_id_fields = ["institution", "department", "organisation", "posted_by"]
    inlines = [ApplicationInline]
