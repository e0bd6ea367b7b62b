"""Volunteers, as far as the caller's scope allows."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from ryadom.accounts.api_auth import AUTH
from ryadom.core.api_types import Id, Paging
from ryadom.core.errors import PermissionDeniedError
from ryadom.organisations.selectors import institution_directory
from ryadom.volunteers.models import Volunteer
from ryadom.volunteers.selectors import (
    ChecklistItem,
    checklist_for,
    volunteer_get_for_user,
    volunteer_list,
    volunteer_of,
)

router = Router(tags=["volunteers"], auth=AUTH)


class VolunteerOut(Schema):
    id: int
    first_name: str
    last_name: str
    region_code: str
    settlement: str | None
    travel_radius_km: int
    weekly_task_cap: int

    @staticmethod
    def resolve_first_name(obj: Volunteer) -> str:
        return obj.user.first_name

    @staticmethod
    def resolve_last_name(obj: Volunteer) -> str:
        return obj.user.last_name

    @staticmethod
    def resolve_region_code(obj: Volunteer) -> str:
        return obj.region.code

    @staticmethod
    def resolve_settlement(obj: Volunteer) -> str | None:
        return obj.settlement.name_ru if obj.settlement else None


class VolunteerDetailOut(VolunteerOut):
    skills: list[str]
    interests: list[str]
    languages: list[str]
    is_veteran: bool
    is_veteran_relative: bool
    organisations: list[int]

    @staticmethod
    def resolve_skills(obj: Volunteer) -> list[str]:
        return [s.code for s in obj.skills.all()]

    @staticmethod
    def resolve_interests(obj: Volunteer) -> list[str]:
        return [s.code for s in obj.interests.all()]

    @staticmethod
    def resolve_organisations(obj: Volunteer) -> list[int]:
        return [m.organisation_id for m in obj.memberships.all()]


@router.get("/volunteers", response=list[VolunteerOut], summary="Volunteers in my scope")
@paginate(Paging)
def volunteer_list_view(request: HttpRequest, region_id: Id | None = None) -> QuerySet[Volunteer]:
    return volunteer_list(actor=request.user, region_id=region_id)


@router.get("/volunteers/{volunteer_id}", response=VolunteerDetailOut, summary="One volunteer")
def volunteer_detail(request: HttpRequest, volunteer_id: int) -> Volunteer:
    return volunteer_get_for_user(actor=request.user, volunteer_id=volunteer_id)


class StepStateOut(Schema):
    code: str
    description: str
    done: bool
    missing: str
    status: str | None
    valid_until: datetime.date | None


class EligibilityOut(Schema):
    institution_id: int
    on: datetime.date
    eligible: bool
    missing: list[str]
    steps: list[StepStateOut]


def _step_out(item: ChecklistItem) -> StepStateOut:
    return StepStateOut(
        code=item.code,
        description=str(item.help),
        done=item.done,
        missing=str(item.problem),
        status=item.check.status if item.check else None,
        valid_until=item.check.valid_until if item.check else None,
    )


@router.get(
    "/volunteers/me/eligibility",
    response=EligibilityOut,
    summary="May I work in this institution now, and if not, what is missing",
    openapi_extra={"responses": {404: {"description": "No such institution."}}},
)
def my_eligibility(request: HttpRequest, institution: Id) -> EligibilityOut:
    volunteer = volunteer_of(actor=request.user)
    if volunteer is None:
        raise PermissionDeniedError(_("Only volunteers have a checklist: sign up at /join/ first."))
    place = institution_directory(institution_id=institution)
    checklist = checklist_for(volunteer=volunteer, institution=place)
    return EligibilityOut(
        institution_id=institution,
        on=checklist.on,
        eligible=checklist.ready,
        missing=[item.code for item in checklist.items if not item.done],
        steps=[_step_out(item) for item in checklist.items],
    )
