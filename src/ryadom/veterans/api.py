"""Veterans, as far as the caller's scope allows. Never diagnoses or military details."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime
from typing import Literal, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import User
from ryadom.core.api_types import Day, Id, Paging, Text
from ryadom.veterans import consent, services, stays
from ryadom.veterans.models import Consent, ConsentPurpose, Veteran
from ryadom.veterans.selectors import (
    consent_get_for_subject,
    consent_list,
    place_get,
    veteran_acting_for_get,
    veteran_for_what_matters,
    veteran_get_for_user,
    veteran_get_for_ward,
    veteran_list,
    veteran_moved_get,
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
    return Status(201, consent.consent_give(actor=actor, veteran=veteran, purpose=payload.purpose))


@router.post(
    "/consents/{consent_id}/withdraw",
    response=ConsentOut,
    summary="Withdraw a consent: requests not yet accepted are cancelled",
)
def consent_withdraw(request: HttpRequest, consent_id: int) -> Consent:
    given = consent_get_for_subject(actor=request.user, consent_id=consent_id)
    return consent.consent_withdraw(actor=cast(User, request.user), consent=given)


# --- admission, consent by code, transfer, discharge, what matters --------------------------


class AdmissionIn(Schema):
    addressed_as: Text
    gender: Literal["m", "f"]
    institution_id: Id
    department_id: Id | None = None
    admitted_on: Day
    phone: Text = ""
    consent: Literal["code", "witness"]
    witness: Text = ""
    different_person: bool = False


class AdmissionOut(Schema):
    veteran: VeteranDetailOut
    claim_code: str
    code_sent_to: str


class ConsentCodeIn(Schema):
    code: Text


class TransferIn(Schema):
    institution_id: Id
    department_id: Id | None = None
    on: Day


class DischargeIn(Schema):
    on: Day


class WhatMattersIn(Schema):
    addressed_as: Text | None = None
    what_matters: Text | None = None
    communication_needs: Text | None = None
    mobility_needs: Text | None = None


@router.post(
    "/admissions",
    response={201: AdmissionOut},
    summary="Ward staff register a veteran's admission, with consent by code or witness",
    description=(
        "Multipart form. `consent=code` sends a code to `phone` (confirm it with "
        "POST /veterans/{id}/consent-code); `consent=witness` needs `witness` and the `scan` "
        "of the signed form (JPEG, PNG or PDF, at most 5 MB). The same phone of a patient in "
        "treatment is refused with 409; so is the same name on the same ward, unless "
        "`different_person` is true. `claim_code` goes on the admission slip: with it the "
        "veteran links their own account. Liaisons of the institution, coordinators of its "
        "region, federal coordinators."
    ),
)
def admission_register(
    request: HttpRequest, payload: Form[AdmissionIn], scan: File[UploadedFile | None] = None
) -> Status[dict[str, object]]:
    actor = cast(User, request.user)
    institution, department = place_get(
        institution_id=payload.institution_id, department_id=payload.department_id
    )
    data = payload.dict(exclude={"institution_id", "department_id"})
    done = services.admission_register(
        actor=actor, institution=institution, department=department, scan=scan, **data
    )
    veteran = veteran_get_for_user(actor=actor, veteran_id=done.veteran.pk)
    out = {"veteran": veteran, "claim_code": done.claim_code, "code_sent_to": done.code_sent_to}
    return Status(201, out)


@router.post(
    "/veterans/{veteran_id}/consent-code",
    response=ConsentOut,
    summary="Confirm the veteran's consent to care with the code their phone received",
)
def consent_by_code(request: HttpRequest, veteran_id: int, payload: ConsentCodeIn) -> Consent:
    veteran = veteran_get_for_ward(actor=request.user, veteran_id=veteran_id)
    actor = cast(User, request.user)
    return services.consent_confirm_by_code(actor=actor, veteran=veteran, code=payload.code)


@router.post(
    "/veterans/{veteran_id}/transfer",
    response=VeteranDetailOut,
    summary="Transfer the veteran to another institution; open requests follow",
)
def transfer(request: HttpRequest, veteran_id: int, payload: TransferIn) -> Veteran:
    actor = cast(User, request.user)
    veteran = veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    institution, department = place_get(
        institution_id=payload.institution_id, department_id=payload.department_id
    )
    stays.stay_transfer(
        actor=actor,
        veteran=veteran,
        institution=institution,
        department=department,
        on=payload.on,
    )
    return veteran_moved_get(veteran_id=veteran.pk)


@router.post(
    "/veterans/{veteran_id}/discharge",
    response=VeteranDetailOut,
    summary="Discharge the veteran; requests there not yet under way are cancelled",
)
def discharge(request: HttpRequest, veteran_id: int, payload: DischargeIn) -> Veteran:
    actor = cast(User, request.user)
    veteran = veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    stays.stay_discharge(actor=actor, veteran=veteran, on=payload.on)
    return veteran_moved_get(veteran_id=veteran.pk)


@router.put(
    "/veterans/{veteran_id}/what-matters",
    response=VeteranDetailOut,
    summary="What matters to the veteran: by them, a relative acting for them, or a coordinator",
)
def what_matters(request: HttpRequest, veteran_id: int, payload: WhatMattersIn) -> Veteran:
    actor = cast(User, request.user)
    veteran = veteran_for_what_matters(actor=actor, veteran_id=veteran_id)
    values = payload.dict(exclude_none=True)
    return consent.what_matters_update(actor=actor, veteran=veteran, **values)
