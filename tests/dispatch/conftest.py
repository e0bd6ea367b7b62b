"""A region with open requests and volunteers near them, made through the real services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.care.models import CareRequest, Channel
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.dispatch.models import MatchingRun
from ryadom.dispatch.services import matching_run_create
from ryadom.dispatch.tasks import solve_run
from ryadom.geo.models import Region as GeoRegion
from ryadom.institutions.models import Institution
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Volunteer
from tests import factories as f
from tests.conftest import Cast


@pytest.fixture(autouse=True)
def _pages_in_english(client: Client) -> None:
    """Pages and API answers are asserted in English; Russian is the site's default."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


PASS_CHECKS = (CheckKind.IDENTITY, CheckKind.AGREEMENT, CheckKind.TRAINING, CheckKind.MEDICAL)


def clear(volunteer: Volunteer, by: object, kinds: tuple[str, ...] = PASS_CHECKS) -> None:
    """Record the checks as passed (no expiry)."""
    for kind in kinds:
        Check.objects.update_or_create(
            volunteer=volunteer,
            kind=kind,
            defaults={
                "status": CheckStatus.PASSED,
                "verified_by": by,
                "verified_at": timezone.now(),
                "valid_until": None,
            },
        )


def ask(c: Cast, *, veteran: object = None, service: str = "laundry.wash",
        institution: Institution | None = None, triage: bool = True) -> CareRequest:  # fmt: skip
    """A request entered by the coordinator of region A, opened for helpers."""
    request = request_create(
        actor=c.coord_a,
        service_type=ServiceType.objects.get(code=service),
        institution=institution or c.institution_a,
        veteran=veteran,  # type: ignore[arg-type]
        channel=Channel.PHONE,
    )
    if triage:
        request_triage(actor=c.coord_a, request=request)
    return request


@dataclass
class Region:
    """Region A of the cast with three cleared volunteers near hospital A and 3 requests."""

    c: Cast
    near: list[Volunteer]  # cleared, 1, 2 and 3 km from hospital A
    requests: list[CareRequest]


@pytest.fixture
def region_a(care_cast: Cast) -> Region:
    c = care_cast
    inst = c.institution_a
    near = [c.volunteer_a]
    # volunteer_a lives at the hospital's point; two more a little further away.
    for km in (2, 3):
        v = f.VolunteerFactory(region=inst.region, lat=inst.lat + km / 111.0, lon=inst.lon)
        role_assign(actor=None, user=v.user, role=Role.VOLUNTEER)
        f.MembershipFactory(volunteer=v, organisation=c.ngo_a)
        clear(v, c.ngo_manager)
        near.append(v)
    requests = [ask(c, veteran=c.veteran_a), ask(c, veteran=c.veteran_a2), ask(c)]
    return Region(c, near, requests)


def run_queued() -> int:
    """Solve every queued matching run, as the database worker would; how many ran."""
    ran = 0
    for row in DBTaskResult.objects.ready().filter(task_path=solve_run.module_path):
        result = row.task_result
        row.set_successful(row.task.call(*result.args, **result.kwargs))
        ran += 1
    return ran


class StartRun(Protocol):
    def __call__(
        self, *, actor: Any, region: GeoRegion | None, dry_run: bool = False, solve: bool = True
    ) -> MatchingRun: ...


@pytest.fixture
def start_run(django_capture_on_commit_callbacks: Callable[..., Any]) -> StartRun:
    """Queue a run through the service (its task is enqueued on commit), then solve it."""

    def start(
        *, actor: Any, region: GeoRegion | None, dry_run: bool = False, solve: bool = True
    ) -> MatchingRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = matching_run_create(actor=actor, region=region, dry_run=dry_run)
        if solve:
            assert run_queued() == 1
        run.refresh_from_db()
        return run

    return start
