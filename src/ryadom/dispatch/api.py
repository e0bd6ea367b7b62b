"""Matching over JSON: recommendations for one request, runs for a region, acceptance."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.
import datetime
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import User
from ryadom.care.parties import Party, parties_of
from ryadom.care.selectors import request_get_for_user
from ryadom.core.api_types import Id, Text
from ryadom.core.errors import ApplicationError, PermissionDeniedError
from ryadom.dispatch import services
from ryadom.dispatch.models import MatchingRun, Proposal
from ryadom.dispatch.reasons import reason_text, unserved_text
from ryadom.dispatch.selectors import (
    Recommendation,
    request_recommendations,
    run_get_for_user,
    run_proposals,
    run_unserved,
)
from ryadom.geo.models import Region
from ryadom.volunteers.models import Volunteer

router = Router(tags=["matching"], auth=AUTH)
LIMIT_MAX = 50


class ReasonOut(Schema):
    code: str
    value: float | None
    text: str


class RecommendationOut(Schema):
    volunteer_id: int
    volunteer_name: str
    is_previous: bool
    cost: int
    km: float | None
    reasons: list[ReasonOut]


class RecommendationsOut(Schema):
    request_id: int
    items: list[RecommendationOut]


class RecommendationsQuery(Schema):
    limit: int = Field(10, ge=1, le=LIMIT_MAX)


class RunIn(Schema):
    region: Text | None = Field(
        None, max_length=10, description="Region code; empty for a national run."
    )
    dry_run: bool = False


class ProposalOut(Schema):
    id: int
    request_id: int
    volunteer_id: int
    volunteer_name: str
    cost: int
    km: float
    status: str
    accepted_at: datetime.datetime | None
    outcome: str
    reasons: list[ReasonOut]


class UnservedOut(Schema):
    request_id: int
    reason: str
    reason_text: str


class RunOut(Schema):
    id: int
    region: str | None
    dry_run: bool
    status: str = Field(
        description="queued and running: not solved yet (GET the run again); failed: see "
        "`error`; proposed, dry_run, partly_accepted, accepted: solved."
    )
    error: str = Field(description="Why the run failed; empty otherwise.")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    requests: int
    volunteers: int
    matched: int
    unserved: int
    total_km: float
    objective: int
    load_seconds: float
    solve_seconds: float
    proposals: list[ProposalOut]
    unserved_requests: list[UnservedOut]


class AcceptIn(Schema):
    proposal_ids: list[Id] | None = Field(
        None, max_length=10_000, description="Empty: every pending proposal."
    )


class StaleOut(Schema):
    id: int
    request_id: int
    reason: str


class AcceptOut(Schema):
    run_status: str
    accepted: list[int]
    stale: list[StaleOut]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the auth classes guarantee a signed-in user


def _name(volunteer: Volunteer) -> str:
    return volunteer.user.get_full_name() or volunteer.user.username


def _reasons(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"code": r["code"], "value": r.get("value"), "text": reason_text(r["code"], r.get("value"))}
        for r in stored
    ]


def _recommendation(r: Recommendation) -> dict[str, Any]:
    return {
        "volunteer_id": r.volunteer.pk,
        "volunteer_name": _name(r.volunteer),
        "is_previous": r.is_previous,
        "cost": r.cost,
        "km": r.km,
        "reasons": _reasons(r.reasons),
    }


def _proposal(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "request_id": p.request_id,
        "volunteer_id": p.volunteer_id,
        "volunteer_name": _name(p.volunteer),
        "cost": p.cost,
        "km": p.km,
        "status": p.status,
        "accepted_at": p.accepted_at,
        "outcome": p.outcome,
        "reasons": _reasons(p.reasons),
    }


def _run(run: MatchingRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "region": run.region.code if run.region else None,
        "dry_run": run.dry_run,
        "status": run.status,
        "error": run.error,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "requests": run.requests,
        "volunteers": run.volunteers,
        "matched": run.matched,
        "unserved": run.unserved,
        "total_km": round(run.total_km, 1),
        "objective": run.objective,
        "load_seconds": round(run.load_seconds, 3),
        "solve_seconds": round(run.solve_seconds, 3),
        "proposals": [_proposal(p) for p in run_proposals(run=run)],
        "unserved_requests": [
            {"request_id": u.request_id, "reason": u.reason, "reason_text": unserved_text(u.reason)}
            for u in run_unserved(run=run)
        ],
    }


@router.get(
    "/requests/{request_id}/recommendations",
    response=RecommendationsOut,
    summary="The best volunteers for one request, with reasons",
)
def recommendations(
    request: HttpRequest, request_id: int, query: Query[RecommendationsQuery]
) -> dict[str, Any]:
    actor = _user(request)
    obj = request_get_for_user(actor=actor, request_id=request_id)
    if Party.COORDINATOR not in parties_of(actor, obj):
        raise PermissionDeniedError(gettext("Only the request's coordinators see suggestions."))
    found = request_recommendations(actor=actor, request=obj, limit=query.limit)
    return {"request_id": obj.pk, "items": [_recommendation(r) for r in found]}


@router.post(
    "/matching/runs",
    response={202: RunOut},
    summary="Suggest assignments (solved in the background: GET the run until it is solved)",
)
def create_run(request: HttpRequest, payload: RunIn) -> Status[dict[str, Any]]:
    region = None
    if payload.region:
        region = Region.objects.filter(code=payload.region).first()
        if region is None:
            raise ApplicationError(
                gettext("Unknown region code “%(code)s”.") % {"code": payload.region},
                field="region",
            )
    run = services.matching_run_create(actor=_user(request), region=region, dry_run=payload.dry_run)
    # Accepted, not created: the run is queued; a fast worker may have solved it already.
    return Status(202, _run(run_get_for_user(actor=request.user, run_id=run.pk)))


@router.get("/matching/runs/{run_id}", response=RunOut, summary="One matching run")
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return _run(run_get_for_user(actor=request.user, run_id=run_id))


@router.post(
    "/matching/runs/{run_id}/accept",
    response=AcceptOut,
    summary="Accept a run's proposals (all, or those listed)",
)
def accept_run(
    request: HttpRequest, run_id: int, payload: AcceptIn | None = None
) -> dict[str, Any]:
    run = run_get_for_user(actor=request.user, run_id=run_id)
    ids = payload.proposal_ids if payload is not None else None
    done = services.matching_run_accept(actor=_user(request), run=run, proposal_ids=ids)
    return {
        "run_status": done.run.status,
        "accepted": [p.pk for p in done.accepted],
        "stale": [
            {"id": p.pk, "request_id": p.request_id, "reason": p.outcome} for p in done.stale
        ],
    }
