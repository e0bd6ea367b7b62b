"""Private iCalendar feeds of planned visits: a volunteer's and an institution's."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import icalendar
import pytest
import recurring_ical_events
from django.test import Client

from ryadom.care.models import CareRequest
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_schedule
from ryadom.catalogue.models import ServiceType
from ryadom.institutions.models import Institution, VisitingHours
from ryadom.notifications.models import CalendarFeed
from tests import factories as f
from tests.conftest import Cast
from tests.notifications.journey import ask, assign_and_schedule, next_week_at

pytestmark = pytest.mark.django_db

VLADIVOSTOK = zoneinfo.ZoneInfo("Asia/Vladivostok")
FEED = re.compile(r"http://[^\"< ]+/calendar/([A-Za-z0-9_-]+)\.ics")


def far_east_hospital(c: Cast) -> Institution:
    """A hospital in Vladivostok (UTC+10) where NGO A has an agreement; open 08:00–22:00."""
    institution = f.InstitutionFactory(region=f.region("25"), name="Госпиталь Владивосток")
    f.AgreementFactory(organisation=c.ngo_a, institution=institution)
    for weekday in range(7):
        VisitingHours.objects.create(
            institution=institution,
            weekday=weekday,
            starts=datetime.time(8),
            ends=datetime.time(22),
        )
    return institution


def far_east_visit(
    c: Cast, institution: Institution, local_start: datetime.datetime
) -> CareRequest:
    """A ward's need there, given to volunteer A, visit at a naive local time."""
    request = request_create(
        actor=c.federal,
        institution=institution,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        channel="phone",
    )
    request_triage(actor=c.federal, request=request)
    request_assign(actor=c.federal, request=request, volunteer=c.volunteer_a)
    return request_schedule(
        actor=c.volunteer_user,
        request=request,
        starts=local_start,
        ends=local_start + datetime.timedelta(hours=1),
    )


def issue(client: Client, owner: str) -> str:
    response = client.post("/calendar/new/", {"owner": owner})
    assert response.status_code == 200, response.content
    match = FEED.search(response.content.decode())
    assert match
    return match.group(1)


def test_a_volunteers_feed_parses_and_carries_the_institutions_time_zone(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    institution = far_east_hospital(c)
    day = next_week_at(12).date()
    far_east_visit(c, institution, datetime.datetime.combine(day, datetime.time(10)))
    moscow_start = next_week_at(15, days=8)
    assign_and_schedule(c, ask(c), moscow_start)
    client.force_login(c.volunteer_user)
    token = issue(client, "volunteer")

    client.logout()  # calendar apps do not sign in
    response = client.get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert len(events) == 2
    far_east, moscow = events
    start = far_east.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Asia/Vladivostok"
    assert (start.hour, start.minute) == (10, 0)
    assert start.astimezone(datetime.UTC).hour == 0  # 10:00 at UTC+10
    assert b"DTSTART;TZID=Asia/Vladivostok:" in response.content
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} == {
        "Asia/Vladivostok",
        "Europe/Moscow",
    }
    assert moscow.decoded("DTSTART") == moscow_start
    assert "Госпиталь Владивосток" in str(far_east["LOCATION"])
    # Nothing about the veteran leaves in a feed.
    assert c.veteran_a.addressed_as not in response.content.decode()

    # A second parser sees the same visits at the same moments.
    found = recurring_ical_events.of(calendar).between(
        datetime.datetime.combine(day, datetime.time(0), tzinfo=VLADIVOSTOK),
        moscow_start + datetime.timedelta(days=1),
    )
    starts = sorted(e["DTSTART"].dt for e in found)
    assert starts == [
        datetime.datetime.combine(day, datetime.time(10), tzinfo=VLADIVOSTOK),
        moscow_start,
    ]


def test_an_institutions_feed_is_for_its_liaison_and_shows_its_visits_only(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    starts = next_week_at(15)
    assign_and_schedule(c, ask(c), starts)
    client.force_login(c.liaison)
    page = client.get("/calendar/")
    assert c.institution_a.name in page.content.decode()
    token = issue(client, f"institution:{c.institution_a.pk}")
    # Not another institution's.
    assert (
        client.post("/calendar/new/", {"owner": f"institution:{c.institution_b.pk}"}).status_code
        == 404
    )
    assert client.post("/calendar/new/", {"owner": "volunteer"}).status_code == 404

    calendar = icalendar.Calendar.from_ical(client.get(f"/calendar/{token}.ics").content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == starts
    assert c.volunteer_user.first_name in str(event["SUMMARY"])
    assert c.volunteer_user.last_name not in calendar.to_ical().decode()


def test_a_feed_token_is_stored_hashed_and_a_new_or_revoked_address_stops_the_old(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    client.force_login(c.volunteer_user)
    first = issue(client, "volunteer")
    assert not CalendarFeed.objects.filter(token_hash=first).exists()
    assert first not in client.get("/calendar/").content.decode()  # shown once only

    second = issue(client, "volunteer")
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get(f"/calendar/{second}.ics").status_code == 200

    feed = CalendarFeed.objects.get(revoked_at__isnull=True)
    client.force_login(c.stranger)
    assert client.post(f"/calendar/{feed.pk}/revoke/").status_code == 404
    assert client.get("/calendar/").status_code == 403
    client.force_login(c.volunteer_user)
    assert client.post(f"/calendar/{feed.pk}/revoke/").status_code == 302
    assert client.get(f"/calendar/{second}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_the_volunteer_page_and_the_liaisons_navigation_lead_to_the_calendar(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    client.force_login(c.volunteer_user)
    assert 'href="/calendar/"' in client.get("/volunteer/").content.decode()
    client.force_login(c.liaison)
    assert 'href="/calendar/"' in client.get("/queue/").content.decode()
    client.force_login(c.relative)
    assert 'href="/calendar/"' not in client.get("/my/").content.decode()
