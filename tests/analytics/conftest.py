"""Running the rollup tasks the way the worker does, and a direct count to compare with."""

from __future__ import annotations

import bisect
import datetime
import zoneinfo
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.test import TestCase
from django_tasks_db.models import DBTaskResult

from ryadom.analytics.models import (
    ASSIGN_HIST,
    BUCKET_EDGES,
    COMPLETE_HIST,
    MEASURES,
    ROLLUPS,
)
from ryadom.analytics.tasks import refresh_discharge, refresh_referral, refresh_request
from ryadom.care.models import CareRequest, Complaint, Event, Feedback, Visit
from ryadom.care.tasks import request_announce

MOSCOW = zoneinfo.ZoneInfo(settings.TIME_ZONE)
OPEN = {"new", "triaged", "assigned", "scheduled", "in_progress", "completed"}


def run_refreshes() -> int:
    """Run every enqueued rollup refresh (of requests, discharges and referrals), as the
    database worker would, after the announcements of new requests (which enqueue theirs);
    how many refreshes ran."""
    for row in DBTaskResult.objects.ready().filter(task_path=request_announce.module_path):
        result = row.task_result
        with TestCase.captureOnCommitCallbacks(execute=True):
            row.task.call(*result.args, **result.kwargs)
        row.set_successful(None)
    ran = 0
    refreshes = [t.module_path for t in (refresh_request, refresh_discharge, refresh_referral)]
    for row in DBTaskResult.objects.ready().filter(task_path__in=refreshes):
        result = row.task_result
        row.task.call(*result.args, **result.kwargs)
        row.set_successful(None)
        ran += 1
    return ran


def _minutes(end: datetime.datetime, start: datetime.datetime) -> int:
    return (int(end.timestamp()) - int(start.timestamp())) // 60


def direct_facts() -> list[dict[str, Any]]:
    """Each request's contribution, read straight from the raw tables in Python."""
    facts = []
    for r in CareRequest.objects.select_related("institution").order_by("pk"):
        events = list(Event.objects.filter(request=r).order_by("at", "id"))
        assigned = [e.at for e in events if e.action in ("assign", "claim")]
        completions = [e.at for e in events if e.action == "complete"]
        done = r.status in ("completed", "confirmed")
        completed_at = completions[-1] if done and completions else None
        feedback = list(Feedback.objects.filter(request=r))
        complaints = list(Complaint.objects.filter(request=r))
        visits = Visit.objects.filter(request=r, checked_out_at__isnull=False)
        day = r.created_at.astimezone(MOSCOW).date()
        m: dict[str, int] = dict.fromkeys(MEASURES, 0)
        m.update(
            created=1,
            assigned=int(bool(assigned)),
            completed=int(done),
            confirmed=int(r.status == "confirmed"),
            cancelled=int(r.status == "cancelled"),
            open=int(r.status in OPEN),
            waiting=int(r.status in ("new", "triaged")),
            overdue=int(r.status in OPEN - {"completed"} and r.escalation_level >= 1),
            on_time=int(completed_at is not None and completed_at <= r.deadline),
            feedback=len(feedback),
            respectful=sum(fb.respectful for fb in feedback),
            satisfied=sum(1 for fb in feedback if (fb.rating or 0) >= 4),
            rated=sum(1 for fb in feedback if fb.rating is not None),
            rating_sum=sum(fb.rating or 0 for fb in feedback),
            complaints=len(complaints),
            upheld=sum(1 for c in complaints if c.upheld),
            visit_minutes=sum(_minutes(v.checked_out_at, v.checked_in_at) for v in visits),
        )
        if assigned:
            minutes = _minutes(assigned[0], r.created_at)
            m["assign_minutes"] = minutes
            for i in range(bisect.bisect_right(BUCKET_EDGES, minutes), len(BUCKET_EDGES)):
                m[ASSIGN_HIST[i]] = 1
        if completed_at is not None:
            minutes = _minutes(completed_at, r.created_at)
            m["complete_minutes"] = minutes
            for i in range(bisect.bisect_right(BUCKET_EDGES, minutes), len(BUCKET_EDGES)):
                m[COMPLETE_HIST[i]] = 1
        keys = {
            "day": day,
            "week": day - datetime.timedelta(days=day.weekday()),
            "region_id": r.region_id,
            "agency_id": r.institution.agency_id,
            "institution_id": r.institution_id,
            "service_type_id": r.service_type_id,
            "organisation_id": r.organisation_id or 0,
        }
        facts.append({"keys": keys, "measures": m})
    return facts


def direct_rollups() -> dict[str, dict[tuple[Any, ...], dict[str, int]]]:
    """Every rollup table as a direct computation would fill it."""
    facts = direct_facts()
    tables: dict[str, dict[tuple[Any, ...], dict[str, int]]] = {}
    for model in ROLLUPS:
        cells: dict[tuple[Any, ...], dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(MEASURES, 0)
        )
        for fact in facts:
            cell = cells[tuple(fact["keys"][k] for k in model.KEYS)]
            for name, value in fact["measures"].items():
                cell[name] += value
        tables[model.__name__] = dict(cells)
    return tables


def stored_rollups() -> dict[str, dict[tuple[Any, ...], dict[str, int]]]:
    """Every rollup table as stored; cells emptied by refreshes must hold only zeros."""
    tables = {}
    for model in ROLLUPS:
        cells = {}
        for row in model.objects.values(*model.KEYS, *MEASURES):
            measures = {name: row[name] for name in MEASURES}
            if measures["created"] == 0:
                assert not any(measures.values()), (model.__name__, row)
                continue
            cells[tuple(row[k] for k in model.KEYS)] = measures
        tables[model.__name__] = cells
    return tables


def direct_after_ward(actor: Any, since: datetime.date) -> dict[int, dict[str, Any]]:
    """Per region, the figures after the ward computed from the live tables for discharges
    on or after `since`, as the dashboards did before the rollups: discharges and those with
    a plan by the hospital's region; the median hours to the first contact, contacts closed
    and reached by the home region. Scoped as the dashboards are."""
    from django.db.models import Exists, OuterRef

    from ryadom.accounts.models import Role
    from ryadom.accounts.scopes import scope_of
    from ryadom.aftercare.models import DischargePlan, FollowUpContact
    from ryadom.veterans.models import Stay

    scope = scope_of(actor)
    if scope.federal or scope.has(Role.AGENCY_OBSERVER):
        regions = None
    else:
        regions = scope.region_ids if scope.has(Role.REGIONAL_COORDINATOR) else frozenset()

    def visible(region_id: int) -> bool:
        return regions is None or region_id in regions

    rows: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"discharges": 0, "with_plan": 0, "hours": [], "closed": 0, "reached": 0}
    )
    transferred = Stay.objects.filter(transferred_from=OuterRef("pk"))
    for stay in (
        Stay.objects.filter(discharged_on__gte=since)
        .exclude(Exists(transferred))
        .select_related("institution")
    ):
        if visible(stay.institution.region_id):
            row = rows[stay.institution.region_id]
            row["discharges"] += 1
            row["with_plan"] += int(DischargePlan.objects.filter(stay=stay).exists())
    for plan in DischargePlan.objects.filter(
        stay__discharged_on__gte=since, first_contact_at__isnull=False
    ).select_related("stay"):
        if visible(plan.home_region_id):
            start = datetime.datetime.combine(
                plan.stay.discharged_on, datetime.time(), tzinfo=datetime.UTC
            )
            rows[plan.home_region_id]["hours"].append(
                (plan.first_contact_at - start).total_seconds() / 3600
            )
    for contact in FollowUpContact.objects.filter(
        plan__stay__discharged_on__gte=since
    ).select_related("plan"):
        if contact.outcome in ("", "stopped") or not visible(contact.plan.home_region_id):
            continue
        rows[contact.plan.home_region_id]["closed"] += 1
        rows[contact.plan.home_region_id]["reached"] += int(
            contact.outcome in ("reached", "declined", "new_needs")
        )
    return dict(rows)
