"""Reads for the public directory: "who to contact, where". Public facts only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from ryadom.accounts.models import Role, RoleAssignment, ScopeKind, User
from ryadom.core.errors import NotFoundError
from ryadom.geo.distance import haversine_km
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution, InstitutionKind
from ryadom.organisations.models import Organisation
from ryadom.organisations.selectors import agreements_in_force


def region_directory_list(*, with_institutions_only: bool = False) -> QuerySet[Region]:
    """Every region with how many institutions, military hospitals and NGOs it has."""
    regions = Region.objects.annotate(
        institution_count=Count(
            "institutions", filter=Q(institutions__is_active=True), distinct=True
        ),
        military_count=Count(
            "institutions",
            filter=Q(
                institutions__is_active=True, institutions__kind=InstitutionKind.MILITARY_HOSPITAL
            ),
            distinct=True,
        ),
        organisation_count=Count(
            "organisations", filter=Q(organisations__is_active=True), distinct=True
        ),
    ).order_by("code")
    return regions.filter(institution_count__gt=0) if with_institutions_only else regions


@dataclass(frozen=True)
class RegionDirectory:
    region: Region
    coordinators: list[User]
    organisations: list[Organisation]
    institutions: list[Institution]


def region_directory(*, code: str) -> RegionDirectory:
    """A region's coordinators, NGOs and institutions, in a fixed handful of queries."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFoundError("Not found.")
    coordinator_ids = RoleAssignment.objects.filter(
        role=Role.REGIONAL_COORDINATOR, scope_kind=ScopeKind.REGION, scope_id=region.pk
    ).values("user_id")
    coordinators = list(
        User.objects.filter(pk__in=coordinator_ids, is_active=True).order_by("last_name", "pk")
    )
    organisations = list(
        Organisation.objects.filter(regions=region, is_active=True)
        .prefetch_related("service_types")
        .order_by("name", "pk")
    )
    institutions = list(
        Institution.objects.filter(region=region, is_active=True)
        .select_related("agency", "settlement")
        .prefetch_related("visiting_hours", Prefetch("agreements", queryset=agreements_in_force()))
        .order_by("kind", "name", "pk")
    )
    return RegionDirectory(region, coordinators, organisations, institutions)


@dataclass(frozen=True)
class Nearby:
    institution: Institution
    km: float


def institutions_near(
    *, lat: float, lon: float, kind: str | None = None, limit: int = 20
) -> list[Nearby]:
    """The nearest active institutions to a point, nearest first.

    There are about a thousand institutions in the country: a scan of their coordinates is
    cheaper than keeping a spatial index in the database for them.
    """
    qs = Institution.objects.filter(is_active=True, lat__isnull=False, lon__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    points = [(pk, la, lo) for pk, la, lo in qs.values_list("pk", "lat", "lon") if la and lo]
    nearest = sorted((haversine_km(lat, lon, la, lo), pk) for pk, la, lo in points)[:limit]
    by_id = Institution.objects.select_related("region", "agency", "settlement").in_bulk(
        [pk for _km, pk in nearest]
    )
    return [Nearby(by_id[pk], round(km, 1)) for km, pk in nearest]
