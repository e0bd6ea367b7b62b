"""Reads for the HSDS export: the public directory only (registries, never people).

Every row read here is what the public directory pages already show: active NGOs and the
services of the catalogue they offer, active institutions with their visiting hours and
published contact, and the agreements in force between them. Nothing of volunteers,
veterans or requests is read, so nothing of them can be exported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ryadom.catalogue.models import ServiceType
from ryadom.institutions.models import Institution
from ryadom.interop.ids import hsds_id
from ryadom.organisations.models import Agreement, Organisation

# An NGO offering one service type of the catalogue: an HSDS service.
Offer = Organisation.service_types.through


@dataclass
class Directory:
    """The public rows an export needs, loaded in a fixed number of queries."""

    organisations: dict[int, Organisation] = field(default_factory=dict)
    institutions: dict[int, Institution] = field(default_factory=dict)
    service_types: dict[int, ServiceType] = field(default_factory=dict)
    # NGO id → institution ids where an agreement is in force today.
    agreed: dict[int, list[int]] = field(default_factory=dict)

    def offers(self, organisation: Organisation) -> list[ServiceType]:
        """The active service types an NGO offers, in the catalogue's order."""
        return [st for st in organisation.service_types.all() if st.pk in self.service_types]

    def places(self, organisation_id: int) -> list[Institution]:
        """The active institutions where the NGO works under an agreement in force."""
        return [
            self.institutions[pk]
            for pk in self.agreed.get(organisation_id, [])
            if pk in self.institutions
        ]


def public_service_types() -> QuerySet[ServiceType]:
    """The service types on offer, in the catalogue's order."""
    return ServiceType.objects.filter(is_active=True).order_by("category", "code")


def public_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True)


def public_institutions() -> QuerySet[Institution]:
    return Institution.objects.filter(is_active=True)


def _agreements_in_force() -> QuerySet[Agreement]:
    return Agreement.objects.valid_on(timezone.localdate()).filter(
        organisation__is_active=True, institution__is_active=True
    )


def public_offers() -> QuerySet[Any]:
    """(NGO, service type) pairs of active NGOs and active types, as HSDS services."""
    return Offer.objects.filter(organisation__is_active=True, servicetype__is_active=True)


def directory_load(
    *,
    organisation_ids: Iterable[int] | None = None,
    institution_ids: Iterable[int] | None = None,
    with_places: bool = True,
) -> Directory:
    """The NGOs and institutions asked for (None: every public one), in seven queries at most.

    With `with_places`, the agreements in force of those NGOs come too, and the institutions
    they name join the ones asked for, so services can say where they are delivered.
    """
    directory = Directory(service_types={st.pk: st for st in public_service_types()})
    orgs = (
        public_organisations()
        .select_related("home_region")
        .prefetch_related("regions", Prefetch("service_types", queryset=public_service_types()))
    )
    if organisation_ids is not None:
        orgs = orgs.filter(pk__in=sorted(organisation_ids))
    directory.organisations = {o.pk: o for o in orgs.order_by("name", "pk")}

    wanted = None if institution_ids is None else set(institution_ids)
    if with_places and directory.organisations:
        agreements = _agreements_in_force()
        if organisation_ids is not None:
            agreements = agreements.filter(organisation_id__in=sorted(directory.organisations))
        for org_id, inst_id in sorted(
            set(agreements.values_list("organisation_id", "institution_id"))
        ):
            directory.agreed.setdefault(org_id, []).append(inst_id)
            if wanted is not None:
                wanted.add(inst_id)
    insts = (
        public_institutions()
        .select_related("region", "settlement", "agency")
        .prefetch_related("visiting_hours")
    )
    if wanted is not None:
        insts = insts.filter(pk__in=sorted(wanted))
    directory.institutions = {i.pk: i for i in insts.order_by("region__code", "name", "pk")}
    return directory


# --- Finding rows by their HSDS id -------------------------------------------------------
# HSDS ids are UUIDs derived one way from our keys; a lookup derives the ids of the public
# rows (a few thousand at national scale, microseconds each) and picks the one asked for.


def organisation_by_hsds_id(hsds: str) -> int | None:
    for pk in public_organisations().values_list("pk", flat=True):
        if hsds_id("organisation", pk) == hsds:
            return int(pk)
    return None


def institution_by_hsds_id(hsds: str) -> int | None:
    for pk in public_institutions().values_list("pk", flat=True):
        if hsds_id("institution", pk) == hsds:
            return int(pk)
    return None


def offer_by_hsds_id(hsds: str) -> tuple[int, int] | None:
    """(NGO id, service type id) of a service id."""
    for org_id, st_id in public_offers().values_list("organisation_id", "servicetype_id"):
        if hsds_id("service", org_id, st_id) == hsds:
            return int(org_id), int(st_id)
    return None


def service_at_location_rows(service_type_ids: list[int] | None = None) -> QuerySet[Any]:
    """(NGO, service type, institution) triples: an NGO's service where it has an agreement.

    The service type conditions go into one `filter()` so that they and the selected type
    use the same join (a second call would join the NGO's service types again).
    """
    types = Q(organisation__service_types__is_active=True)
    if service_type_ids is not None:
        types &= Q(organisation__service_types__in=service_type_ids)
    return (
        _agreements_in_force()
        .filter(types)
        .values_list("organisation_id", "organisation__service_types", "institution_id")
        .order_by(
            "institution__region__code",
            "institution__name",
            "institution_id",
            "organisation__name",
            "organisation_id",
            "organisation__service_types__code",
        )
        .distinct()
    )


def service_at_location_by_hsds_id(hsds: str) -> tuple[int, int, int] | None:
    for org_id, st_id, inst_id in service_at_location_rows():
        if hsds_id("service_at_location", org_id, st_id, inst_id) == hsds:
            return int(org_id), int(st_id), int(inst_id)
    return None
