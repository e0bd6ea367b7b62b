"""Support measures (public) and a veteran's navigator: answers, checklist, payment questions."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime
from typing import Literal, cast

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Channel
from ryadom.core.api_types import Day, Text
from ryadom.entitlements import selectors, services
from ryadom.entitlements.models import Measure

public = Router(tags=["entitlements"])
router = Router(tags=["entitlements"], auth=AUTH)

DEMO_NOTE = "Demo sample, not legal advice."


class MeasureOut(Schema):
    code: str
    level: str
    region: str | None
    title_ru: str
    title_en: str
    gives_ru: str
    gives_en: str
    documents: str
    how_to_apply: str
    legal_basis: str
    effective_from: datetime.date | None
    effective_to: datetime.date | None
    conditions: list[dict[str, object]]
    is_demo_sample: bool
    note: str

    @staticmethod
    def resolve_region(obj: Measure) -> str | None:
        return obj.region.code if obj.region else None

    @staticmethod
    def resolve_note(obj: Measure) -> str:
        return DEMO_NOTE if obj.is_demo_sample else ""


@public.get(
    "/entitlements/measures",
    response=list[MeasureOut],
    summary="Support measures in force (public); a demo sample says so in `note`",
)
def measure_list(request: HttpRequest) -> list[Measure]:
    return list(selectors.measure_list())


@public.get(
    "/entitlements/measures/{code}",
    response=MeasureOut,
    summary="One support measure in force",
)
def measure_detail(request: HttpRequest, code: Text) -> Measure:
    return selectors.measure_get(code=code)


class CircumstancesIn(Schema):
    status: Literal["svo_participant", "combat_veteran", "family_member"]
    region: str = Field(pattern=r"^\d{2}$", description="Subject code of residence, e.g. 46")
    disability_group: int = Field(0, ge=0, le=3)
    married: bool = False
    children: int = Field(0, ge=0, le=30)
    dependants: int = Field(0, ge=0, le=30)
    served_from: Day | None = None
    served_to: Day | None = None
    wounded: bool = False


class CircumstancesOut(CircumstancesIn):
    updated_at: datetime.datetime


class EntryOut(Schema):
    measure: MeasureOut
    mark: str | None
    marked_at: datetime.datetime | None


class ChecklistOut(Schema):
    veteran_id: int
    circumstances: CircumstancesOut | None
    to_apply: list[EntryOut]
    marked: list[EntryOut]
    note: str


def _checklist_out(checklist: selectors.Checklist) -> dict[str, object]:
    record = checklist.circumstances
    answers = None
    if record is not None:
        answers = {
            **{f: getattr(record, f) for f in services.ANSWER_FIELDS if f != "region"},
            "region": record.region.code,
            "updated_at": record.updated_at,
        }

    def entry(e: selectors.Entry) -> dict[str, object]:
        mark = e.mark
        return {
            "measure": e.measure,
            "mark": mark.status if mark else None,
            "marked_at": mark.marked_at if mark else None,
        }

    return {
        "veteran_id": checklist.veteran.pk,
        "circumstances": answers,
        "to_apply": [entry(e) for e in checklist.to_apply],
        "marked": [entry(e) for e in checklist.marked],
        "note": DEMO_NOTE if checklist.shows_demo else "",
    }


@router.get(
    "/veterans/{veteran_id}/checklist",
    response=ChecklistOut,
    summary="The veteran's answers and personal checklist (veteran, relative, coordinator)",
)
def checklist_read(request: HttpRequest, veteran_id: int) -> dict[str, object]:
    return _checklist_out(
        selectors.checklist_get_for_user(actor=request.user, veteran_id=veteran_id)
    )


@router.put(
    "/veterans/{veteran_id}/circumstances",
    response=ChecklistOut,
    summary="Answer the navigator's questions; returns the checklist they give",
)
def circumstances_put(
    request: HttpRequest, veteran_id: int, payload: CircumstancesIn
) -> dict[str, object]:
    actor = cast(User, request.user)
    veteran = selectors.veteran_for_navigator(actor=actor, veteran_id=veteran_id)
    answers = {**payload.dict(), "region": selectors.region_by_code(code=payload.region)}
    services.circumstances_record(actor=actor, veteran=veteran, **answers)
    return checklist_read(request, veteran_id)


class MarkIn(Schema):
    status: Literal["applied", "granted", "refused"]


@router.post(
    "/veterans/{veteran_id}/checklist/{code}",
    response=EntryOut,
    summary="Mark a measure applied, granted or refused",
)
def checklist_mark(
    request: HttpRequest, veteran_id: int, code: Text, payload: MarkIn
) -> dict[str, object]:
    actor = cast(User, request.user)
    veteran = selectors.veteran_for_navigator(actor=actor, veteran_id=veteran_id)
    measure = selectors.measure_get(code=code)
    item = services.checklist_mark(
        actor=actor, veteran=veteran, measure=measure, status=payload.status
    )
    return {"measure": measure, "mark": item.status, "marked_at": item.marked_at}


class PaymentIssueIn(Schema):
    measure: Text | None = Field(None, description="The measure's code, if it is about one")
    details: Text


class PaymentIssueOut(Schema):
    request_id: int
    deadline: datetime.datetime
    owner: str | None


@router.post(
    "/veterans/{veteran_id}/payment-issues",
    response={201: PaymentIssueOut},
    summary="A payment is late or wrong: a request to the region's named person, with a deadline",
)
def payment_issue(
    request: HttpRequest, veteran_id: int, payload: PaymentIssueIn
) -> Status[dict[str, object]]:
    actor = cast(User, request.user)
    veteran = selectors.veteran_for_navigator(actor=actor, veteran_id=veteran_id)
    measure = selectors.measure_get(code=payload.measure) if payload.measure else None
    done = services.payment_issue_report(
        actor=actor, veteran=veteran, measure=measure, details=payload.details, channel=Channel.API
    )
    return Status(201, {"request_id": done.pk, "deadline": done.deadline, "owner": _name(done)})


def _name(request: CareRequest) -> str | None:
    owner = request.coordinator
    return (owner.get_full_name() or owner.username) if owner is not None else None
