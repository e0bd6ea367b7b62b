"""Journey 3: a regional coordinator's morning: triage the new requests, run suggested
assignments and accept them, then an escalated request and a complaint."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.conftest import Visit, with_browser_password
from tests.browser.test_journey_ask import t
from tests.browser.test_journey_volunteer import sign_in_staff
from tests.conftest import Cast
from tests.dispatch.conftest import run_queued

from ryadom.care.models import CareRequest, Complaint, Status
from ryadom.care.services.coordination import request_assign, request_escalate, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_feedback
from ryadom.care.services.volunteer_work import request_check_in, request_complete, request_schedule
from ryadom.catalogue.models import ServiceType

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _ask(cast: Cast, code: str) -> CareRequest:
    return request_create(
        actor=cast.relative,
        service_type=ServiceType.objects.get(code=code),
        institution=cast.institution_a,
        veteran=cast.veteran_a,
        channel="web",
    )


def _completed_without_respect(cast: Cast) -> CareRequest:
    """Asked, visited and rated yesterday, within the ward's visiting hours whatever the time
    of day the test runs at."""
    zone = cast.institution_a.region.zone
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(yesterday, datetime.time(11), zone)):
        request = _ask(cast, "laundry.wash")
        request_triage(actor=cast.coord_a, request=request)
        request = request_assign(actor=cast.coord_a, request=request, volunteer=cast.volunteer_a)
        start = timezone.now() + datetime.timedelta(hours=2)
        request = request_schedule(
            actor=cast.volunteer_user,
            request=request,
            starts=start,
            ends=start + datetime.timedelta(hours=1),
        )
        request = request_check_in(actor=cast.volunteer_user, request=request)
        request = request_complete(actor=cast.volunteer_user, request=request)
        request_feedback(
            actor=cast.relative, request=request, done=True, respectful=False, comment="Грубо."
        )
    return request


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_coordinators_morning(care_cast: Cast, open_visit, language: str) -> None:
    cast = care_cast
    morning = [_ask(cast, "tech.letter"), _ask(cast, "leisure.reading")]
    escalated = _ask(cast, "purchases.groceries")
    request_triage(actor=cast.coord_a, request=escalated)
    # Its deadline passed in the night; the deadline task escalated it.
    CareRequest.objects.filter(pk=escalated.pk).update(
        deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    request_escalate(request=CareRequest.objects.get(pk=escalated.pk), expected_level=0)
    complained = _completed_without_respect(cast)

    with_browser_password(cast.coord_a)
    v: Visit = open_visit(language, "coordinator")
    page = v.page
    sign_in_staff(v, cast.coord_a, then="/queue/")
    v.axe()
    v.shot("1-queue")
    # The queue and, below, the proposals are cards on a phone (Visit.axe checks each page).
    assert page.locator("main table.ry-table-cards").count() == 1

    # The escalated request first: it is marked overdue; one of the suggested helpers.
    overdue_row = page.locator("tr.overdue")
    assert overdue_row.count() == 1
    overdue_row.get_by_role("link").click()
    page.wait_for_load_state()
    v.axe()
    suggested = page.locator(
        "section", has=page.get_by_role("heading", name=t(v, "Suggested volunteers"))
    )
    suggested.get_by_role("button", name=re.compile(t(v, "Assign"))).first.click()
    page.wait_for_load_state()
    escalated.refresh_from_db()
    assert escalated.status == Status.ASSIGNED
    v.go("/queue/")

    # Triage the new ones in one go.
    for request in morning:
        page.locator(f"#sel-{request.pk}").check()
    page.get_by_role("button", name=t(v, "Triage selected")).click()
    page.wait_for_load_state()
    v.axe()
    assert {r.status for r in CareRequest.objects.filter(pk__in=[r.pk for r in morning])} == {
        Status.TRIAGED
    }

    # Suggested assignments: a run, its proposals with reasons, accept all.
    page.get_by_role("link", name=t(v, "Suggest assignments")).click()
    v.axe()
    page.locator("main form").get_by_role("button", name=t(v, "Suggest assignments")).click()
    page.wait_for_load_state()
    v.see(t(v, "The run is being prepared"))
    v.axe()
    # The worker solves the run; the waiting page reloads itself and shows the proposals.
    assert run_queued() == 1
    expect(page.locator("main")).to_contain_text(t(v, "Nobody proposed"), timeout=15_000)
    v.axe()
    v.shot("2-proposals")
    assert page.locator("main table.ry-table-cards").count() == 1
    page.get_by_role("button", name=t(v, "Accept all")).click()
    page.wait_for_load_state()
    v.axe()
    statuses = dict(
        CareRequest.objects.filter(pk__in=[r.pk for r in morning]).values_list("pk", "status")
    )
    assert sorted(statuses.values()) == [Status.ASSIGNED, Status.TRIAGED]  # one had nobody

    # The complaint: "not treated with respect". Answer it and say it is justified.
    v.go(f"/requests/{complained.pk}/")
    v.see(t(v, "The veteran says they were not treated with respect."))
    v.axe()
    page.get_by_label(t(v, "Answer to the veteran")).fill(
        "Мы поговорили с волонтёром и приносим извинения."
    )
    page.get_by_label(t(v, "The complaint is justified")).check()
    page.get_by_role("button", name=t(v, "Send the answer")).click()
    page.wait_for_load_state()
    v.axe()
    v.shot("3-complaint")
    complaint = Complaint.objects.get(request=complained)
    assert complaint.upheld is True
    assert complaint.answer == "Мы поговорили с волонтёром и приносим извинения."
