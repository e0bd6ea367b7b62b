from __future__ import annotations

from django.contrib import admin

from ryadom.audit.backoffice import AuditedAdmin
from ryadom.volunteers.models import Availability, Check, Membership, Volunteer


class AvailabilityInline(admin.TabularInline[Availability, Volunteer]):
    model = Availability
    extra = 0


class MembershipInline(admin.TabularInline[Membership, Volunteer]):
    model = Membership
    extra = 0
    raw_id_fields = ["organisation"]


class CheckInline(admin.TabularInline[Check, Volunteer]):
    model = Check
    extra = 0
    raw_id_fields = ["verified_by"]


@admin.register(Volunteer)
class VolunteerAdmin(AuditedAdmin[Volunteer]):
    list_display = ["__str__", "region", "settlement", "travel_radius_km", "weekly_task_cap"]
    list_filter = ["region__federal_district", "is_veteran", "is_veteran_relative"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    list_select_related = ["user", "region", "settlement"]
    raw_id_fields = ["user", "settlement"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["skills", "interests"]
    inlines = [AvailabilityInline, MembershipInline, CheckInline]
