"""Matching runs: propose assignments for a region (or the country), and accept them.

A run only proposes. Accepting assigns each proposal through
`care.services.coordination.request_assign`, so the lifecycle, the eligibility rule and the
audit apply as to any assignment; a proposal the world has overtaken (the request was
taken, a check expired, the week filled up) is reported with the reason and left alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.care.selectors import request_list
from ryadom.care.services.coordination import request_assign
from ryadom.care.timeline import coded
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.dispatch import adapter
from ryadom.dispatch.models import (
    PENDING_RUN,
    RUN_GIVEN_UP_AFTER,
    MatchingRun,
    Proposal,
    ProposalStatus,
    RunStatus,
    UnservedRequest,
)
from ryadom.dispatch.reasons import reasons_json
from ryadom.dispatch.selectors import may_match, volunteer_week_load
from ryadom.geo.models import Region
from ryadom.matching import Assignment, UnservedReason, assign
from ryadom.volunteers.selectors import volunteer_list

BULK_BATCH = 2000
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Solved:
    """What a run found, before anything is written."""

    loaded: adapter.Loaded
    assignment: Assignment | None  # None when there was nothing to solve
    seconds: float


def _solve(*, actor: User, region: Region | None) -> Solved:
    """Load the open requests and the volunteers of the region (or country) and solve."""
    requests = request_list(actor=actor).filter(status__in=adapter.OPEN_FOR_MATCHING)
    if region is not None:
        requests = requests.filter(region_id=region.pk)
    volunteers = volunteer_list(actor=actor, region_id=region.pk if region else None)
    loaded = adapter.load(requests, volunteers)
    started = time.perf_counter()
    result = None
    if len(loaded.requests) and len(loaded.volunteers):
        result = assign(loaded.requests, loaded.volunteers)
    return Solved(loaded, result, time.perf_counter() - started)


@transaction.atomic
def matching_run_create(
    *, actor: User, region: Region | None, dry_run: bool = False
) -> MatchingRun:
    """Queue a run for the open requests of a region (None: the whole country).

    The run is solved by `dispatch.tasks.solve_run` after this transaction commits: a big
    region takes seconds and the country minutes, longer than a page may keep anyone waiting.
    """
    if not may_match(actor, region.pk if region else None):
        raise PermissionDeniedError(
            _("Only the region's coordinators (or federal ones) may suggest assignments.")
        )
    _give_up_stuck_runs(actor=actor, region=region)
    run = MatchingRun.objects.create(
        region=region, actor=actor, dry_run=dry_run, status=RunStatus.QUEUED
    )
    audit_record(
        actor=actor,
        action="matching_run.created",
        target=run,
        region_id=region.pk if region else None,
        changes={"dry_run": dry_run, "status": run.status},
    )
    from ryadom.dispatch.tasks import solve_run

    transaction.on_commit(lambda: solve_run.enqueue(run_id=run.pk), robust=True)
    return run


def _give_up_stuck_runs(*, actor: User, region: Region | None) -> None:
    """Mark the region's runs left unsolved for too long as failed: a new run replaces them.

    Each is given up by a conditional UPDATE on its status, so a worker that comes back and
    finishes one after all finds it failed and stores nothing.
    """
    since = timezone.now() - RUN_GIVEN_UP_AFTER
    stuck = MatchingRun.objects.filter(region=region, status__in=PENDING_RUN, created_at__lt=since)
    for old in stuck.select_related("actor"):
        with translation.override(old.actor.language):
            error = _("Not solved within %(minutes)d minutes: a newer run replaces it.") % {
                "minutes": int(RUN_GIVEN_UP_AFTER.total_seconds() // 60)
            }
        given_up = MatchingRun.objects.filter(pk=old.pk, status=old.status).update(
            status=RunStatus.FAILED, error=error, finished_at=timezone.now()
        )
        if given_up:
            audit_record(
                actor=actor,
                action="matching_run.given_up",
                target=old,
                region_id=old.region_id,
                changes={"status": [old.status, RunStatus.FAILED], "error": error},
            )


def matching_run_solve(*, run_id: int) -> MatchingRun | None:
    """Solve a queued run and store what it proposes, or why it failed; None if not queued.

    The claim (queued -> running) is a conditional UPDATE, so a task delivered twice solves
    once. Loading and solving read only and run outside any transaction, so the database is
    not held for the seconds a large region takes; the results are written in one.
    """
    claimed = MatchingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if claimed != 1:
        return None
    run = MatchingRun.objects.select_related("actor", "region").get(pk=run_id)
    try:
        solved = _solve(actor=run.actor, region=run.region)
        with transaction.atomic():
            return _record(run=run, solved=solved)
    except Exception as exc:
        # Whatever went wrong, the coordinator sees the run failed and why, instead of a
        # run "being solved" for ever; the traceback goes to the log for the administrators.
        logger.exception("matching run %s failed", run_id)
        with translation.override(run.actor.language):  # the reader is the run's starter
            error = _failure_text(exc)
        return _fail(run=run, error=error)


def _failure_text(exc: Exception) -> str:
    """What a coordinator reads about a failed run."""
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, MemoryError):
        return _("The region is too large to solve at once on this server.")
    return _("Matching stopped with an internal error (%(kind)s): %(detail)s") % {
        "kind": type(exc).__name__,
        "detail": str(exc)[:500] or "—",
    }


@transaction.atomic
def _fail(*, run: MatchingRun, error: str) -> MatchingRun:
    """Mark a running run failed with the reason, and audit it."""
    changed = MatchingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, error=error, finished_at=timezone.now()
    )
    run.refresh_from_db()
    if changed == 1:
        audit_record(
            actor=run.actor,
            action="matching_run.failed",
            target=run,
            region_id=run.region_id,
            changes={"status": [RunStatus.RUNNING, RunStatus.FAILED], "error": error},
        )
    return run


def _record(*, run: MatchingRun, solved: Solved) -> MatchingRun:
    """Store the proposals and unserved requests of a running run, and mark it solved."""
    loaded, result = solved.loaded, solved.assignment
    proposals = result.proposals if result is not None else None
    matched = len(proposals) if proposals is not None else 0
    status = RunStatus.DRY_RUN if run.dry_run else RunStatus.PROPOSED
    fields = {
        "status": status,
        "finished_at": timezone.now(),
        "requests": len(loaded.requests),
        "volunteers": len(loaded.volunteers),
        "matched": matched,
        "unserved": len(loaded.requests) - matched,
        "total_km": float(proposals.km.sum()) if proposals is not None else 0.0,
        "objective": result.objective if result is not None else 0,
        "load_seconds": loaded.seconds,
        "solve_seconds": solved.seconds,
    }
    if MatchingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(**fields) != 1:
        raise ConflictError(_("The run was changed while it was being solved."))
    for name, value in fields.items():
        setattr(run, name, value)
    rows = []
    if proposals is not None:
        for p in range(len(proposals)):
            rows.append(
                Proposal(
                    run=run,
                    request_id=int(loaded.request_ids[proposals.request[p]]),
                    volunteer_id=int(loaded.volunteer_ids[proposals.volunteer[p]]),
                    cost=int(proposals.cost[p]),
                    km=round(float(proposals.km[p]), 2),
                    reasons=reasons_json(proposals.reasons(p)),
                )
            )
    Proposal.objects.bulk_create(rows, batch_size=BULK_BATCH)
    UnservedRequest.objects.bulk_create(
        [
            UnservedRequest(run=run, request_id=int(loaded.request_ids[row]), reason=str(why))
            for row, why in _unserved(solved)
        ],
        batch_size=BULK_BATCH,
    )
    audit_record(
        actor=run.actor,
        action="matching_run.solved",
        target=run,
        region_id=run.region_id,
        changes={
            "status": [RunStatus.RUNNING, status],
            "requests": run.requests,
            "matched": run.matched,
        },
    )
    return run


def _unserved(solved: Solved) -> Iterable[tuple[int, UnservedReason]]:
    """Unserved request rows with why; with nobody to consider, nobody is within reach."""
    if solved.assignment is not None:
        return solved.assignment.unserved
    rows = np.arange(len(solved.loaded.requests))
    return ((int(r), UnservedReason.NO_ELIGIBLE_WITHIN_RADIUS) for r in rows)


@dataclass(frozen=True)
class Accepted:
    """What accepting did: the proposals now assigned, and those reported stale with why."""

    run: MatchingRun
    accepted: list[Proposal]
    stale: list[Proposal]


@transaction.atomic
def matching_run_accept(
    *, actor: User, run: MatchingRun, proposal_ids: list[int] | None = None
) -> Accepted:
    """Assign the run's pending proposals (all, or those chosen) through `request_assign`."""
    if not may_match(actor, run.region_id):
        raise PermissionDeniedError(_("Only the region's coordinators may accept proposals."))
    if run.dry_run:
        raise ConflictError(
            _("A dry run only shows what would be proposed: start a run to accept.")
        )
    if run.status in PENDING_RUN:
        raise ConflictError(_("The run has not been solved yet: nothing to accept."))
    if run.status == RunStatus.FAILED:
        raise ConflictError(_("The run failed: start a new one."))
    pending = run.proposals.filter(status=ProposalStatus.PENDING)
    if proposal_ids is not None:
        chosen = set(proposal_ids)
        if not chosen:
            raise ApplicationError(_("Choose at least one proposal."), field="proposal_ids")
        known = set(run.proposals.filter(pk__in=chosen).values_list("pk", flat=True))
        if unknown := sorted(chosen - known):
            raise ApplicationError(
                _("Not proposals of this run: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
                field="proposal_ids",
            )
        pending = pending.filter(pk__in=chosen)
    accepted, stale = [], []
    rows = pending.select_related(
        "request__institution__region", "request__service_type", "request__veteran", "volunteer"
    ).order_by("pk")
    for proposal in rows:
        problem = _accept_one(actor=actor, run=run, proposal=proposal)
        if problem is None:
            proposal.status, proposal.accepted_at = ProposalStatus.ACCEPTED, timezone.now()
            accepted.append(proposal)
        else:
            proposal.status, proposal.outcome = ProposalStatus.STALE, problem
            stale.append(proposal)
        proposal.save(update_fields=["status", "accepted_at", "outcome"])
    _settle(run)
    audit_record(
        actor=actor,
        action="matching_run.accepted",
        target=run,
        region_id=run.region_id,
        # Counts only: each assignment has its own audit row from request_assign.
        changes={"accepted": len(accepted), "stale": len(stale), "status": run.status},
    )
    return Accepted(run, accepted, stale)


def _accept_one(*, actor: User, run: MatchingRun, proposal: Proposal) -> str | None:
    """Assign one proposal; the reason it is no longer possible, or None when done."""
    volunteer = proposal.volunteer
    try:
        # A savepoint each: one stale proposal leaves the others' assignments in place.
        with transaction.atomic():
            if volunteer_week_load(volunteer_id=volunteer.pk) >= volunteer.weekly_task_cap:
                raise ConflictError(_("The volunteer's week is full now."))
            request_assign(
                actor=actor,
                request=proposal.request,
                volunteer=volunteer,
                note=coded("suggested_by_run", run=run.pk),
            )
    except ApplicationError as exc:
        return exc.message
    return None


def _settle(run: MatchingRun) -> None:
    """The run's status from its proposals: accepted when none is left pending."""
    statuses = set(run.proposals.values_list("status", flat=True).distinct())
    status = run.status
    if ProposalStatus.ACCEPTED in statuses:
        only = statuses == {ProposalStatus.ACCEPTED}
        status = RunStatus.ACCEPTED if only else RunStatus.PARTLY_ACCEPTED
    if status != run.status:
        run.status = status
        run.save(update_fields=["status"])
