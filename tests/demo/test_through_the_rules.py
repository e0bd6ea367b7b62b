"""The small demo is a living system: what it made passes the product's own rules."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.models import CareRequest, Status
from ryadom.demo.accounts import ensure_demo_accounts
from ryadom.demo.health import (
    checks_figures,
    historical_takers,
    moscow_proposals,
    openings_figures,
    suggestions_by_region,
    volunteer_takeable,
)
from ryadom.dispatch.adapter import OPEN_FOR_MATCHING
from ryadom.dispatch.models import MatchingRun
from ryadom.dispatch.selectors import request_recommendations
from ryadom.openings.models import Application, ApplicationStatus, Opening
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Membership, Volunteer
from tests.demo.small import SMALL, TODAY

pytestmark = pytest.mark.django_db

PASS_LEVEL = set(REQUIRED_CHECKS["pass"])


@pytest.mark.usefixtures("small_demo")
def test_members_checks_are_recorded_by_their_ngo_manager_in_a_realistic_mix() -> None:
    checks = Check.objects.select_related("verified_by")
    assert checks.count() > SMALL.volunteers
    # Through the service: each check has its audit row, by the manager who verified it.
    recorded = AuditEvent.objects.filter(action="check.recorded")
    assert set(recorded.values_list("target_id", flat=True)) == {str(c.pk) for c in checks}
    for check in checks:
        assert Membership.objects.filter(
            volunteer_id=check.volunteer_id,
            organisation__in=check.verified_by.roles.filter(role="ngo_manager").values("scope_id"),
        ).exists()
    figures = checks_figures()
    assert figures.audited == figures.checks
    assert figures.cleared > 0.7 * figures.members
    assert figures.cleared < figures.members, "some members still miss a step"
    assert 0 < figures.expiring < 0.3 * figures.members
    screening = figures.screening
    assert screening[CheckStatus.PASSED] > screening[CheckStatus.IN_PROGRESS] > 0
    assert not checks.filter(kind=CheckKind.SCREENING, status="passed", valid_until=None).exists()


@pytest.mark.usefixtures("small_demo")
def test_every_historical_assignee_could_take_the_request_on_the_day_they_took_it() -> None:
    ensure_demo_accounts(today=TODAY)

    takers = historical_takers()

    assert takers.taken > SMALL.requests / 2
    assert takers.refused == []


@pytest.mark.usefixtures("small_demo")
def test_most_open_requests_of_every_region_have_three_suggested_volunteers(client: Client) -> None:
    ensure_demo_accounts(today=TODAY)
    federal = User.objects.get(username="federal")

    suggested = suggestions_by_region(actor=federal)

    assert set(suggested) == set(SMALL.region_codes)
    for code, figures in suggested.items():
        assert figures.most, (code, figures.counts)

    # The API answers the same to the Moscow coordinator.
    client.force_login(User.objects.get(username="coord-moscow"))
    moscow = CareRequest.objects.filter(status__in=OPEN_FOR_MATCHING, region__code="77")
    for request in moscow:
        answer = client.get(f"/api/v1/requests/{request.pk}/recommendations")
        assert answer.status_code == 200
        assert len(answer.json()["items"]) == len(
            request_recommendations(actor=federal, request=request)
        )
    assert any(
        client.get(f"/api/v1/requests/{r.pk}/recommendations").json()["items"] for r in moscow
    )


@pytest.mark.usefixtures("small_demo")
def test_a_matching_run_for_moscow_proposes_assignments() -> None:
    ensure_demo_accounts(today=TODAY)
    coordinator = User.objects.get(username="coord-moscow")

    assert moscow_proposals(actor=coordinator) > 0
    # What the figure counts: the run is rolled back, the demo left as it was.
    assert not MatchingRun.objects.exists()


@pytest.mark.usefixtures("small_demo")
def test_the_demo_volunteer_is_cleared_for_the_military_hospital_and_sees_requests() -> None:
    ensure_demo_accounts(today=TODAY)
    user = User.objects.get(username="volunteer")
    volunteer = Volunteer.objects.prefetch_related("checks").get(user=user)

    planned = CareRequest.objects.select_related("institution", "service_type", "veteran").get(
        volunteer=volunteer, status=Status.SCHEDULED
    )
    assert planned.institution.access_level == "screening"
    assert request_missing_steps(volunteer=volunteer, request=planned, on=TODAY) == []
    assert AuditEvent.objects.filter(
        action="check.recorded",
        actor__username="ngo",
        target_id__in=[str(pk) for pk in volunteer.checks.values_list("pk", flat=True)],
    ).exists()
    assert volunteer_takeable(user=user) > 0


@pytest.mark.usefixtures("small_demo")
def test_openings_are_posted_with_applications_answered_and_waiting(client: Client) -> None:
    figures = openings_figures()

    assert figures.listed >= len(SMALL.region_codes)
    assert figures.regions == set(SMALL.region_codes)
    statuses = figures.applications
    assert statuses[ApplicationStatus.ACCEPTED] > 0 and statuses[ApplicationStatus.PENDING] > 0
    assert figures.overfilled == 0
    assert figures.audited == Application.objects.count()

    page = client.get("/openings/")
    assert page.status_code == 200
    text = page.content.decode()
    assert any(o.title in text for o in Opening.objects.all())


@pytest.mark.usefixtures("small_demo")
def test_the_health_command_prints_the_figures_and_holds_on_the_small_demo() -> None:
    ensure_demo_accounts(today=TODAY)
    out, err = io.StringIO(), io.StringIO()

    call_command("demo_health", "--per-region", "5", stdout=out, stderr=err)

    report = out.getvalue()
    for code in SMALL.region_codes:
        assert f"suggestions, region {code}:" in err.getvalue()
    assert "Matching run for Moscow proposes" in report
    assert "the eligibility rule refuses 0 of their takers" in report
    assert report.rstrip().endswith("The demo holds: every check passed.")
    assert not MatchingRun.objects.exists()


@pytest.mark.usefixtures("small_demo")
def test_the_health_command_reports_the_time_after_the_ward_and_the_dashboards_cost() -> None:
    ensure_demo_accounts(today=TODAY)
    out = io.StringIO()

    call_command("demo_health", "--after-the-ward", stdout=out)

    report = out.getvalue()
    figures = re.search(
        r"follow-up contacts reached (\d+) of (\d+) .*referral loops closed (\d+) of (\d+)", report
    )
    assert figures, report
    reached, closed, loops, referrals = map(int, figures.groups())
    assert 0 < reached <= closed and 0 < loops <= referrals
    assert re.search(r"^/dashboard/: 200, \d+ queries \(bound 20\)", report, re.M), report
    assert re.search(r"^/dashboard/regions/\d+/: 200, \d+ queries \(bound 30\)", report, re.M)
    assert "Suggested volunteers" not in report  # only the part asked for
    assert report.rstrip().endswith("The demo holds: every check passed.")


def test_the_health_command_asks_for_the_demo_accounts_first() -> None:
    with pytest.raises(CommandError, match="run `ryadom demo-accounts` first"):
        call_command("demo_health", stdout=io.StringIO())
