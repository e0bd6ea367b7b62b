"""Discharge plans and follow-up contacts, as far as the caller's scope allows."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime
from typing import Literal, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import User
from ryadom.aftercare import contacts, selectors, services
from ryadom.aftercare.models import ContactAttempt, DischargePlan, FollowUpContact, Need
from ryadom.core.api_types import Id, Paging, Text

router = Router(tags=["aftercare"], auth=AUTH)


class PlanOut(Schema):
    id: int
    veteran_id: int
    stay_id: int
    discharged_on: datetime.date
    hospital_region_code: str
    home_region_code: str
    home_settlement_id: int | None
    needs: list[str]
    status: str
    owner_id: int | None
    owner_name: str | None
    handed_over_at: datetime.datetime | None
    first_contact_due: datetime.datetime | None
    first_contact_at: datetime.datetime | None
    escalation_level: int

    @staticmethod
    def resolve_discharged_on(obj: DischargePlan) -> datetime.date | None:
        return obj.stay.discharged_on

    @staticmethod
    def resolve_hospital_region_code(obj: DischargePlan) -> str:
        return obj.hospital_region.code

    @staticmethod
    def resolve_home_region_code(obj: DischargePlan) -> str:
        return obj.home_region.code

    @staticmethod
    def resolve_owner_name(obj: DischargePlan) -> str | None:
        return (obj.owner.get_full_name() or obj.owner.username) if obj.owner else None


class PlanDetailOut(PlanOut):
    family_name: str
    family_phone: str


class PlanIn(Schema):
    home_region_id: Id
    home_settlement_id: Id | None = None
    needs: list[Need] = []
    family_name: Text = ""
    family_phone: Text = ""
    consent_method: Literal["spoken", "witness", "later"] = "later"
    witness: Text = ""


class ContactOut(Schema):
    id: int
    plan_id: int
    days_after: int
    due_on: datetime.date
    owner_id: int
    organisation_id: int | None
    outcome: str
    failed_attempts: int
    escalation_level: int
    care_request_id: int | None


class AttemptIn(Schema):
    result: Literal["reached", "no_answer", "declined", "new_needs"]
    note: Text = ""
    service: Text | None = None
    details: Text = ""


class DelegateIn(Schema):
    organisation_id: Id | None


class AttemptOut(Schema):
    id: int
    contact: ContactOut
    at: datetime.datetime
    result: str


@router.get("/aftercare/plans", response=list[PlanOut], summary="Discharge plans in my scope")
@paginate(Paging)
def plan_list(request: HttpRequest) -> QuerySet[DischargePlan]:
    return selectors.plan_list(actor=request.user)


@router.get(
    "/aftercare/plans/{plan_id}", response=PlanDetailOut, summary="One plan, with the family"
)
def plan_detail(request: HttpRequest, plan_id: int) -> DischargePlan:
    return selectors.plan_get_for_user(actor=request.user, plan_id=plan_id)


@router.post(
    "/aftercare/discharges/{stay_id}/plan",
    response={201: PlanDetailOut},
    summary="Record the plan of a discharge; with consent it is handed over home",
    description=(
        "Liaisons of the institution, coordinators of its region, federal coordinators. "
        "`consent_method` spoken or witness records the veteran's consent to hand over "
        "(`witness` names who heard it) and hands the plan to the home region's coordinator "
        "with the fewest open hand-overs; `later` keeps it with the hospital until the "
        "veteran gives consent online (then POST /aftercare/plans/{id}/hand-over)."
    ),
)
def plan_record(request: HttpRequest, stay_id: int, payload: PlanIn) -> Status[DischargePlan]:
    actor = cast(User, request.user)
    stay = selectors.discharge_get_for_plan(actor=actor, stay_id=stay_id)
    region, settlement = selectors.home_place_get(
        region_id=payload.home_region_id, settlement_id=payload.home_settlement_id
    )
    data = payload.dict(exclude={"home_region_id", "home_settlement_id"})
    plan_input = services.PlanInput(home_region=region, home_settlement=settlement, **data)
    return Status(201, services.plan_record(actor=actor, stay=stay, data=plan_input))


@router.post(
    "/aftercare/plans/{plan_id}/hand-over",
    response=PlanDetailOut,
    summary="Hand over a plan that waited for the veteran's consent",
)
def plan_hand_over(request: HttpRequest, plan_id: int) -> DischargePlan:
    plan = selectors.plan_get_for_user(actor=request.user, plan_id=plan_id)
    return services.plan_hand_over(actor=cast(User, request.user), plan=plan)


@router.get(
    "/aftercare/contacts", response=list[ContactOut], summary="Follow-up contacts in my scope"
)
@paginate(Paging)
def contact_list(request: HttpRequest) -> QuerySet[FollowUpContact]:
    return selectors.contact_list(actor=request.user)


@router.get("/aftercare/contacts/{contact_id}", response=ContactOut, summary="One contact")
def contact_detail(request: HttpRequest, contact_id: int) -> FollowUpContact:
    return selectors.contact_get_for_user(actor=request.user, contact_id=contact_id)


@router.post(
    "/aftercare/contacts/{contact_id}/attempts",
    response={201: AttemptOut},
    summary="Record an attempt of a follow-up contact",
    description=(
        "Any answer closes the contact; the third `no_answer` closes it and tells the home "
        "region's coordinators. `new_needs` needs `service` (a service type's code) and "
        "makes a care request owned by the home coordinator."
    ),
)
def attempt_record(
    request: HttpRequest, contact_id: int, payload: AttemptIn
) -> Status[ContactAttempt]:
    actor = cast(User, request.user)
    contact = selectors.contact_get_for_user(actor=actor, contact_id=contact_id)
    service = selectors.service_type_get(code=payload.service) if payload.service else None
    data = payload.dict(exclude={"service"})
    done = contacts.contact_attempt_record(
        actor=actor, contact=contact, service_type=service, **data
    )
    return Status(201, done)


@router.post(
    "/aftercare/contacts/{contact_id}/delegate",
    response=ContactOut,
    summary="Give a follow-up contact to an NGO of the home region, or take it back",
    description=(
        "The home coordinator only. `organisation_id` is an active NGO working in the "
        "veteran's home region; null takes the contact back. A closed contact cannot be given."
    ),
)
def contact_delegate(request: HttpRequest, contact_id: int, payload: DelegateIn) -> FollowUpContact:
    actor = cast(User, request.user)
    contact = selectors.contact_get_for_user(actor=actor, contact_id=contact_id)
    organisation = (
        selectors.organisation_get(organisation_id=payload.organisation_id)
        if payload.organisation_id is not None
        else None
    )
    return contacts.contact_delegate(actor=actor, contact=contact, organisation=organisation)
