"""The coordinator's pages: suggest, read the reasons, accept all or some; the request page."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Channel, Status
from ryadom.care.services.coordination import request_assign, request_cancel
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_check_in, request_complete, request_schedule
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.dispatch.models import MatchingRun, ProposalStatus, RunStatus
from tests.dispatch.conftest import Region, run_queued

pytestmark = pytest.mark.django_db
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def summary_row(key: str, value: str) -> str:
    """A row of the run's summary list as the page shows it."""
    return (
        f'<dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value">{value}</dd>'
    )


@pytest.fixture
def suggest(django_capture_on_commit_callbacks: Any) -> Any:
    """Press "Suggest assignments" for region 77 and let the worker solve the run."""

    def press(client: Client, *, solve: bool = True) -> MatchingRun:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/matching/", {"region": "77"})
        assert response.status_code == 302, _text(response)
        run = MatchingRun.objects.get()
        assert response["Location"] == f"/matching/runs/{run.pk}/"
        if solve:
            assert run_queued() == 1
            run.refresh_from_db()
        return run

    return press


def test_queue_links_to_suggestions_for_coordinators(region_a: Region, client: Client) -> None:
    page = _text(_as(client, region_a.c.coord_a).get("/queue/"))
    assert 'href="/matching/"' in page and "Suggest assignments" in page
    page = _text(_as(Client(), region_a.c.liaison).get("/queue/"))
    assert 'href="/matching/"' not in page


def test_coordinator_suggests_reads_reasons_and_totals(
    region_a: Region, client: Client, suggest: Any, django_assert_max_num_queries: Any
) -> None:
    c = _as(client, region_a.c.coord_a)
    assert "Suggest assignments" in _text(c.get("/matching/"))
    run = suggest(c)
    with django_assert_max_num_queries(12):
        page = _text(c.get(f"/matching/runs/{run.pk}/"))
    assert "km from home" in page and "cleared to work in the institution" in page
    assert summary_row("Matched", "3") in page and summary_row("Unserved", "0") in page
    for r in region_a.requests:
        assert f'href="/requests/{r.pk}/"' in page
    assert "Accept all" in page and "Accept selected" in page
    # Nothing assigned until the coordinator accepts.
    assert not CareRequest.objects.filter(status=Status.ASSIGNED).exists()


def test_the_run_page_query_count_does_not_grow_with_proposals(
    region_a: Region, client: Client, suggest: Any, django_assert_max_num_queries: Any
) -> None:
    c = region_a.c
    for _ in range(6):
        request_create(
            actor=c.coord_a,
            service_type=ServiceType.objects.get(code="laundry.wash"),
            institution=c.institution_a,
            channel=Channel.PHONE,
        )
    run = suggest(_as(client, c.coord_a))
    assert run.matched == 9
    with django_assert_max_num_queries(12):
        client.get(f"/matching/runs/{run.pk}/")


def test_accept_selected_then_all_from_the_page(
    region_a: Region, client: Client, suggest: Any
) -> None:
    c = _as(client, region_a.c.coord_a)
    run = suggest(c)
    first, *rest = run.proposals.order_by("pk")
    response = c.post(f"/matching/runs/{run.pk}/accept/", {"ids": [first.pk]}, follow=True)
    assert "1 helper assigned." in _text(response)
    assert list(
        CareRequest.objects.filter(status=Status.ASSIGNED).values_list("pk", flat=True)
    ) == [first.request_id]
    response = c.post(f"/matching/runs/{run.pk}/accept/", {"all": "1"}, follow=True)
    assert "2 helpers assigned." in _text(response)
    assert set(run.proposals.values_list("status", flat=True)) == {ProposalStatus.ACCEPTED}
    for p in run.proposals.all():
        assert CareRequest.objects.get(pk=p.request_id).volunteer_id == p.volunteer_id


def test_stale_proposals_are_reported_on_the_page(
    region_a: Region, client: Client, suggest: Any
) -> None:
    c = _as(client, region_a.c.coord_a)
    run = suggest(c)
    p = run.proposals.select_related("request").order_by("pk").first()
    assert p is not None
    request_cancel(actor=region_a.c.coord_a, request=p.request, reason="Discharged")
    response = c.post(f"/matching/runs/{run.pk}/accept/", {"all": "1"}, follow=True)
    page = _text(response)
    assert f"Request #{p.request_id} was not assigned:" in page
    assert "2 helpers assigned." in page
    assert CareRequest.objects.get(pk=p.request_id).status == Status.CANCELLED


def test_nothing_chosen_changes_nothing(region_a: Region, client: Client, suggest: Any) -> None:
    c = _as(client, region_a.c.coord_a)
    run = suggest(c)
    response = c.post(f"/matching/runs/{run.pk}/accept/", {}, follow=True)
    assert "Choose at least one proposal." in _text(response)
    assert not CareRequest.objects.filter(status=Status.ASSIGNED).exists()


def test_outsiders_get_404_and_non_coordinators_403(
    region_a: Region, client: Client, suggest: Any
) -> None:
    run = suggest(_as(client, region_a.c.coord_a))
    outsider = _as(Client(), region_a.c.coord_b)
    assert outsider.get(f"/matching/runs/{run.pk}/").status_code == 404
    assert outsider.post(f"/matching/runs/{run.pk}/accept/", {"all": "1"}).status_code == 404
    assert not CareRequest.objects.filter(status=Status.ASSIGNED).exists()
    # Region A is not among the outsider's choices.
    response = outsider.post("/matching/", {"region": "77"})
    assert response.status_code == 400 and MatchingRun.objects.count() == 1
    volunteer = _as(Client(), region_a.c.volunteer_user)
    assert volunteer.get("/matching/").status_code == 403
    assert volunteer.get(f"/matching/runs/{run.pk}/").status_code == 403


def test_the_run_page_shows_a_queued_run_and_reloads_until_it_is_solved(
    region_a: Region, client: Client, suggest: Any
) -> None:
    c = _as(client, region_a.c.coord_a)
    run = suggest(c, solve=False)  # the page returns at once; the worker has not run yet
    response = c.get(f"/matching/runs/{run.pk}/")
    page = _text(response)
    assert "Waiting to be solved" in page and "The run is being prepared" in page
    assert f'href="/matching/runs/{run.pk}/"' in page  # a refresh link, no script needed
    assert response["Refresh"] == "5"
    assert "Accept all" not in page and ">Matched</dt>" not in page
    listing = _text(c.get("/matching/"))
    assert f"#{run.pk}," in listing and "Waiting to be solved" in listing

    assert run_queued() == 1
    response = c.get(f"/matching/runs/{run.pk}/")
    page = _text(response)
    assert "Refresh" not in response and "Waiting for the coordinator" in page
    assert summary_row("Matched", "3") in page and "Accept all" in page


def test_a_run_whose_worker_stopped_says_so_and_the_next_run_replaces_it(
    region_a: Region, client: Client, suggest: Any, django_capture_on_commit_callbacks: Any
) -> None:
    c = _as(client, region_a.c.coord_a)
    region_a.c.coord_a.language = "en"
    region_a.c.coord_a.save(update_fields=["language"])
    lost = suggest(c, solve=False)  # its worker stops before solving it
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        c = _as(client, region_a.c.coord_a)  # back after the idle session ended
        response = c.get(f"/matching/runs/{lost.pk}/")
        page = _text(response)
        assert "This run has stopped" in page and "Start a new run" in page
        assert "Refresh" not in response  # no reloading for ever
        with django_capture_on_commit_callbacks(execute=True):
            assert c.post("/matching/", {"region": "77"}).status_code == 302
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED
    assert lost.error == "Not solved within 30 minutes: a newer run replaces it."
    # The worker runs both tasks: the newer run is solved, the lost one's stores nothing.
    assert run_queued() == 2
    lost.refresh_from_db()
    assert (lost.status, lost.proposals.count()) == (RunStatus.FAILED, 0)
    newest = MatchingRun.objects.exclude(pk=lost.pk).get()
    assert (newest.status, newest.matched) == (RunStatus.PROPOSED, 3)


def test_a_failed_run_page_says_why(region_a: Region, client: Client, suggest: Any) -> None:
    for i in range(65):  # more skills than the engine's masks hold: the run fails
        Skill.objects.create(code=f"extra.{i}", name_ru=f"Навык {i}", name_en=f"Skill {i}")
    c = _as(client, region_a.c.coord_a)
    region_a.c.coord_a.language = "en"
    region_a.c.coord_a.save(update_fields=["language"])
    run = suggest(c)
    assert run.status == RunStatus.FAILED
    response = c.get(f"/matching/runs/{run.pk}/")
    page = _text(response)
    assert "The run could not finish" in page and "more than 64 skills" in page
    assert "Matching stopped with an internal error" in page
    assert "Refresh" not in response and "Accept all" not in page


def _finish_visit(r: Region, request: CareRequest, volunteer_pk: int) -> None:
    """The volunteer helps this veteran once, start to finish, through the services."""
    c = r.c
    volunteer = next(v for v in r.near if v.pk == volunteer_pk)
    request_assign(actor=c.coord_a, request=request, volunteer=volunteer)
    day = (timezone.now() + datetime.timedelta(days=1)).astimezone(MOSCOW).date()
    starts = datetime.datetime.combine(day, datetime.time(10), tzinfo=MOSCOW)
    request_schedule(
        actor=c.coord_a, request=request, starts=starts, ends=starts + datetime.timedelta(hours=1)
    )
    with time_machine.travel(starts, tick=False):
        request_check_in(actor=volunteer.user, request=request)
    with time_machine.travel(starts + datetime.timedelta(hours=1), tick=False):
        request_complete(actor=volunteer.user, request=request)


def test_request_page_shows_the_top_five_with_reasons_and_assigns_in_one_click(
    region_a: Region, client: Client, django_assert_max_num_queries: Any
) -> None:
    c = _as(client, region_a.c.coord_a)
    request = region_a.requests[2]
    with django_assert_max_num_queries(45):
        page = _text(c.get(f"/requests/{request.pk}/"))
    assert "Suggested volunteers" in page
    section = page.split('id="suggested"')[1].split("</section>")[0]
    names = [v.user.get_full_name() for v in region_a.near]
    assert [section.index(n) for n in names] == sorted(section.index(n) for n in names)
    assert "0.0 km from home" in section and "2.0 km from home" in section
    nearest = region_a.near[0]
    response = c.post(
        f"/requests/{request.pk}/assign/", {"volunteer": nearest.pk, "note": ""}, follow=True
    )
    assert response.status_code == 200
    request.refresh_from_db()
    assert (request.status, request.volunteer_id) == (Status.ASSIGNED, nearest.pk)


def test_the_previous_volunteer_comes_first_when_asked_for(
    region_a: Region, client: Client
) -> None:
    c = region_a.c
    furthest = region_a.near[2]
    _finish_visit(region_a, region_a.requests[0], furthest.pk)
    again = request_create(
        actor=c.coord_a,
        service_type=ServiceType.objects.get(code="tech.letter"),
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel=Channel.PHONE,
        wants_previous_volunteer=True,
    )
    page = _text(_as(client, c.coord_a).get(f"/requests/{again.pk}/"))
    section = page.split('id="suggested"')[1].split("</section>")[0]
    first = section.split("<li>")[1]
    assert furthest.user.get_full_name() in first
    assert "helped this veteran before" in first and "asked for a volunteer they know" in first


def test_no_suggestions_for_those_who_may_not_assign(region_a: Region, client: Client) -> None:
    page = _text(_as(client, region_a.c.liaison).get(f"/requests/{region_a.requests[0].pk}/"))
    assert 'id="suggested"' not in page
