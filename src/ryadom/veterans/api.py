"""Veterans, as far as the caller's scope allows. Never diagnoses or military details."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime
from typing import cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import User
from ryadom.core.api_types import Paging
from ryadom.veterans import services
from ryadom.veterans.models import Consent, ConsentPurpose, Veteran
from ryadom.veterans.selectors import (
    consent_get_for_subject,
    consent_list,
    veteran_acting_for_get,
    veteran_get_for_user,
    veteran_list,
)

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
@paginate(Paging)
def veteran_list_view(request: HttpRequest) -> QuerySet[Veteran]:
    return veteran_list(actor=request.user)


@router.get("/veterans/{veteran_id}", response=VeteranDetailOut, summary="One veteran")
def veteran_detail(request: HttpRequest, veteran_id: int) -> Veteran:
    return veteran_get_for_user(actor=request.user, veteran_id=veteran_id)


class ConsentOut(Schema):
    id: int
    veteran_id: int
    purpose: str
    given_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj: Consent) -> bool:
        return obj.withdrawn_at is None


class ConsentIn(Schema):
    purpose: ConsentPurpose


@router.get(
    "/veterans/{veteran_id}/consents",
    response=list[ConsentOut],
    summary="Consents of a veteran, newest first",
)
def consents_of_veteran(request: HttpRequest, veteran_id: int) -> QuerySet[Consent]:
    return consent_list(actor=request.user, veteran_id=veteran_id)


@router.post(
    "/veterans/{veteran_id}/consents",
    response={201: ConsentOut},
    summary="The veteran or a relative with authority gives consent for a purpose",
)
def consent_give(request: HttpRequest, veteran_id: int, payload: ConsentIn) -> Status[Consent]:
    veteran = veteran_acting_for_get(actor=request.user, veteran_id=veteran_id)
    actor = cast(User, request.user)
    return Status(201, services.consent_give(actor=actor, veteran=veteran, purpose=payload.purpose))


@router.post(
    "/consents/{consent_id}/withdraw",
    response=ConsentOut,
    summary="Withdraw a consent: requests not yet accepted are cancelled",
)
def consent_withdraw(request: HttpRequest, consent_id: int) -> Consent:
    consent = consent_get_for_subject(actor=request.user, consent_id=consent_id)
    return services.consent_withdraw(actor=cast(User, request.user), consent=consent)
