"""Volunteers, as far as the caller's scope allows."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from ryadom.core.api_auth import AUTH
from ryadom.volunteers.models import Volunteer
from ryadom.volunteers.selectors import volunteer_get_for_user, volunteer_list

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
@paginate(LimitOffsetPagination)
def volunteer_list_view(request: HttpRequest, region_id: int | None = None) -> QuerySet[Volunteer]:
    return volunteer_list(actor=request.user, region_id=region_id)


@router.get("/volunteers/{volunteer_id}", response=VolunteerDetailOut, summary="One volunteer")
def volunteer_detail(request: HttpRequest, volunteer_id: int) -> Volunteer:
    return volunteer_get_for_user(actor=request.user, volunteer_id=volunteer_id)
