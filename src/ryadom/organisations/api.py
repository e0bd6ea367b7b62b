"""NGOs: public registry facts and their statuses."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from ryadom.core.api_types import Paging, Text
from ryadom.organisations.models import Organisation
from ryadom.organisations.selectors import organisation_get, organisation_list

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    name: str
    inn: str
    ogrn: str
    kind: str
    home_region_code: str
    weekly_capacity: int

    @staticmethod
    def resolve_home_region_code(obj: Organisation) -> str:
        return obj.home_region.code


class StatusOut(Schema):
    kind: str
    valid_from: datetime.date
    valid_to: datetime.date | None


class AgreementOut(Schema):
    institution_id: int
    institution_name: str
    valid_from: datetime.date
    valid_to: datetime.date | None


class OrganisationDetailOut(OrganisationOut):
    regions: list[str]
    service_types: list[str]
    statuses: list[StatusOut]
    agreements: list[AgreementOut]

    @staticmethod
    def resolve_regions(obj: Organisation) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_service_types(obj: Organisation) -> list[str]:
        return [s.code for s in obj.service_types.all()]

    @staticmethod
    def resolve_statuses(obj: Organisation) -> list[StatusOut]:
        return [
            StatusOut(kind=s.kind, valid_from=s.valid_from, valid_to=s.valid_to)
            for s in obj.statuses.all()
        ]

    @staticmethod
    def resolve_agreements(obj: Organisation) -> list[AgreementOut]:
        return [
            AgreementOut(
                institution_id=a.institution_id,
                institution_name=a.institution.name,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
            )
            for a in obj.agreements.all()
        ]


@router.get("/organisations", response=list[OrganisationOut], summary="NGOs")
@paginate(Paging)
def organisation_list_view(
    request: HttpRequest, region: Text | None = None, service: Text | None = None
) -> QuerySet[Organisation]:
    return organisation_list(region_code=region, service_code=service)


@router.get(
    "/organisations/{organisation_id}",
    response=OrganisationDetailOut,
    summary="One NGO with statuses and agreements",
)
def organisation_detail(request: HttpRequest, organisation_id: int) -> Organisation:
    return organisation_get(organisation_id=organisation_id)
