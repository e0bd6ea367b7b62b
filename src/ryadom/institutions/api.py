"""Institutions: their public facts (kind, agency, access rules, hours, wards)."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from ryadom.core.api_types import LocalTime, Paging, Text
from ryadom.institutions.models import AccessLevel, Institution, InstitutionKind
from ryadom.institutions.selectors import institution_get, institution_list

router = Router(tags=["institutions"])


class InstitutionOut(Schema):
    id: int
    name: str
    kind: str
    agency: str
    region_code: str
    address: str
    lat: float | None
    lon: float | None
    access_level: str

    @staticmethod
    def resolve_agency(obj: Institution) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_region_code(obj: Institution) -> str:
        return obj.region.code


class DepartmentOut(Schema):
    id: int
    name: str


class VisitingHoursOut(Schema):
    weekday: int
    starts: LocalTime
    ends: LocalTime


class InstitutionDetailOut(InstitutionOut):
    timezone: str
    volunteer_rules: str
    contact_name: str
    departments: list[DepartmentOut]
    visiting_hours: list[VisitingHoursOut]

    @staticmethod
    def resolve_timezone(obj: Institution) -> str:
        return obj.region.timezone

    @staticmethod
    def resolve_departments(obj: Institution) -> list[DepartmentOut]:
        return [DepartmentOut(id=d.pk, name=d.name) for d in obj.departments.all()]

    @staticmethod
    def resolve_visiting_hours(obj: Institution) -> list[VisitingHoursOut]:
        return [
            VisitingHoursOut(weekday=h.weekday, starts=h.starts, ends=h.ends)
            for h in obj.visiting_hours.all()
        ]


@router.get("/institutions", response=list[InstitutionOut], summary="Institutions")
@paginate(Paging)
def institution_list_view(
    request: HttpRequest,
    region: Text | None = None,
    kind: InstitutionKind | None = None,
    agency: Text | None = None,
    access_level: AccessLevel | None = None,
) -> QuerySet[Institution]:
    return institution_list(
        region_code=region, kind=kind, agency_code=agency, access_level=access_level
    )


@router.get(
    "/institutions/{institution_id}",
    response=InstitutionDetailOut,
    summary="One institution with its wards and visiting hours",
)
def institution_detail(request: HttpRequest, institution_id: int) -> Institution:
    return institution_get(institution_id=institution_id)
