from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.veterans.models import Consent, Proxy, Stay, Veteran

STAY_FIELDS = ("institution", "department", "admitted_on", "discharged_on", "transferred_from")


class StayInline(admin.TabularInline[Stay, Veteran]):
    """Read-only: stays change only through admission, transfer and discharge (the veteran's
    page and the API), so open requests follow the veteran and care hears of it."""

    model = Stay
    fk_name = "veteran"
    extra = 0
    fields = readonly_fields = STAY_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProxyInline(admin.TabularInline[Proxy, Veteran]):
    model = Proxy
    extra = 0
    raw_id_fields = ["user"]


class ConsentInline(admin.TabularInline[Consent, Veteran]):
    model = Consent
    extra = 0
    raw_id_fields = ["given_by", "recorded_by"]


@admin.register(Veteran)
class VeteranAdmin(AuditedAdmin[Veteran]):
    list_display = ["addressed_as", "home_region", "contact_route", "created_at"]
    list_filter = ["contact_route", "home_region__federal_district"]
    search_fields = ["addressed_as"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["home_region"]
    readonly_fields = ["ward_page"]
    inlines = [StayInline, ProxyInline, ConsentInline]

    @admin.display(description=_("Stays"))
    def ward_page(self, obj: Veteran) -> SafeString:
        """Where stays are written: the admission page, or the veteran's own page."""
        if obj.pk is None:
            url, text = reverse("veterans:admission_new"), gettext("Admit on the admission page")
        else:
            url = reverse("veterans:veteran", args=[obj.pk])
            text = gettext("Transfer or discharge on the veteran's page")
        return format_html('<a href="{}">{}</a>', url, text)


@admin.register(Stay)
class StayAdmin(AuditedAdmin[Stay]):
    """View only, as the inline: see StayInline."""

    list_display = ["veteran", "institution", "department", "admitted_on", "discharged_on"]
    fields = readonly_fields = ("veteran", *STAY_FIELDS)
    list_select_related = ["veteran", "institution", "department"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Stay | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Stay | None = None) -> bool:
        return False
