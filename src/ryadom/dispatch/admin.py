from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.dispatch.models import MatchingRun, Proposal, UnservedRequest


class ReadOnly(AuditedAdmin):
    """Runs are written by the services only; the back office reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MatchingRun)
class MatchingRunAdmin(ReadOnly):
    list_display = ["pk", "region", "actor", "created_at", "status", "matched", "unserved"]
    list_filter = ["status", "dry_run", "region"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnly):
    list_display = ["pk", "run", "request", "volunteer", "km", "status", "accepted_at"]
    list_filter = ["status"]
    raw_id_fields = ["run", "request", "volunteer"]


@admin.register(UnservedRequest)
class UnservedRequestAdmin(ReadOnly):
    list_display = ["pk", "run", "request", "reason"]
    raw_id_fields = ["run", "request"]
