"""The small demo is a living system: what it made passes the product's own rules."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.models import CareRequest, Event, Status
from ryadom.care.page_selectors import volunteer_open_requests
from ryadom.demo.accounts import ensure_demo_accounts
from ryadom.dispatch.adapter import OPEN_FOR_MATCHING
from ryadom.dispatch.models import RunStatus
from ryadom.dispatch.selectors import request_recommendations
from ryadom.dispatch.services import matching_run_create, matching_run_solve
from ryadom.geo.models import Region
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
    members = Volunteer.objects.filter(memberships__status="approved").distinct()
    passed: dict[int, set[str]] = {}
    for volunteer_id, kind in checks.filter(status=CheckStatus.PASSED).values_list(
        "volunteer_id", "kind"
    ):
        passed.setdefault(volunteer_id, set()).add(kind)
    cleared = [v for v in members if PASS_LEVEL <= passed.get(v.pk, set())]
    assert len(cleared) > 0.7 * members.count()
    short = [v for v in members if not PASS_LEVEL <= passed.get(v.pk, set())]
    assert short, "some members still miss a step"
    soon = checks.filter(
        status=CheckStatus.PASSED,
        valid_until__gte=TODAY,
        valid_until__lte=TODAY + datetime.timedelta(days=30),
    )
    assert 0 < soon.values("volunteer").distinct().count() < 0.3 * members.count()
    screening = Counter(checks.filter(kind=CheckKind.SCREENING).values_list("status", flat=True))
    assert screening[CheckStatus.PASSED] > screening[CheckStatus.IN_PROGRESS] > 0
    assert not checks.filter(kind=CheckKind.SCREENING, status="passed", valid_until=None).exists()


@pytest.mark.usefixtures("small_demo")
def test_every_historical_assignee_could_take_the_request_on_the_day_they_took_it() -> None:
    ensure_demo_accounts(today=TODAY)

    taken = (
        CareRequest.objects.filter(volunteer__isnull=False)
        .select_related("institution", "service_type", "veteran")
        .prefetch_related("volunteer__checks")
    )
    assert taken.count() > SMALL.requests / 2
    took = dict(
        Event.objects.filter(action__in=["claim", "assign"]).values_list("request_id", "at")
    )
    for request in taken:
        day = timezone.localdate(took[request.pk])
        missing = request_missing_steps(volunteer=request.volunteer, request=request, on=day)
        assert missing == [], (request.pk, day, [m.code for m in missing])


@pytest.mark.usefixtures("small_demo")
def test_most_open_requests_of_every_region_have_three_suggested_volunteers(client: Client) -> None:
    ensure_demo_accounts(today=TODAY)
    federal = User.objects.get(username="federal")

    suggested: dict[str, list[int]] = {}
    open_requests = CareRequest.objects.filter(status__in=OPEN_FOR_MATCHING)
    for request in open_requests.select_related("region"):
        found = request_recommendations(actor=federal, request=request)
        suggested.setdefault(request.region.code, []).append(len(found))
    assert set(suggested) == set(SMALL.region_codes)
    for code, counts in suggested.items():
        assert sum(n >= 3 for n in counts) > len(counts) / 2, (code, counts)

    # The API answers the same to the Moscow coordinator.
    client.force_login(User.objects.get(username="coord-moscow"))
    moscow = open_requests.filter(region__code="77")
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

    run = matching_run_create(actor=coordinator, region=Region.objects.get(code="77"))
    solved = matching_run_solve(run_id=run.pk)

    assert solved is not None and solved.status == RunStatus.PROPOSED
    assert solved.proposals.exists()


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
    assert volunteer_open_requests(actor=user, volunteer=volunteer)


@pytest.mark.usefixtures("small_demo")
def test_openings_are_posted_with_applications_answered_and_waiting(client: Client) -> None:
    openings = Opening.objects.all()
    assert openings.count() >= len(SMALL.region_codes)
    assert set(openings.values_list("region__code", flat=True)) == set(SMALL.region_codes)
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert statuses[ApplicationStatus.ACCEPTED] > 0 and statuses[ApplicationStatus.PENDING] > 0
    for opening in openings:
        accepted = opening.applications.filter(status=ApplicationStatus.ACCEPTED).count()
        assert accepted <= opening.needed
    assert AuditEvent.objects.filter(action="opening.applied").count() == sum(statuses.values())

    page = client.get("/openings/")
    assert page.status_code == 200
    text = page.content.decode()
    assert any(o.title in text for o in openings)
