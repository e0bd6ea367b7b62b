"""Veterans, as far as the caller's scope allows. Never diagnoses or military details."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from ryadom.core.api_auth import AUTH
from ryadom.veterans.models import Veteran
from ryadom.veterans.selectors import veteran_get_for_user, veteran_list

router = Router(tags=["veterans"], auth=AUTH)


class VeteranOut(Schema):
    id: int
    addressed_as: str
    home_region_code: str
    contact_route: str

    @staticmethod
    def resolve_home_region_code(obj: Veteran) -> str:
        return obj.home_region.code


class StayOut(Schema):
    institution_id: int
    institution_name: str
    department: str | None
    admitted_on: datetime.date
    discharged_on: datetime.date | None


class VeteranDetailOut(VeteranOut):
    what_matters: str
    communication_needs: str
    mobility_needs: str
    preferred_helper_gender: str
    stays: list[StayOut]

    @staticmethod
    def resolve_stays(obj: Veteran) -> list[StayOut]:
        return [
            StayOut(
                institution_id=s.institution_id,
                institution_name=s.institution.name,
                department=s.department.name if s.department else None,
                admitted_on=s.admitted_on,
                discharged_on=s.discharged_on,
            )
            for s in obj.stays.all()
        ]


@router.get("/veterans", response=list[VeteranOut], summary="Veterans in my scope")
@paginate(LimitOffsetPagination)
def veteran_list_view(request: HttpRequest) -> QuerySet[Veteran]:
    return veteran_list(actor=request.user)


@router.get("/veterans/{veteran_id}", response=VeteranDetailOut, summary="One veteran")
def veteran_detail(request: HttpRequest, veteran_id: int) -> Veteran:
    return veteran_get_for_user(actor=request.user, veteran_id=veteran_id)
