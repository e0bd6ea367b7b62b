"""Deadlines are watched by deferred tasks that the real worker runs when they fall due."""

from __future__ import annotations

import datetime
import signal
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from ryadom.care.deadlines import FEDERAL_AFTER
from ryadom.care.models import CareRequest, Channel, Event, Status
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_feedback
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_schedule,
)
from ryadom.care.tasks import request_announce
from ryadom.catalogue.models import ServiceType
from tests.conftest import Cast

CHECK = "ryadom.care.tasks.check_deadline"
MINUTE = datetime.timedelta(minutes=1)

# The worker closes "old" database connections between tasks, which would close the
# connection of a test wrapped in a transaction; these tests commit for real instead,
# as production does (and on_commit callbacks run when they would in production).
# serialized_rollback brings back the reference data (regions, catalogue) that the flush
# after a transactional test removes.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker() -> None:
    """One pass of the real worker: run every task that is due, then exit."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {s: signal.getsignal(s) for s in signals}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        # The worker installs its own shutdown handlers; give pytest its own back.
        for s, handler in saved.items():
            signal.signal(s, handler)


def checks_for(request: CareRequest) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=CHECK, args_kwargs__kwargs__request_id=request.pk
        ).order_by("run_after")
    )


def pending(request: CareRequest) -> list[DBTaskResult]:
    return [t for t in checks_for(request) if t.status == "READY"]


def escalations(request: CareRequest) -> list[Event]:
    return list(Event.objects.filter(request=request, action="escalate").order_by("at", "pk"))


def new_request(
    c: Cast, *, service: str = "laundry.wash", veteran: bool = True, announce: bool = True
) -> CareRequest:
    """A request the liaison asks for; announced (its deadline watched) as its task does."""
    request = request_create(
        actor=c.liaison,
        service_type=ServiceType.objects.get(code=service),
        institution=c.institution_a,
        veteran=c.veteran_a2 if veteran else None,
        channel=Channel.WARD,
    )
    if announce:
        request_announce.call(request_id=request.pk)
    return request


def at(moment: datetime.datetime) -> AbstractContextManager[Any]:
    return time_machine.travel(moment, tick=False)


def _visit_tomorrow() -> tuple[datetime.datetime, datetime.datetime]:
    moscow = datetime.timezone(datetime.timedelta(hours=3))
    starts = (timezone.now() + datetime.timedelta(days=1)).astimezone(moscow)
    starts = starts.replace(hour=15, minute=0, second=0, microsecond=0)
    return starts, starts + datetime.timedelta(hours=1)


def complete(c: Cast, request: CareRequest) -> CareRequest:
    """The whole way to "completed": triaged, taken, scheduled, visited."""
    request_triage(actor=c.coord_a, request=request)
    request_claim(actor=c.volunteer_user, request=request)
    starts, ends = _visit_tomorrow()
    request_schedule(actor=c.volunteer_user, request=request, starts=starts, ends=ends)
    request_check_in(actor=c.volunteer_user, request=request)
    return request_complete(actor=c.volunteer_user, request=request, outcome="Постирали")


@pytest.mark.django_db
def test_creating_a_request_enqueues_one_deadline_check_due_at_the_deadline(
    care_cast: Cast,
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list[Any]]],
) -> None:
    client.force_login(care_cast.liaison)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/requests",
            {"service": "laundry.wash", "institution": care_cast.institution_a.pk},
            content_type="application/json",
        )
    assert response.status_code == 201, response.json()
    request = CareRequest.objects.get(pk=response.json()["id"])
    [announcement] = DBTaskResult.objects.all()  # the answer did not wait for the rest
    assert announcement.task_path == "ryadom.care.tasks.request_announce"
    with django_capture_on_commit_callbacks(execute=True):
        request_announce.call(request_id=request.pk)

    [check] = DBTaskResult.objects.filter(task_path=CHECK)
    assert check.task_path == CHECK
    assert check.args_kwargs == {"args": [], "kwargs": {"request_id": request.pk}}
    assert check.status == "READY"
    assert check.run_after == request.deadline


@pytest.mark.django_db
def test_the_check_is_enqueued_only_when_the_request_is_committed(
    care_cast: Cast,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list[Any]]],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = new_request(care_cast, announce=False)
    assert not DBTaskResult.objects.exists()  # a rolled-back request would leave no task
    for callback in callbacks:
        callback()  # the announcement's task
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_announce.call(request_id=request.pk)
    assert checks_for(request) == []
    for callback in callbacks:
        callback()
    assert [t.run_after for t in checks_for(request)] == [request.deadline]


@transactional
def test_a_missed_deadline_escalates_to_the_region_then_24_hours_later_to_federal_staff(
    care_cast: Cast, client: Client
) -> None:
    request = new_request(care_cast)
    deadline = request.deadline

    with at(deadline + MINUTE):
        run_worker()
    request.refresh_from_db()
    assert request.escalation_level == 1
    assert request.status == Status.NEW  # escalation does not move the request itself
    [first] = escalations(request)
    # Stored as a code, read in the reader's language.
    assert first.code == "escalated_regional"
    assert first.text == "Deadline missed: escalated to the regional coordinator."
    [done, follow_up] = checks_for(request)
    assert (done.status, done.return_value) == ("SUCCESSFUL", "escalated to 1")
    assert follow_up.status == "READY"
    assert follow_up.run_after == deadline + FEDERAL_AFTER

    client.force_login(care_cast.coord_a)
    detail = client.get(f"/api/v1/requests/{request.pk}").json()
    assert detail["escalation_level"] == 1
    assert [e["action"] for e in detail["timeline"]] == ["create", "escalate"]

    with at(deadline + FEDERAL_AFTER + MINUTE):
        run_worker()
    request.refresh_from_db()
    assert request.escalation_level == 2
    with translation.override("ru"):
        assert "федеральный уровень" in escalations(request)[-1].text
    assert len(escalations(request)) == 2
    # Federal staff is the last level: nothing further is scheduled.
    assert [t.status for t in checks_for(request)] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert pending(request) == []


@transactional
def test_the_worker_leaves_a_request_alone_until_its_deadline_passes(care_cast: Cast) -> None:
    request = new_request(care_cast)
    with at(request.deadline - MINUTE):
        run_worker()
    request.refresh_from_db()
    assert request.escalation_level == 0
    assert escalations(request) == []
    assert [t.status for t in checks_for(request)] == ["READY"]

    with at(request.deadline + MINUTE):
        run_worker()
    # Not yet federal: the regional coordinator has 24 hours.
    with at(request.deadline + FEDERAL_AFTER - MINUTE):
        run_worker()
    request.refresh_from_db()
    assert request.escalation_level == 1
    assert [t.status for t in checks_for(request)] == ["SUCCESSFUL", "READY"]


@transactional
def test_a_request_completed_before_its_deadline_is_not_escalated(care_cast: Cast) -> None:
    request = complete(care_cast, new_request(care_cast))
    assert request.status == Status.COMPLETED

    with at(request.deadline + MINUTE):
        run_worker()
    with at(request.deadline + FEDERAL_AFTER * 3):
        run_worker()
    request.refresh_from_db()
    assert request.escalation_level == 0
    assert escalations(request) == []
    [check] = checks_for(request)
    assert (check.status, check.return_value) == ("SUCCESSFUL", "done")


@transactional
def test_running_the_same_check_twice_escalates_once(care_cast: Cast) -> None:
    from ryadom.care.tasks import check_deadline

    request = new_request(care_cast)
    # A duplicate of the check, as a retry or a second enqueue would leave behind.
    check_deadline.using(run_after=request.deadline).enqueue(request_id=request.pk)

    with at(request.deadline + MINUTE):
        run_worker()
        run_worker()
    request.refresh_from_db()
    assert request.escalation_level == 1
    assert len(escalations(request)) == 1
    assert sorted(t.return_value for t in checks_for(request) if t.status != "READY") == [
        "escalated to 1",
        "not due",
    ]
    assert len(pending(request)) == 1  # one follow-up, not one per run


@transactional
def test_nothing_is_enqueued_again_while_nothing_is_due(care_cast: Cast) -> None:
    requests = [new_request(care_cast, service=s) for s in ("laundry.wash", "purchases.groceries")]
    assert [len(checks_for(r)) for r in requests] == [1, 1]
    soonest = min(r.deadline for r in requests)
    tasks = DBTaskResult.objects.count()

    start = timezone.now()
    for hours in (0, 1, 6, 12):
        moment = min(start + datetime.timedelta(hours=hours), soonest - MINUTE)
        with at(moment):
            run_worker()
    # No polling: the worker found nothing due, ran nothing and scheduled nothing.
    assert DBTaskResult.objects.count() == tasks
    assert [[t.status for t in checks_for(r)] for r in requests] == [["READY"], ["READY"]]


@transactional
def test_a_request_reopened_after_its_deadline_passed_is_escalated_if_nobody_helps(
    care_cast: Cast,
) -> None:
    c = care_cast
    request = complete(c, new_request(c))
    with at(request.deadline + MINUTE):
        run_worker()  # the check finds the work done and stops watching
        request_feedback(
            actor=c.liaison,
            request=request,
            done=False,
            respectful=True,
            comment="Бельё так и не вернули",
        )
    request.refresh_from_db()
    assert request.status == Status.TRIAGED

    # Whatever new time the reopened request is given, the standard's time has long passed.
    hours = request.service_type.standard_hours
    with at(request.deadline + datetime.timedelta(hours=hours) + FEDERAL_AFTER):
        run_worker()
    request.refresh_from_db()
    assert request.escalation_level >= 1, (
        "an open request past its deadline is watched by nothing after a reopen"
    )
