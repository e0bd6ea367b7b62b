"""The demo commands and the generator's seed, each on a database of its own making."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Sum
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ryadom.aftercare.models import DischargePlan
from ryadom.analytics.models import AfterWardDay, RegionWeekTotal
from ryadom.care.models import CareRequest, Status
from ryadom.demo.accounts import ensure_demo_accounts
from ryadom.institutions.models import Institution
from ryadom.referrals.models import Referral
from ryadom.veterans.models import Veteran
from tests.demo.small import SMALL, TODAY, fingerprint, make_small

# These tests need an empty database to begin with, so they do not share the small demo
# that the other modules of this package make once (tests/demo/conftest.py).
pytestmark = pytest.mark.django_db


def test_demo_accounts_on_an_empty_database_create_the_minimum_they_need() -> None:
    accounts = ensure_demo_accounts(today=TODAY)

    assert len(accounts) == 11
    assert Institution.objects.filter(region__code="77").count() == 1
    assert Veteran.objects.get(user__username="veteran").stays.count() == 1


def test_the_same_seed_gives_the_same_data_and_another_seed_other_people() -> None:
    with transaction.atomic():
        make_small()
        first = fingerprint()
        transaction.set_rollback(True)  # back to the empty database, as after a flush
    assert not Institution.objects.exists()
    with transaction.atomic():
        make_small()
        again = fingerprint()
        transaction.set_rollback(True)

    make_small(seed=2)
    other = fingerprint()

    assert sum(len(v) for v in first.values()) > 2000
    assert again == first
    assert other["users"] != first["users"]
    assert other["organisations"] != first["organisations"]


def test_command_reports_counts_and_if_empty_leaves_existing_data_alone() -> None:
    out = io.StringIO()
    call_command("demo_data", "--scale", "small", stdout=out)
    assert "volunteers_volunteer" in out.getvalue() and "total" in out.getvalue()
    before = fingerprint()

    again = io.StringIO()
    call_command("demo_data", "--scale", "small", "--if-empty", stdout=again)

    assert "nothing generated" in again.getvalue()
    assert fingerprint() == before
    with pytest.raises(CommandError, match="institutions already"):
        call_command("demo_data", "--scale", "small", stdout=io.StringIO())


def test_demo_data_command_builds_the_dashboards_figures() -> None:
    out = io.StringIO()
    call_command("demo_data", "--scale", "small", stdout=out)

    assert "Dashboards built" in out.getvalue()
    total = RegionWeekTotal.objects.aggregate(created=Sum("created"), confirmed=Sum("confirmed"))
    assert total["created"] == CareRequest.objects.count() == SMALL.requests
    assert total["confirmed"] == CareRequest.objects.filter(status=Status.CONFIRMED).count()
    # And the figures after the ward: every discharge and plan of the demo (referrals come
    # with the demo accounts).
    after = AfterWardDay.objects.aggregate(
        discharges=Sum("discharges"), plans=Sum("with_plan"), sent=Sum("referrals_sent")
    )
    assert (after["sent"] or 0) == Referral.objects.count()
    assert 0 < after["plans"] == DischargePlan.objects.count() < after["discharges"]


def test_schedules_start_queues_each_chain_once_however_often_it_runs(
    django_capture_on_commit_callbacks: Any,
) -> None:
    paths = [
        "ryadom.volunteers.tasks.warn_expiring_checks",
        "ryadom.analytics.tasks.rebuild_rollups",
        "ryadom.notifications.tasks.digests_plan",
        "ryadom.referrals.tasks.sweep_answers",
    ]

    def queued() -> dict[str, int]:
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path__in=paths)
        return dict(ready.values_list("task_path").annotate(n=Count("id")))

    first = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("schedules_start", stdout=first)
    # The digests are planned two days ahead: tomorrow's and the next day's.
    assert queued() == {path: 1 for path in paths[:2]} | {paths[2]: 2, paths[3]: 1}
    again = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("schedules_start", stdout=again)

    assert queued() == {path: 1 for path in paths[:2]} | {paths[2]: 2, paths[3]: 1}
    assert again.getvalue().count("already queued") == 4
