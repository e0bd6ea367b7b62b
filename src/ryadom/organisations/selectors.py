"""Reads of NGOs: public registry facts, visible to anyone."""

from __future__ import annotations

from django.db.models import QuerySet

from ryadom.core.errors import NotFoundError
from ryadom.organisations.models import Organisation


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
