from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ryadom.audit.backoffice import AuditedAdmin, audited
from ryadom.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin[AuditEvent]):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor__username"]

    # The log is read-only everywhere, the back office included.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


def _audit_other_packages_admins() -> None:
    """Admins that other packages registered before this module was imported (auth's groups,
    django-otp's devices, axes' lockouts, task results) are registered again, audited: staff
    resetting someone's second factor is in the log like any other change. Our own admins
    use AuditedAdmin directly; tests/audit/test_backoffice.py checks that none is missed."""
    for model, model_admin in list(admin.site._registry.items()):
        if not isinstance(model_admin, AuditedAdmin):
            admin.site.unregister(model)
            admin.site.register(model, audited(type(model_admin)))


_audit_other_packages_admins()
