"""Runs propose, coordinators accept: all, some, and what went stale meanwhile."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest, Status
from ryadom.care.services.coordination import request_assign
from ryadom.care.services.volunteer_work import request_schedule
from ryadom.catalogue.models import Skill
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ryadom.dispatch.models import MatchingRun, ProposalStatus, RunStatus
from ryadom.dispatch.selectors import run_get_for_user
from ryadom.dispatch.services import matching_run_accept, matching_run_create
from ryadom.dispatch.tasks import solve_run
from ryadom.matching import UnservedReason
from ryadom.volunteers.models import Check, CheckKind, Volunteer
from ryadom.volunteers.services import volunteer_hour_limit_set
from tests.dispatch.conftest import Region, StartRun, ask, run_queued

pytestmark = pytest.mark.django_db
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def _run(start: StartRun, r: Region, dry_run: bool = False) -> MatchingRun:
    return start(actor=r.c.coord_a, region=r.c.institution_a.region, dry_run=dry_run)


def test_run_proposes_a_volunteer_for_each_open_request_and_assigns_nobody(
    region_a: Region, start_run: StartRun
) -> None:
    run = _run(start_run, region_a)
    assert (run.requests, run.matched, run.unserved) == (3, 3, 0)
    assert run.status == RunStatus.PROPOSED and run.finished_at is not None
    proposed = {p.request_id: p.volunteer_id for p in run.proposals.all()}
    assert set(proposed) == {r.pk for r in region_a.requests}
    assert set(proposed.values()) <= {v.pk for v in region_a.near}
    # Nothing is assigned behind the coordinator's back.
    assert set(CareRequest.objects.values_list("status", flat=True)) == {Status.TRIAGED}
    p = run.proposals.first()
    assert p is not None and p.reasons[0]["code"] == "distance_km"
    for action in ("matching_run.created", "matching_run.solved"):
        assert AuditEvent.objects.filter(action=action, target_id=str(run.pk)).exists()


def test_accept_all_assigns_exactly_the_proposals(region_a: Region, start_run: StartRun) -> None:
    run = _run(start_run, region_a)
    done = matching_run_accept(actor=region_a.c.coord_a, run=run)
    assert len(done.accepted) == 3 and not done.stale
    for p in run.proposals.all():
        request = CareRequest.objects.get(pk=p.request_id)
        assert (request.status, request.volunteer_id) == (Status.ASSIGNED, p.volunteer_id)
        assert p.status == ProposalStatus.ACCEPTED and p.accepted_at is not None
        assert request.events.filter(action="assign", actor=region_a.c.coord_a).exists()
    run.refresh_from_db()
    assert run.status == RunStatus.ACCEPTED
    event = AuditEvent.objects.get(action="matching_run.accepted", target_id=str(run.pk))
    assert (event.actor, event.changes["accepted"], event.changes["stale"]) == (
        region_a.c.coord_a,
        3,
        0,
    )


def test_accept_selected_assigns_only_those(region_a: Region, start_run: StartRun) -> None:
    run = _run(start_run, region_a)
    chosen = run.proposals.order_by("pk").first()
    assert chosen is not None
    done = matching_run_accept(actor=region_a.c.coord_a, run=run, proposal_ids=[chosen.pk])
    assert [p.pk for p in done.accepted] == [chosen.pk]
    assigned = CareRequest.objects.filter(status=Status.ASSIGNED)
    assert list(assigned.values_list("pk", "volunteer_id")) == [
        (chosen.request_id, chosen.volunteer_id)
    ]
    assert run.proposals.filter(status=ProposalStatus.PENDING).count() == 2
    run.refresh_from_db()
    assert run.status == RunStatus.PARTLY_ACCEPTED


def test_a_request_taken_meanwhile_is_reported_not_forced(
    region_a: Region, start_run: StartRun
) -> None:
    run = _run(start_run, region_a)
    p = run.proposals.select_related("request").order_by("pk").first()
    assert p is not None
    other = next(v for v in region_a.near if v.pk != p.volunteer_id)
    request_assign(actor=region_a.c.federal, request=p.request, volunteer=other)
    done = matching_run_accept(actor=region_a.c.coord_a, run=run)
    assert [s.pk for s in done.stale] == [p.pk]
    assert "Already taken" in done.stale[0].outcome
    assert CareRequest.objects.get(pk=p.request_id).volunteer_id == other.pk  # left alone
    assert len(done.accepted) == 2
    p.refresh_from_db()
    assert p.status == ProposalStatus.STALE


def test_a_check_expired_meanwhile_is_reported_not_forced(
    region_a: Region, start_run: StartRun
) -> None:
    run = _run(start_run, region_a)
    p = run.proposals.order_by("pk").first()
    assert p is not None
    Check.objects.filter(volunteer_id=p.volunteer_id, kind=CheckKind.MEDICAL).update(
        status="refused"
    )
    done = matching_run_accept(actor=region_a.c.coord_a, run=run, proposal_ids=[p.pk])
    assert not done.accepted
    assert "Medical clearance" in done.stale[0].outcome
    assert CareRequest.objects.get(pk=p.request_id).status == Status.TRIAGED


def test_a_full_week_is_reported_not_forced(region_a: Region, start_run: StartRun) -> None:
    run = _run(start_run, region_a)
    p = run.proposals.select_related("volunteer").order_by("pk").first()
    assert p is not None
    volunteer = p.volunteer
    volunteer.weekly_task_cap = 1
    volunteer.save(update_fields=["weekly_task_cap"])
    extra = ask(region_a.c)
    request_assign(actor=region_a.c.coord_a, request=extra, volunteer=volunteer)
    done = matching_run_accept(actor=region_a.c.coord_a, run=run, proposal_ids=[p.pk])
    assert done.stale and "week is full" in done.stale[0].outcome


def test_a_dry_run_cannot_be_accepted(region_a: Region, start_run: StartRun) -> None:
    run = _run(start_run, region_a, dry_run=True)
    assert run.status == RunStatus.DRY_RUN and run.proposals.count() == 3
    with pytest.raises(ConflictError):
        matching_run_accept(actor=region_a.c.coord_a, run=run)
    assert not CareRequest.objects.filter(status=Status.ASSIGNED).exists()


def test_unknown_proposal_ids_are_refused_and_change_nothing(
    region_a: Region, start_run: StartRun
) -> None:
    run = _run(start_run, region_a)
    with pytest.raises(ApplicationError) as err:
        matching_run_accept(actor=region_a.c.coord_a, run=run, proposal_ids=[999_999])
    assert err.value.field == "proposal_ids"
    assert not CareRequest.objects.filter(status=Status.ASSIGNED).exists()


def test_coordinator_of_another_region_neither_runs_nor_sees_nor_accepts(
    region_a: Region, start_run: StartRun
) -> None:
    c = region_a.c
    with pytest.raises(PermissionDeniedError):
        matching_run_create(actor=c.coord_b, region=c.institution_a.region)
    run = _run(start_run, region_a)
    with pytest.raises(NotFoundError):
        run_get_for_user(actor=c.coord_b, run_id=run.pk)
    with pytest.raises(PermissionDeniedError):
        matching_run_accept(actor=c.coord_b, run=run)
    assert run_get_for_user(actor=c.federal, run_id=run.pk) == run


def test_national_runs_are_for_federal_coordinators(region_a: Region, start_run: StartRun) -> None:
    c = region_a.c
    with pytest.raises(PermissionDeniedError):
        matching_run_create(actor=c.coord_a, region=None)
    run = start_run(actor=c.federal, region=None)
    assert run.region is None and run.matched == 3


def test_requests_nobody_can_serve_are_listed_with_why(
    region_a: Region, start_run: StartRun
) -> None:
    c = region_a.c
    far = ask(c, service="escort.military_ward")  # needs screening nobody has
    run = _run(start_run, region_a)
    unserved = {u.request_id: u.reason for u in run.unserved_requests.all()}
    assert unserved == {far.pk: "no_volunteer_with_the_skills_checks_or_gender"}


# --- in the background ----------------------------------------------------------------------


def test_a_run_is_queued_and_the_task_solves_it(
    region_a: Region, start_run: StartRun, django_capture_on_commit_callbacks: Any
) -> None:
    c = region_a.c
    run = start_run(actor=c.coord_a, region=c.institution_a.region, solve=False)
    assert (run.status, run.proposals.count(), run.started_at) == (RunStatus.QUEUED, 0, None)
    with pytest.raises(ConflictError):  # nothing to accept yet
        matching_run_accept(actor=c.coord_a, run=run)
    assert run_queued() == 1
    run.refresh_from_db()
    assert (run.status, run.matched, run.proposals.count()) == (RunStatus.PROPOSED, 3, 3)
    assert run.started_at is not None and run.finished_at is not None
    # A task delivered twice solves once: the second finds the run no longer queued.
    with django_capture_on_commit_callbacks(execute=True):
        assert solve_run.call(run_id=run.pk) == "not queued"
    assert run.proposals.count() == 3


def test_a_run_that_fails_says_why_and_can_be_started_again(
    region_a: Region, start_run: StartRun
) -> None:
    c = region_a.c
    # More skills than the engine's 64-bit masks hold: the load refuses, the run fails.
    for i in range(65):
        Skill.objects.create(code=f"extra.{i}", name_ru=f"Навык {i}", name_en=f"Skill {i}")
    run = start_run(actor=c.coord_a, region=c.institution_a.region)
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert "more than 64 skills" in run.error
    assert not run.proposals.exists() and not CareRequest.objects.filter(status="assigned")
    with pytest.raises(ConflictError):
        matching_run_accept(actor=c.coord_a, run=run)
    event = AuditEvent.objects.get(action="matching_run.failed", target_id=str(run.pk))
    assert event.changes["error"] == run.error
    Skill.objects.filter(code__startswith="extra.").delete()
    again = start_run(actor=c.coord_a, region=c.institution_a.region)
    assert (again.status, again.matched) == (RunStatus.PROPOSED, 3)


# --- the NGO's weekly hour limit --------------------------------------------------------------

MONDAY = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=datetime.UTC)  # 12:00 in Moscow


@pytest.fixture
def monday() -> Iterator[None]:
    """The whole test, fixtures after this one included, runs from a Monday noon on."""
    with time_machine.travel(MONDAY, tick=True):
        yield


def _limit(r: Region, volunteer: Volunteer, hours: int) -> None:
    volunteer_hour_limit_set(actor=r.c.ngo_manager, volunteer=volunteer, hours=hours)


def test_no_volunteer_is_proposed_beyond_their_ngo_hour_limit(
    region_a: Region, start_run: StartRun
) -> None:
    for v in region_a.near:
        _limit(region_a, v, 1)  # one task (counted as an hour) each this week
    ask(region_a.c)
    run = _run(start_run, region_a)
    assert (run.requests, run.matched, run.unserved) == (4, 3, 1)
    assert sorted(run.proposals.values_list("volunteer_id", flat=True)) == sorted(
        v.pk for v in region_a.near
    )
    # What was proposed can be accepted: nothing turns out stale at the hour limit.
    done = matching_run_accept(actor=region_a.c.coord_a, run=run)
    assert len(done.accepted) == 3 and not done.stale
    assert CareRequest.objects.filter(status=Status.TRIAGED).count() == 1


def test_a_request_left_because_every_volunteer_used_their_hours_says_so(
    monday: None, region_a: Region, start_run: StartRun, client: Client
) -> None:
    c = region_a.c
    tuesday = datetime.datetime(2026, 11, 17, 10, 0, tzinfo=MOSCOW)
    for v, request in zip(region_a.near, region_a.requests, strict=True):
        _limit(region_a, v, 1)
        request_assign(actor=c.coord_a, request=request, volunteer=v)
        request_schedule(
            actor=c.coord_a,
            request=request,
            starts=tuesday,
            ends=tuesday + datetime.timedelta(hours=1),
        )
    left = ask(c)
    run = _run(start_run, region_a)
    assert (run.requests, run.matched) == (1, 0)
    [unserved] = run.unserved_requests.all()
    assert (unserved.request_id, unserved.reason) == (left.pk, UnservedReason.AT_HOUR_LIMIT)
    client.force_login(c.coord_a)
    page = client.get(f"/matching/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "used up the weekly hours their NGO allows them" in page

    # The NGO raises one volunteer's limit: the next run proposes them, saying what is left.
    raised = region_a.near[2]
    _limit(region_a, raised, 3)
    again = _run(start_run, region_a)
    [proposal] = again.proposals.all()
    assert proposal.volunteer_id == raised.pk
    assert {"code": "hours_left_this_week", "value": 1.0} in proposal.reasons
    page = client.get(f"/matching/runs/{again.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 h left this week within the NGO&#x27;s limit" in page
