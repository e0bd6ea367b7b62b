"""Reads of NGOs: public registry facts, visible to anyone."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ryadom.core.errors import NotFoundError
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Agreement, Organisation


def organisation_list(
    *, region_code: str | None = None, service_code: str | None = None
) -> QuerySet[Organisation]:
    """Active NGOs, optionally those serving a region or offering a service."""
    qs = Organisation.objects.filter(is_active=True).select_related("home_region")
    if region_code:
        qs = qs.filter(regions__code=region_code)
    if service_code:
        qs = qs.filter(service_types__code=service_code)
    return qs.order_by("name", "pk").distinct()


def organisation_get(*, organisation_id: int) -> Organisation:
    """One active NGO with its statuses, regions, services and agreements."""
    organisation = (
        organisation_list()
        .prefetch_related("statuses", "regions", "service_types", "agreements__institution")
        .filter(pk=organisation_id)
        .first()
    )
    if organisation is None:
        raise NotFoundError("Not found.")
    return organisation


def agreements_in_force() -> QuerySet[Agreement]:
    """Agreements valid today, with their NGO (to prefetch onto institutions)."""
    return Agreement.objects.valid_on(timezone.localdate()).select_related("organisation")


def institution_directory(*, institution_id: int) -> Institution:
    """One institution with its wards, hours and the NGOs that have a valid agreement."""
    institution = (
        Institution.objects.filter(pk=institution_id, is_active=True)
        .select_related("region", "agency", "settlement")
        .prefetch_related(
            "visiting_hours", "departments", Prefetch("agreements", queryset=agreements_in_force())
        )
        .first()
    )
    if institution is None:
        raise NotFoundError("Not found.")
    return institution
