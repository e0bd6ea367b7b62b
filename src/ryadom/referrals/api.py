"""Referrals over JSON: partner services to refer to, referrals made, read and answered."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.
import datetime
from typing import Literal, cast

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import User
from ryadom.core.api_types import Id, Text
from ryadom.core.errors import ApplicationError
from ryadom.geo.models import Region
from ryadom.referrals import selectors, services
from ryadom.referrals.lifecycle import Action
from ryadom.referrals.models import (
    Need,
    Outcome,
    PartnerKind,
    PartnerService,
    Referral,
    ReferralEvent,
)
from ryadom.referrals.models import (
    Status as ReferralStatus,
)
from ryadom.referrals.services import NOTE_MAX
from ryadom.veterans.selectors import veteran_list

router = Router(tags=["referrals"], auth=AUTH)
# What a partner may do with a referral: lifecycle.PARTNER_ACTIONS (cancel is not one).
PartnerAction = Literal["accept", "decline", "start", "finish"]
LIST_MAX = 200


class PartnerOut(Schema):
    id: int
    name: str
    kind: PartnerKind
    region: str
    service_area: list[str]
    address: str
    contact_person: str
    phone: str
    email: str
    offers: str
    quota_info: str

    @staticmethod
    def resolve_region(obj: PartnerService) -> str:
        return obj.region.code

    @staticmethod
    def resolve_service_area(obj: PartnerService) -> list[str]:
        return [r.code for r in obj.service_area.all()]


class PartnerFilters(Schema):
    region: Text | None = Field(None, max_length=2, description="Serving this region (code).")
    kind: PartnerKind | None = None
    limit: int = Field(100, ge=1, le=LIST_MAX)


class ReferralIn(Schema):
    veteran: Id
    partner: Id
    need: Need
    note: Text = Field("", max_length=NOTE_MAX)
    share_phone: bool = False


class MoveIn(Schema):
    action: Action
    outcome: Outcome | None = None
    note: Text = Field("", max_length=NOTE_MAX)


class EventOut(Schema):
    at: datetime.datetime
    action: str
    from_status: str
    to_status: str
    note: str


class ReferralOut(Schema):
    id: int
    veteran_id: int
    veteran_name: str
    partner_id: int
    partner_name: str
    need: Need
    note: str
    share_phone: bool
    region: str
    status: ReferralStatus
    outcome: str
    answer_note: str
    created_at: datetime.datetime
    answer_due: datetime.datetime
    escalated: bool

    @staticmethod
    def resolve_veteran_name(obj: Referral) -> str:
        return obj.veteran.addressed_as

    @staticmethod
    def resolve_partner_name(obj: Referral) -> str:
        return obj.partner.name

    @staticmethod
    def resolve_region(obj: Referral) -> str:
        return obj.region.code

    @staticmethod
    def resolve_escalated(obj: Referral) -> bool:
        return obj.escalated_at is not None


class ReferralDetailOut(ReferralOut):
    timeline: list[EventOut]

    @staticmethod
    def resolve_timeline(obj: Referral) -> list[ReferralEvent]:
        return list(obj.events.all())


class ReferralFilters(Schema):
    status: ReferralStatus | None = None
    limit: int = Field(50, ge=1, le=LIST_MAX)


class PartnerReferralOut(Schema):
    """A referral as the partner's staff see it: who the veteran is (and their phone, when
    the coordinator shared it) only while the referral is not cancelled and the veteran's
    consent to share with partners holds; otherwise null, as on the partner's page."""

    id: int
    partner_id: int
    partner_name: str
    need: Need
    status: ReferralStatus
    outcome: str
    answer_note: str
    created_at: datetime.datetime
    answer_due: datetime.datetime
    shared: bool
    veteran_name: str | None
    veteran_phone: str | None
    note: str | None

    @staticmethod
    def resolve_partner_name(obj: Referral) -> str:
        return obj.partner.name

    @staticmethod
    def resolve_veteran_name(obj: Referral) -> str | None:
        return obj.veteran.addressed_as if obj.shared else None  # type: ignore[attr-defined]

    @staticmethod
    def resolve_veteran_phone(obj: Referral) -> str | None:
        shared = obj.shared and obj.share_phone  # type: ignore[attr-defined]
        return (obj.veteran.phone or None) if shared else None

    @staticmethod
    def resolve_note(obj: Referral) -> str | None:
        return obj.note if obj.shared else None  # type: ignore[attr-defined]


class PartnerMoveIn(Schema):
    action: PartnerAction
    outcome: Outcome | None = None
    note: Text = Field("", max_length=NOTE_MAX)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the auth classes guarantee a signed-in user


def _unknown(field: str, value: object) -> ApplicationError:
    return ApplicationError(
        gettext("Unknown %(field)s: %(id)s.") % {"field": field, "id": value}, field=field
    )


def _region_id(code: str | None) -> int | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _unknown("region", code)
    return region.pk


@router.get("/partner-services", response=list[PartnerOut], summary="Partner services")
def list_partners(request: HttpRequest, filters: Query[PartnerFilters]) -> list[PartnerService]:
    qs = selectors.partner_list(
        actor=request.user, region_id=_region_id(filters.region), kind=filters.kind
    )
    return list(qs.prefetch_related("service_area")[: filters.limit])


@router.get("/referrals", response=list[ReferralOut], summary="Referrals the caller follows")
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> list[Referral]:
    qs = selectors.referral_list(actor=request.user, status=filters.status)
    return list(qs[: filters.limit])


@router.post("/referrals", response={201: ReferralDetailOut}, summary="Refer a veteran")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[Referral]:
    actor = _user(request)
    veteran = veteran_list(actor=actor).filter(pk=payload.veteran).first()
    if veteran is None:
        raise _unknown("veteran", payload.veteran)
    partner = selectors.partner_list(actor=actor).filter(pk=payload.partner).first()
    if partner is None:
        raise _unknown("partner", payload.partner)
    referral = services.referral_create(
        actor=actor, veteran=veteran, partner=partner, need=payload.need, note=payload.note,
        share_phone=payload.share_phone,
    )  # fmt: skip
    return Status(201, referral)


@router.get("/referrals/{referral_id}", response=ReferralDetailOut, summary="One referral")
def get_referral(request: HttpRequest, referral_id: Id) -> Referral:
    return selectors.referral_get_for_user(actor=request.user, referral_id=referral_id)


@router.post(
    "/referrals/{referral_id}/moves", response=ReferralDetailOut, summary="Answer or cancel"
)
def move_referral(request: HttpRequest, referral_id: Id, payload: MoveIn) -> Referral:
    actor = _user(request)
    referral = selectors.referral_get_for_user(actor=actor, referral_id=referral_id)
    return services.referral_move(
        actor=actor, referral=referral, action=payload.action, outcome=payload.outcome or "",
        note=payload.note,
    )  # fmt: skip


@router.get(
    "/partner/referrals",
    response=list[PartnerReferralOut],
    summary="Referrals to the services the caller works for",
    description=(
        "For the staff of regular partners (members of a partner service): open referrals "
        "first. Anyone who works for no partner service gets 403."
    ),
)
def list_partner_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> list[Referral]:
    qs = selectors.partner_referral_list(actor=request.user, status=filters.status)
    return list(qs[: filters.limit])


@router.get(
    "/partner/referrals/{referral_id}",
    response=PartnerReferralOut,
    summary="One referral to the caller's service",
)
def get_partner_referral(request: HttpRequest, referral_id: Id) -> Referral:
    return selectors.partner_referral_get(actor=_user(request), referral_id=referral_id)


@router.post(
    "/partner/referrals/{referral_id}/moves",
    response=PartnerReferralOut,
    summary="Answer a referral to the caller's service",
    description=(
        "As on the partner's page: `accept`, `decline` (with `note`, the reason), `start`, "
        "`finish` (with `outcome`). 409 when the referral moved meanwhile (someone else "
        "answered, through the link or another account)."
    ),
)
def move_partner_referral(
    request: HttpRequest, referral_id: Id, payload: PartnerMoveIn
) -> Referral:
    actor = _user(request)
    referral = selectors.partner_referral_get(actor=actor, referral_id=referral_id)
    return services.referral_move(
        actor=actor, referral=referral, action=payload.action, outcome=payload.outcome or "",
        note=payload.note,
    )  # fmt: skip
