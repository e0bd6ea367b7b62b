"""Reads of institutions. Their public facts are the public directory: anyone may list them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ryadom.core.errors import NotFoundError
from ryadom.institutions.models import Institution, VisitingHours


def institution_list(
    *,
    region_code: str | None = None,
    kind: str | None = None,
    agency_code: str | None = None,
    access_level: str | None = None,
) -> QuerySet[Institution]:
    """Active institutions, filtered as asked."""
    qs = Institution.objects.filter(is_active=True).select_related("region", "agency", "settlement")
    if region_code:
        qs = qs.filter(region__code=region_code)
    if kind:
        qs = qs.filter(kind=kind)
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    if access_level:
        qs = qs.filter(access_level=access_level)
    return qs.order_by("region__code", "name", "pk")


def institution_get(*, institution_id: int) -> Institution:
    """One active institution with its departments and visiting hours."""
    institution = (
        institution_list()
        .prefetch_related(
            "departments", Prefetch("visiting_hours", queryset=VisitingHours.objects.all())
        )
        .filter(pk=institution_id)
        .first()
    )
    if institution is None:
        raise NotFoundError("Not found.")
    return institution
