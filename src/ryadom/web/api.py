"""The public directory as JSON: who to contact in a region, and the steps to start
volunteering in an institution. Public facts only, readable without signing in."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from ryadom.core.api_types import LocalTime, Text
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Organisation
from ryadom.organisations.selectors import institution_directory
from ryadom.volunteers.eligibility import steps_to_start
from ryadom.web import selectors

router = Router(tags=["directory"])


class ContactOut(Schema):
    name: str
    role: str
    phone: str
    email: str


class OrganisationBriefOut(Schema):
    id: int
    name: str
    phone: str
    email: str
    website: str
    service_types: list[str]

    @staticmethod
    def resolve_service_types(obj: Organisation) -> list[str]:
        return [s.code for s in obj.service_types.all()]


class HoursOut(Schema):
    weekday: int
    starts: LocalTime
    ends: LocalTime


class AgreedOrganisationOut(Schema):
    id: int
    name: str
    valid_to: datetime.date | None


class InstitutionBriefOut(Schema):
    id: int
    name: str
    kind: str
    agency: str
    address: str
    lat: float | None
    lon: float | None
    access_level: str
    visiting_hours: list[HoursOut]
    organisations: list[AgreedOrganisationOut]

    @staticmethod
    def resolve_agency(obj: Institution) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_visiting_hours(obj: Institution) -> list[HoursOut]:
        return [
            HoursOut(weekday=h.weekday, starts=h.starts, ends=h.ends)
            for h in obj.visiting_hours.all()
        ]

    @staticmethod
    def resolve_organisations(obj: Institution) -> list[AgreedOrganisationOut]:
        return [
            AgreedOrganisationOut(
                id=a.organisation_id, name=a.organisation.name, valid_to=a.valid_to
            )
            for a in obj.agreements.all()
        ]


class RegionDirectoryOut(Schema):
    code: str
    name_ru: str
    name_en: str
    timezone: str
    coordinators: list[ContactOut]
    organisations: list[OrganisationBriefOut]
    institutions: list[InstitutionBriefOut]

    @staticmethod
    def resolve_code(obj: selectors.RegionDirectory) -> str:
        return obj.region.code

    @staticmethod
    def resolve_name_ru(obj: selectors.RegionDirectory) -> str:
        return obj.region.name_ru

    @staticmethod
    def resolve_name_en(obj: selectors.RegionDirectory) -> str:
        return obj.region.name_en

    @staticmethod
    def resolve_timezone(obj: selectors.RegionDirectory) -> str:
        return obj.region.timezone

    @staticmethod
    def resolve_coordinators(obj: selectors.RegionDirectory) -> list[ContactOut]:
        return [
            ContactOut(
                name=u.display_name, role="regional_coordinator", phone=u.phone, email=u.email
            )
            for u in obj.coordinators
        ]


class StepOut(Schema):
    code: str
    description: str


class AccessStepsOut(Schema):
    institution_id: int
    access_level: str
    steps: list[StepOut]
    organisations: list[AgreedOrganisationOut]
    contact_name: str
    contact_phone: str


@router.get(
    "/directory/regions/{code}",
    response=RegionDirectoryOut,
    summary="Who to contact in a region: coordinators, NGOs, institutions and their access",
)
def region_directory(request: HttpRequest, code: Text) -> selectors.RegionDirectory:
    return selectors.region_directory(code=code)


@router.get(
    "/institutions/{institution_id}/access-steps",
    response=AccessStepsOut,
    summary="The steps, in order, to start volunteering in an institution",
)
def access_steps(request: HttpRequest, institution_id: int) -> AccessStepsOut:
    institution = institution_directory(institution_id=institution_id)
    return AccessStepsOut(
        institution_id=institution.pk,
        access_level=institution.access_level,
        steps=[
            StepOut(code=s.code, description=str(s.message))
            for s in steps_to_start(institution.access_level)
        ],
        organisations=InstitutionBriefOut.resolve_organisations(institution),
        contact_name=institution.contact_name,
        contact_phone=institution.contact_phone,
    )
