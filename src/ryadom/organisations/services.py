"""Writes on NGOs: registration and agreements."""

from __future__ import annotations

import datetime

from django.db import transaction

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.catalogue.models import ServiceType
from ryadom.core.validation import full_clean_or_raise
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Agreement, Organisation


@transaction.atomic
def organisation_register(
    *,
    actor: User | None,
    name: str,
    inn: str,
    ogrn: str,
    kind: str,
    home_region: Region,
    regions: list[Region],
    service_types: list[ServiceType] | None = None,
    weekly_capacity: int = 0,
) -> Organisation:
    """Register an NGO; INN and OGRN must carry valid check digits."""
    organisation = Organisation(
        name=name.strip(),
        inn=inn.strip(),
        ogrn=ogrn.strip(),
        kind=kind,
        home_region=home_region,
        weekly_capacity=weekly_capacity,
    )
    full_clean_or_raise(organisation)
    organisation.save()
    organisation.regions.set(regions or [home_region])
    organisation.service_types.set(service_types or [])
    audit_record(
        actor=actor,
        action="organisation.registered",
        target=organisation,
        region_id=home_region.pk,
        changes={"name": organisation.name, "inn": organisation.inn},
    )
    return organisation


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    organisation: Organisation,
    institution: Institution,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    number: str = "",
) -> Agreement:
    """Record an agreement under which the NGO's volunteers may work in the institution."""
    agreement = Agreement(
        organisation=organisation,
        institution=institution,
        valid_from=valid_from,
        valid_to=valid_to,
        number=number,
    )
    full_clean_or_raise(agreement)
    agreement.save()
    audit_record(
        actor=actor,
        action="agreement.created",
        target=agreement,
        region_id=institution.region_id,
        changes={"organisation": organisation.pk, "institution": institution.pk},
    )
    return agreement
