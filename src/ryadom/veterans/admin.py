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


class ViewOnlyInline(admin.TabularInline[Any, Veteran]):
    """Shown, never written here: stays change only through admission, transfer and discharge
    (so open requests follow the veteran), relatives through their ask and the veteran's
    answer, consent through giving and withdrawing it (so a withdrawal cancels what nobody
    accepted). Each has its page and API operation; the back office only looks."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StayInline(ViewOnlyInline):
    model = Stay
    fk_name = "veteran"
    fields = readonly_fields = STAY_FIELDS


class ProxyInline(ViewOnlyInline):
    model = Proxy
    fields = readonly_fields = ("user", "relation", "may_act", "status", "decided_at")


class ConsentInline(ViewOnlyInline):
    model = Consent
    fields = readonly_fields = (
        "purpose", "method", "given_by", "recorded_by", "given_at", "witnessed_by", "withdrawn_at",
    )  # fmt: skip


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
    """View only, as the inline: see ViewOnlyInline."""

    list_display = ["veteran", "institution", "department", "admitted_on", "discharged_on"]
    fields = readonly_fields = ("veteran", *STAY_FIELDS)
    list_select_related = ["veteran", "institution", "department"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Stay | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Stay | None = None) -> bool:
        return False
