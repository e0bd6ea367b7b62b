from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.referrals.models import PartnerService


@admin.register(PartnerService)
class PartnerServiceAdmin(AuditedAdmin[PartnerService]):
    list_display = ["name", "kind", "region", "contact_person", "phone", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "inn", "contact_person"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    raw_id_fields = ["settlement"]
    filter_horizontal = ["service_area"]
