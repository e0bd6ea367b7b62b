"""Rollups kept by refresh tasks equal a direct count from the raw tables, and so does the
nightly rebuild, whatever sequence of lifecycle events happened (hypothesis)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from ryadom.accounts.models import Role, RoleAssignment
from ryadom.accounts.services import role_assign
from ryadom.analytics.facts import fact_columns, facts_queryset
from ryadom.analytics.models import RequestFact, VolunteerSnapshot
from ryadom.analytics.services import FACT_FIELDS, rollups_rebuild
from ryadom.analytics.tasks import refresh_request
from ryadom.care.models import CareRequest, Channel, Complaint
from ryadom.care.services.coordination import (
    complaint_answer,
    request_assign,
    request_cancel,
    request_reopen,
    request_triage,
    requests_follow_veteran,
)
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_feedback
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_decline,
    request_schedule,
)
from ryadom.care.tasks import check_deadline
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError
from tests.analytics.conftest import direct_rollups, run_refreshes, stored_rollups
from tests.conftest import Cast
from tests.notifications.conftest import _database_backend, transactional

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=datetime.UTC)  # a Monday, 12:00 Moscow
VERBS = [
    "create", "triage", "assign", "assign_ngo", "claim", "decline", "schedule", "check_in",
    "complete", "feedback", "cancel", "reopen", "answer", "move", "escalate", "wait",
]  # fmt: skip
# "advance" takes the step that moves a request on, so that requests get far in their lives.
ADVANCE = {
    "new": "triage",
    "triaged": "claim",
    "assigned": "schedule",
    "scheduled": "check_in",
    "in_progress": "complete",
    "completed": "feedback",
    "confirmed": "answer",
}
STEPS = st.lists(
    st.tuples(
        st.sampled_from(VERBS + ["advance"] * 12),
        st.integers(0, 3),  # which request
        st.booleans(),  # done / upheld / which side
        st.booleans(),  # respectful
        st.integers(1, 5),  # rating, or hours to wait
    ),
    min_size=10,
    max_size=40,
)


def _act(cast: Cast, verb: str, request: CareRequest, flags: tuple[bool, bool, int]) -> None:
    yes, respectful, n = flags
    in_a = request.institution_id == cast.institution_a.pk
    coord = cast.coord_a if in_a else cast.coord_b
    if verb == "triage":
        request_triage(actor=coord, request=request)
    elif verb == "assign":
        volunteer = cast.volunteer_a if in_a else cast.volunteer_b
        request_assign(actor=coord, request=request, volunteer=volunteer)
    elif verb == "assign_ngo":
        ngo = cast.ngo_a if yes else cast.ngo_b
        request_assign(actor=coord, request=request, organisation=ngo)
    elif verb == "claim":
        request_claim(actor=cast.volunteer_user, request=request)
    elif verb == "decline":
        request_decline(actor=coord, request=request, reason="busy")
    elif verb == "schedule":
        day = (timezone.now() + datetime.timedelta(days=1)).date()
        starts = datetime.datetime.combine(day, datetime.time(10, 7, 30), tzinfo=datetime.UTC)
        request_schedule(
            actor=coord, request=request, starts=starts, ends=starts + datetime.timedelta(hours=n)
        )
    elif verb in ("check_in", "complete"):
        for actor in (cast.volunteer_user, cast.volunteer_b.user, cast.ngo_manager):
            try:
                if verb == "check_in":
                    request_check_in(actor=actor, request=request)
                else:
                    request_complete(actor=actor, request=request)
            except ApplicationError:
                request.refresh_from_db()
                continue
            return
    elif verb == "feedback":
        asker = cast.liaison if in_a else cast.coord_b
        request_feedback(actor=asker, request=request, done=yes, respectful=respectful, rating=n)
    elif verb == "cancel":
        request_cancel(actor=coord, request=request, reason="not needed")
    elif verb == "reopen":
        request_reopen(actor=coord, request=request, reason="not done")
    elif verb == "answer":
        complaint = Complaint.objects.filter(request=request, answered_at__isnull=True).first()
        if complaint is not None:
            complaint_answer(actor=coord, complaint=complaint, answer="ok", upheld=yes)
    elif verb == "move" and request.veteran_id is not None:
        target = cast.institution_b if in_a else cast.institution_a
        requests_follow_veteran(
            actor=None, veteran=request.veteran, institution=target, department=None
        )
    elif verb == "escalate":
        check_deadline.call(request_id=request.pk)


def _create(cast: Cast, which: int, service: ServiceType) -> CareRequest:
    if which % 2 == 0:
        return request_create(
            actor=cast.liaison,
            service_type=service,
            institution=cast.institution_a,
            veteran=cast.veteran_a2 if which else None,
            channel=Channel.WARD,
        )
    return request_create(
        actor=cast.coord_b,
        service_type=service,
        institution=cast.institution_b,
        veteran=cast.veteran_b,
        channel=Channel.PHONE,
    )


def test_fact_columns_are_in_table_order() -> None:
    assert list(fact_columns()) == FACT_FIELDS


@given(steps=STEPS)
def test_rollups_equal_a_direct_count_after_any_events(
    care_cast: Cast, django_capture_on_commit_callbacks: Any, steps: list[Any]
) -> None:
    cast = care_cast
    if not RoleAssignment.objects.filter(user=cast.volunteer_b.user).exists():
        role_assign(actor=None, user=cast.volunteer_b.user, role=Role.VOLUNTEER)
    service_types = list(
        ServiceType.objects.filter(code__in=["leisure.reading", "purchases.groceries"])
    )
    with transaction.atomic(), time_machine.travel(START, tick=False) as clock:
        ids: list[int] = []
        for verb, which, *flags in steps:
            with django_capture_on_commit_callbacks(execute=True):
                if verb == "create" or not ids:
                    try:
                        ids.append(_create(cast, which, service_types[which % 2]).pk)
                    except ApplicationError:
                        pass
                elif verb == "wait":
                    clock.shift(datetime.timedelta(hours=flags[2] * 7, seconds=flags[2] * 13))
                else:
                    request = CareRequest.objects.get(pk=ids[which % len(ids)])
                    if verb == "advance":
                        verb = ADVANCE.get(request.status, "wait")
                        if verb == "claim" and request.institution_id != cast.institution_a.pk:
                            verb = "assign"
                    try:
                        _act(cast, verb, request, tuple(flags))  # type: ignore[arg-type]
                    except ApplicationError:
                        pass
            run_refreshes()
            clock.shift(datetime.timedelta(minutes=17, seconds=41))
        expected = direct_rollups()
        assert stored_rollups() == expected
        assert RequestFact.objects.count() == len(ids)

        rollups_rebuild()
        assert stored_rollups() == expected
        assert list(RequestFact.objects.order_by("pk").values_list(*FACT_FIELDS)) == list(
            facts_queryset().order_by("pk")
        )
        transaction.set_rollback(True)


def test_refresh_twice_changes_nothing(
    care_cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    service = ServiceType.objects.get(code="leisure.reading")
    with django_capture_on_commit_callbacks(execute=True):
        request = _create(care_cast, 1, service)
    assert run_refreshes() == 1
    before = stored_rollups()
    from ryadom.analytics.services import request_rollups_refresh

    assert request_rollups_refresh(request_id=request.pk) is False
    assert stored_rollups() == before


def test_rebuild_counts_idle_and_busy_volunteers(
    care_cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    service = ServiceType.objects.get(code="leisure.reading")
    with django_capture_on_commit_callbacks(execute=True):
        request = _create(care_cast, 0, service)
        request_assign(actor=care_cast.coord_a, request=request, volunteer=care_cast.volunteer_a)
    run_refreshes()
    # The refresh has noted the volunteer who took it; the rebuild sees everyone.
    assert VolunteerSnapshot.objects.get(volunteer_id=care_cast.volunteer_a.pk).holding
    rollups_rebuild()
    snapshots = {s.volunteer_id: s for s in VolunteerSnapshot.objects.all()}
    assert snapshots[care_cast.volunteer_a.pk].holding
    assert snapshots[care_cast.volunteer_a.pk].eligible
    assert not snapshots[care_cast.volunteer_b.pk].holding


def test_rebuild_command_and_the_nightly_chain(care_cast: Cast) -> None:
    import io

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from ryadom.analytics.tasks import rebuild_rollups

    out = io.StringIO()
    call_command("analytics_rebuild", stdout=out)
    assert "rebuilt in" in out.getvalue()
    with time_machine.travel(datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.UTC)):
        call_command("analytics_rebuild", "--nightly", stdout=out)
        queued = DBTaskResult.objects.get(task_path=rebuild_rollups.module_path)
        # 03:30 Moscow is 00:30 UTC: already past at 01:00 UTC, so the next day's.
        assert queued.run_after == datetime.datetime(2026, 11, 24, 0, 30, tzinfo=datetime.UTC)
        rebuild_rollups.call(reschedule=True)
        assert DBTaskResult.objects.filter(task_path=rebuild_rollups.module_path).count() == 2


def test_a_request_handed_over_home_counts_in_the_home_region_beside_the_hospitals(
    care_cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """Two requests of one service at one hospital: one stays in the hospital's region, the
    other goes home with its veteran (aftercare). Each counts in its own region, incrementally
    and after a rebuild."""
    from tests.aftercare.conftest import discharge, plan_with_consent

    c = care_cast
    service = ServiceType.objects.get(code="after_discharge.home_help")
    with django_capture_on_commit_callbacks(execute=True):
        for veteran in (c.veteran_a, c.veteran_a2):
            request_create(
                actor=c.liaison,
                service_type=service,
                institution=c.institution_a,
                veteran=veteran,
                channel=Channel.WARD,
            )
    with django_capture_on_commit_callbacks(execute=True):
        plan_with_consent(c, discharge(c))
    run_refreshes()
    regions = set(CareRequest.objects.values_list("region__code", flat=True))
    assert regions == {c.institution_a.region.code, "61"}
    expected = direct_rollups()
    assert stored_rollups() == expected

    rollups_rebuild()
    assert stored_rollups() == expected


@transactional
def test_the_worker_that_announces_a_new_request_also_brings_the_dashboards_up_to_date(
    care_cast: Cast,
) -> None:
    service = ServiceType.objects.get(code="leisure.reading")
    _create(care_cast, 1, service)
    _create(care_cast, 2, service)
    _database_backend().run_worker()
    assert stored_rollups() == direct_rollups()
    # Inside the announcement's own job: no refresh waits in the queue as a job of its own.
    assert not DBTaskResult.objects.filter(task_path=refresh_request.module_path).exists()
