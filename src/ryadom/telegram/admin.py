from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.telegram.models import TelegramLink


@admin.register(TelegramLink)
class TelegramLinkAdmin(AuditedAdmin[TelegramLink]):
    list_display = ["user", "chat_id", "linked_at"]
    raw_id_fields = ["user"]
    search_fields = ["user__username", "chat_id"]
    readonly_fields = ["draft", "step"]
