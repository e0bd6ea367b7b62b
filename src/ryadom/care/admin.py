from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.care.models import CareRequest, Complaint, Event, Feedback, Visit


class EventInline(admin.TabularInline[Event, CareRequest]):
    model = Event
    extra = 0
    fields = ["at", "actor", "action", "from_status", "to_status", "note"]
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "note"]

    # The timeline is never edited, not even in the back office.
    def has_add_permission(self, request: HttpRequest, obj: CareRequest | None = None) -> bool:
        return False

    def has_delete_permission(  # type: ignore[override]  # the stubs disagree on obj
        self, request: HttpRequest, obj: CareRequest | None = None
    ) -> bool:
        return False


class VisitInline(admin.TabularInline[Visit, CareRequest]):
    model = Visit
    extra = 0
    readonly_fields = ["starts", "ends", "checked_in_at", "checked_out_at", "volunteer"]


@admin.register(CareRequest)
class CareRequestAdmin(AuditedAdmin[CareRequest]):
    """Read-only: requests change only through the lifecycle services (pages and API)."""

    list_display = ["id", "service_type", "institution", "status", "urgency", "deadline"]
    list_filter = ["status", "urgency", "channel", "region__federal_district"]
    list_select_related = ["service_type", "institution"]
    search_fields = ["id", "details"]
    inlines = [EventInline, VisitInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CareRequest | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CareRequest | None = None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(AuditedAdmin[Feedback]):
    list_display = ["request", "done", "respectful", "rating", "at"]
    list_filter = ["done", "respectful", "rating"]
    raw_id_fields = ["request", "given_by"]


@admin.register(Complaint)
class ComplaintAdmin(AuditedAdmin[Complaint]):
    list_display = ["request", "opened_at", "answered_at", "upheld"]
    list_filter = ["upheld"]
    raw_id_fields = ["request", "feedback", "answered_by"]
