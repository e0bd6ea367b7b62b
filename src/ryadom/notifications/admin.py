from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.notifications.models import Message, Preference


@admin.register(Message)
class MessageAdmin(AuditedAdmin[Message]):
    """Read-only: messages change only through delivery and the resend service."""

    list_display = ["id", "kind", "recipient", "channel", "status", "attempts", "created_at"]
    list_filter = ["status", "channel", "kind", "region"]
    list_select_related = ["recipient"]
    search_fields = ["dedupe_key", "recipient__username", "uid"]
    raw_id_fields = ["recipient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False


@admin.register(Preference)
class PreferenceAdmin(AuditedAdmin[Preference]):
    list_display = ["user", "channels", "quiet_from", "quiet_until", "updated_at"]
    raw_id_fields = ["user"]
    search_fields = ["user__username"]
