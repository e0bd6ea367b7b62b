"""Hostile text is data, never markup or SQL; another person's request is a plain 404."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Channel, Complaint
from ryadom.care.services.coordination import complaint_answer, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_feedback
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_schedule,
)
from ryadom.catalogue.models import ServiceType
from ryadom.openings.models import Opening
from ryadom.openings.services import opening_create
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
# Tuesday 10:00 in Moscow: visiting hours are 08:00-22:00 every day.
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=MOSCOW)


def payload(field: str) -> str:
    """Markup that would run if a page ever printed it unescaped, tagged with its field."""
    return f'<script>alert("{field}")</script><img src=x onerror=alert("{field}")>'


# Fields filled with a payload, and the ones some page shows (the rest are only in the API
# and the data export; the pages below are still checked for them).
FIELDS = [
    "user name",
    "addressed as",
    "what matters",
    "details",
    "triage note",
    "outcome",
    "feedback",
    "complaint answer",
    "opening title",
    "opening description",
]
SHOWN_ON_PAGES = [
    "user name",
    "addressed as",
    "details",
    "triage note",
    "outcome",
    "feedback",
    "opening title",
    "opening description",
]


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _a_request_full_of_payloads(c: Cast) -> CareRequest:
    for user in (c.coord_a, c.volunteer_user, c.relative, c.veteran_user):
        user.first_name = payload("user name")
        user.save(update_fields=["first_name"])
    c.volunteer_a.user.refresh_from_db()
    c.veteran_a.addressed_as = payload("addressed as")[:120]
    c.veteran_a.what_matters = payload("what matters")
    c.veteran_a.save(update_fields=["addressed_as", "what_matters"])

    request = request_create(
        actor=c.relative,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        channel=Channel.WEB,
        veteran=c.veteran_a,
        details=payload("details"),
    )
    request_triage(actor=c.coord_a, request=request, note=payload("triage note"))
    request_claim(actor=c.volunteer_user, request=request)
    tomorrow_noon = (NOW + datetime.timedelta(days=1)).replace(hour=12)
    request_schedule(
        actor=c.volunteer_user,
        request=request,
        starts=tomorrow_noon,
        ends=tomorrow_noon + datetime.timedelta(hours=1),
    )
    opening_create(
        actor=c.liaison,
        title=payload("opening title"),
        description=payload("opening description"),
        institution=c.institution_a,
        starts_on=(NOW + datetime.timedelta(days=3)).date(),
        start_time=datetime.time(11),
        end_time=datetime.time(13),
    )
    return request


def test_hostile_text_in_every_free_text_field_is_shown_escaped_on_every_page(
    care_cast: Cast,
) -> None:
    c = care_cast
    with time_machine.travel(NOW, tick=False) as clock:
        request = _a_request_full_of_payloads(c)
        clock.move_to(NOW + datetime.timedelta(days=1, hours=2, minutes=5))
        request_check_in(actor=c.volunteer_user, request=request)
        request_complete(actor=c.volunteer_user, request=request, outcome=payload("outcome"))
        request_feedback(
            actor=c.veteran_user,
            request=request,
            done=True,
            respectful=False,
            comment=payload("feedback"),
        )
        # The coordinator sees the complaint until it is answered.
        with_complaint = _as(c.coord_a).get(f"/requests/{request.pk}/")
        complaint = Complaint.objects.get(request=request)
        complaint_answer(
            actor=c.coord_a, complaint=complaint, answer=payload("complaint answer"), upheld=True
        )

        opening = Opening.objects.get(institution=c.institution_a)
        pages = {("coordinator, complaint open", "request"): with_complaint} | {
            (who, path): _as(user).get(path)
            for who, user, path in [
                ("coordinator", c.coord_a, "/queue/?status=confirmed"),
                ("coordinator", c.coord_a, f"/requests/{request.pk}/"),
                ("coordinator", c.coord_a, "/profile/"),
                ("liaison", c.liaison, f"/requests/{request.pk}/"),
                ("volunteer", c.volunteer_user, "/volunteer/"),
                ("volunteer", c.volunteer_user, f"/requests/{request.pk}/"),
                ("veteran", c.veteran_user, "/my/"),
                ("veteran", c.veteran_user, "/my/data/"),
                ("veteran", c.veteran_user, f"/requests/{request.pk}/"),
                ("relative", c.relative, "/my/"),
                ("relative", c.relative, f"/requests/{request.pk}/"),
                ("volunteer", c.volunteer_user, "/openings/"),
                ("volunteer", c.volunteer_user, f"/openings/{opening.pk}/"),
            ]
        }
    shown = ""
    for (who, path), response in pages.items():
        assert response.status_code == 200, (who, path)
        html = response.content.decode()
        assert "<script>alert" not in html, (who, path)
        assert not [f for f in FIELDS if payload(f) in html], (who, path)
        assert "onerror=alert" not in html.replace("onerror=alert(&quot;", ""), (who, path)
        shown += html
    # Each field was on some page, escaped (so the check above was not vacuous).
    missing = [f for f in SHOWN_ON_PAGES if escape(payload(f))[:60] not in shown]
    assert not missing, f"never shown, so never checked: {missing}"


def test_sql_looking_input_is_stored_and_searched_as_plain_text(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    sql = "'; DROP TABLE care_carerequest; -- \" OR 1=1 --"
    client.force_login(c.coord_a)
    created = client.post(
        "/api/v1/requests",
        {"service": "laundry.wash", "institution": c.institution_a.pk, "details": sql},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert CareRequest.objects.get(pk=created.json()["id"]).details == sql
    for query in [
        "?status=' OR '1'='1",
        "?region=1 OR 1=1",
        "?institution=1 UNION SELECT 1",
        "?cursor=' UNION SELECT password FROM accounts_user --",
        "?limit=1;DELETE FROM care_carerequest",
    ]:
        response = client.get("/api/v1/requests" + query)
        # Either a field error, or a filter that matches nothing: never an error or a leak.
        assert response.status_code in (200, 422), (query, response.content)
        body = response.json()
        assert body.get("errors") or body["items"] == [], query
    assert client.get("/queue/?status=' OR '1'='1").status_code in (200, 400)
    assert CareRequest.objects.count() == 1


def test_guessing_another_regions_request_id_gets_404_on_pages_and_the_api(
    care_cast: Cast,
) -> None:
    c = care_cast
    theirs = request_create(
        actor=c.coord_b,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_b,
        channel=Channel.API,
        veteran=c.veteran_b,
        details="Чужая заявка",
    )
    missing = theirs.pk + 1000
    for user in (c.coord_a, c.liaison, c.ngo_manager, c.volunteer_user, c.veteran_user):
        client = _as(user)
        for pk in (theirs.pk, missing):
            page = client.get(f"/requests/{pk}/")
            assert page.status_code == 404, (user, pk)
            api = client.get(f"/api/v1/requests/{pk}")
            assert api.status_code == 404, (user, pk)
            act = client.post(f"/api/v1/requests/{pk}/triage", {}, content_type="application/json")
            assert act.status_code == 404, (user, pk, act.content)
        # The same answer for "not yours" and "does not exist", word for word.
        assert (
            client.get(f"/api/v1/requests/{theirs.pk}").json()
            == client.get(f"/api/v1/requests/{missing}").json()
        )
    assert "Чужая заявка" not in _as(c.coord_a).get("/queue/").content.decode()
