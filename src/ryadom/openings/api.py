"""Openings over JSON: list and post, apply, and the poster's accept or decline."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.
import datetime
from typing import Annotated, Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import User
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.core.api_types import Day, Id, LocalTime, Text
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.geo.models import Region
from ryadom.institutions.models import Department, Institution
from ryadom.openings import selectors, services
from ryadom.openings.models import (
    MAX_DESCRIPTION_LENGTH,
    Application,
    ApplicationStatus,
    Opening,
    Recurrence,
)

router = Router(tags=["openings"], auth=AUTH)
LIST_MAX = 200


class OpeningIn(Schema):
    title: Text = Field(max_length=200)
    institution: Id
    department: Id | None = None
    service: Text | None = Field(None, max_length=40)
    skills: list[Annotated[Text, Field(max_length=40)]] = Field(default_factory=list, max_length=20)
    recurrence: Recurrence = Recurrence.ONCE
    starts_on: Day
    ends_on: Day | None = None
    start_time: LocalTime
    end_time: LocalTime
    needed: int = Field(1, ge=1, le=100)
    description: Text = Field("", max_length=MAX_DESCRIPTION_LENGTH)


class OpeningOut(Schema):
    id: int
    title: str
    description: str
    region: str
    institution_id: int
    institution_name: str
    department: str | None
    organisation_name: str | None
    service: str | None
    skills: list[str]
    recurrence: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    start_time: LocalTime
    end_time: LocalTime
    timezone: str
    needed: int
    accepted: int
    status: str

    @staticmethod
    def resolve_region(obj: Opening) -> str:
        return obj.region.code

    @staticmethod
    def resolve_institution_name(obj: Opening) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_department(obj: Opening) -> str | None:
        return obj.department.name if obj.department else None

    @staticmethod
    def resolve_organisation_name(obj: Opening) -> str | None:
        return obj.organisation.name if obj.organisation else None

    @staticmethod
    def resolve_service(obj: Opening) -> str | None:
        return obj.service_type.code if obj.service_type else None

    @staticmethod
    def resolve_skills(obj: Opening) -> list[str]:
        return [s.code for s in obj.required_skills.all()]

    @staticmethod
    def resolve_timezone(obj: Opening) -> str:
        return obj.region.timezone

    @staticmethod
    def resolve_accepted(obj: Opening) -> int:
        return int(getattr(obj, "accepted_count", 0))


class ListFilters(Schema):
    region: Text | None = Field(None, max_length=10)
    institution: Id | None = None
    managed: bool = False
    limit: int = Field(50, ge=1, le=LIST_MAX)


class ApplyIn(Schema):
    message: Text = Field("", max_length=1000)


class DecideIn(Schema):
    reason: Text = Field("", max_length=500)


class ApplicationOut(Schema):
    id: int
    opening_id: int
    status: str
    status_label: str
    volunteer_name: str
    message: str
    reason: str
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_status_label(obj: Application) -> str:
        return str(ApplicationStatus(obj.status).label)

    @staticmethod
    def resolve_volunteer_name(obj: Application) -> str:
        user = obj.volunteer.user
        return user.get_full_name() or user.username


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the auth classes guarantee a signed-in user


def _unknown(field: str, value: object) -> ApplicationError:
    return ApplicationError(
        gettext("Unknown %(field)s: %(id)s.") % {"field": field, "id": value}, field=field
    )


@router.get("/openings", response=list[OpeningOut], summary="Openings for volunteers")
def list_openings(request: HttpRequest, filters: Query[ListFilters]) -> list[Opening]:
    region_id = None
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise _unknown("region", filters.region)
        region_id = region.pk
    qs = selectors.opening_list(
        actor=request.user,
        region_id=region_id,
        institution_id=filters.institution,
        managed=filters.managed,
    )
    return list(qs[: filters.limit])


def _references(payload: OpeningIn) -> dict[str, Any]:
    """The objects the payload names by id or code; an unknown one is refused on its field."""
    institution = Institution.objects.filter(pk=payload.institution, is_active=True).first()
    if institution is None:
        raise _unknown("institution", payload.institution)
    department = None
    if payload.department is not None:
        department = Department.objects.filter(pk=payload.department).first()
        if department is None:
            raise _unknown("department", payload.department)
    service = None
    if payload.service:
        service = ServiceType.objects.filter(code=payload.service).first()
        if service is None:
            raise _unknown("service", payload.service)
    skills = list(Skill.objects.filter(code__in=payload.skills))
    if len(skills) != len(set(payload.skills)):
        known = {s.code for s in skills}
        raise _unknown("skills", ", ".join(c for c in payload.skills if c not in known))
    return {
        "institution": institution,
        "department": department,
        "service_type": service,
        "required_skills": skills,
    }


@router.post("/openings", response={201: OpeningOut}, summary="Post an opening")
def create_opening(request: HttpRequest, payload: OpeningIn) -> Status[Opening]:
    opening = services.opening_create(
        actor=_user(request),
        title=payload.title,
        recurrence=payload.recurrence,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        start_time=payload.start_time,
        end_time=payload.end_time,
        needed=payload.needed,
        description=payload.description,
        **_references(payload),
    )
    return Status(201, selectors.opening_get(actor=request.user, opening_id=opening.pk))


@router.get("/openings/{opening_id}", response=OpeningOut, summary="One opening")
def get_opening(request: HttpRequest, opening_id: int) -> Opening:
    return selectors.opening_get(actor=request.user, opening_id=opening_id)


@router.post("/openings/{opening_id}/close", response=OpeningOut, summary="Close an opening")
def close_opening(request: HttpRequest, opening_id: int) -> Opening:
    opening = selectors.opening_get_to_manage(actor=request.user, opening_id=opening_id)
    services.opening_close(actor=_user(request), opening=opening)
    return selectors.opening_get_to_manage(actor=request.user, opening_id=opening_id)


@router.post(
    "/openings/{opening_id}/applications",
    response={201: ApplicationOut},
    summary="Apply to an opening",
)
def apply(
    request: HttpRequest, opening_id: int, payload: ApplyIn | None = None
) -> Status[Application]:
    opening = selectors.opening_get(actor=request.user, opening_id=opening_id)
    application = services.application_create(
        actor=_user(request), opening=opening, message=payload.message if payload else ""
    )
    return Status(201, application)


@router.get(
    "/openings/{opening_id}/applications",
    response=list[ApplicationOut],
    summary="Applications to an opening I manage",
)
def list_applications(request: HttpRequest, opening_id: int) -> list[Application]:
    opening = selectors.opening_get_to_manage(actor=request.user, opening_id=opening_id)
    return selectors.applications_of(actor=request.user, opening=opening)


def _application(request: HttpRequest, opening_id: int, application_id: int) -> Application:
    application = selectors.application_get_to_decide(
        actor=request.user, application_id=application_id
    )
    if application.opening_id != opening_id:
        raise NotFoundError("Not found.")
    return application


@router.post(
    "/openings/{opening_id}/applications/{application_id}/accept",
    response=ApplicationOut,
    summary="Accept an application",
)
def accept(request: HttpRequest, opening_id: int, application_id: int) -> Application:
    application = _application(request, opening_id, application_id)
    return services.application_accept(actor=_user(request), application=application)


@router.post(
    "/openings/{opening_id}/applications/{application_id}/decline",
    response=ApplicationOut,
    summary="Decline an application",
)
def decline(
    request: HttpRequest, opening_id: int, application_id: int, payload: DecideIn | None = None
) -> Application:
    application = _application(request, opening_id, application_id)
    return services.application_decline(
        actor=_user(request), application=application, reason=payload.reason if payload else ""
    )
