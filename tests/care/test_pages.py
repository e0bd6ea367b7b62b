"""Each role walks its part of a request's life through the pages."""

from __future__ import annotations

import datetime
import re
import struct
import zlib
import zoneinfo
from typing import Any

import pytest
import segno
import time_machine
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.care import qr
from ryadom.care.models import CareRequest, Channel, Feedback, Status
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_check_in, request_complete, request_schedule
from ryadom.catalogue.models import ServiceType
from ryadom.institutions.models import Department
from ryadom.veterans.models import Stay
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Volunteer
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    # Messages are asserted in English; the default (Russian) is checked once below.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _page(response: HttpResponse) -> str:
    return response.content.decode()


def _key(page: str) -> str:
    match = re.search(r'name="key" value="(\w+)"', page)
    assert match, "the form carries an idempotency key"
    return match.group(1)


def _request(
    c: Cast,
    *,
    actor: User | None = None,
    veteran: Any = None,
    details: str = "",
    service: str = "laundry.wash",
    institution: Any = None,
) -> CareRequest:
    return request_create(
        actor=actor or c.liaison,
        service_type=ServiceType.objects.get(code=service),
        institution=institution or c.institution_a,
        veteran=veteran,
        details=details,
        channel=Channel.WARD,
    )


def _tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    day = (timezone.now() + datetime.timedelta(days=1)).astimezone(MOSCOW).date()
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=MOSCOW)


@pytest.fixture
def ward(care_cast: Cast) -> Department:
    """A ward of hospital A where both of its veterans lie now."""
    department = f.DepartmentFactory(institution=care_cast.institution_a, name="Кардиология")
    Stay.objects.filter(veteran__in=[care_cast.veteran_a, care_cast.veteran_a2]).update(
        department=department
    )
    return department


def test_relative_asks_in_three_steps_and_a_double_send_creates_one_request(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    page = _page(_as(client, c.relative).get("/ask/"))
    assert "Step 1 of 3" in page
    assert 'href="/my/"' in page  # the navigation shows the requester's pages
    assert f"For: {c.veteran_a.addressed_as}" in page  # the only veteran they act for
    key = _key(page)
    step1 = {"veteran": c.veteran_a.pk, "service": "leisure.reading", "key": key}

    page = _page(client.post("/ask/", {**step1, "to": "2"}))
    assert "Step 2 of 3" in page
    step2 = {**step1, "urgency": "urgent", "details": "Почитать вслух «Тихий Дон»"}
    page = _page(client.post("/ask/", {**step2, "to": "3"}))
    assert "Step 3 of 3" in page
    assert "Тихий Дон" in page and c.institution_a.name in page
    assert not CareRequest.objects.exists()  # nothing is sent before step 3

    response = client.post("/ask/", {**step2, "to": "send"}, follow=True)
    assert response.redirect_chain[-1][0] == "/my/"
    assert "Your request is sent" in _page(response)
    assert "New" in _page(response)  # the status in plain words
    request = CareRequest.objects.get()
    assert (request.veteran, request.institution, request.requested_by) == (
        c.veteran_a,
        c.institution_a,
        c.relative,
    )
    assert (request.channel, request.urgency, request.coordinator) == ("web", "urgent", c.coord_a)

    client.post("/ask/", {**step2, "to": "send"})  # the back button and "send" again
    assert CareRequest.objects.count() == 1


def test_a_window_in_the_past_sends_the_asker_back_to_step_2_with_the_error_inline(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    yesterday = (timezone.now() - datetime.timedelta(days=1)).astimezone(MOSCOW).date()
    key = _key(_page(_as(client, c.veteran_user).get("/ask/")))
    response = client.post(
        "/ask/",
        {
            "veteran": c.veteran_a.pk,
            "service": "tech.letter",
            "key": key,
            "urgency": "normal",
            "window_date": yesterday.isoformat(),
            "window_starts": "10:00",
            "window_ends": "12:00",
            "to": "send",
        },
    )
    page = _page(response)
    assert response.status_code == 400
    assert "Step 2 of 3" in page
    assert 'id="id_window_ends_error" role="alert">The time window is in the past.' in page
    assert 'aria-describedby="id_window_ends_helptext id_window_ends_error"' in page
    assert 'aria-invalid="true"' in page
    assert not CareRequest.objects.exists()


def test_the_ward_link_sends_a_stranger_to_choose_and_a_relative_to_ask_with_the_ward_set(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    link = f"/ward/{c.institution_a.pk}/{ward.pk}/"
    response = client.get(link)
    assert response.status_code == 302
    start = f"/start/?institution={c.institution_a.pk}&department={ward.pk}&next="
    assert response["Location"] == start + link.replace("/", "%2F")

    response = _as(client, c.relative).get(link)
    assert response["Location"] == f"/ask/?institution={c.institution_a.pk}&department={ward.pk}"
    key = _key(_page(client.get(response["Location"])))
    client.post(
        "/ask/",
        {
            "veteran": c.veteran_a.pk,
            "service": "laundry.wash",
            "key": key,
            "institution": c.institution_a.pk,
            "department": ward.pk,
            "urgency": "normal",
            "to": "send",
        },
    )
    assert CareRequest.objects.get().department == ward
    assert _as(client, c.volunteer_user).get(link)["Location"].startswith("/start/")


def test_the_liaison_asks_for_the_whole_ward_and_sees_only_the_institutions_queue(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    link = f"/ward/{c.institution_a.pk}/{ward.pk}/"
    page = _page(_as(client, c.liaison).get(link))
    assert "The whole ward" in page and c.veteran_a.addressed_as in page
    response = client.post(
        link,
        {"veteran": "", "service": "leisure.ward_event", "urgency": "normal", "key": _key(page)},
    )
    ours = CareRequest.objects.get()
    assert response["Location"] == f"/requests/{ours.pk}/"
    assert (ours.veteran, ours.department, ours.channel) == (None, ward, "ward")

    theirs = _request(c, actor=c.coord_b, institution=c.institution_b)
    page = _page(client.get("/queue/"))
    assert f'href="/requests/{ours.pk}/"' in page
    assert f'href="/requests/{theirs.pk}/"' not in page
    assert "Triage selected" not in page  # the liaison sees the queue; coordinators triage


def test_coordinator_triages_in_bulk_then_assigns_an_eligible_volunteer(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    fresh = _request(c, veteran=c.veteran_a2)
    already = _request(c)
    request_triage(actor=c.coord_a, request=already)

    response = _as(client, c.coord_a).post(
        "/queue/triage/", {"ids": [fresh.pk, already.pk], "next": "/queue/"}, follow=True
    )
    page = _page(response)
    assert "1 request triaged." in page
    assert f"Request #{already.pk} was not triaged: This cannot be done now" in page
    fresh.refresh_from_db()
    assert fresh.status == Status.TRIAGED

    page = _page(client.get(f"/requests/{fresh.pk}/"))
    assert page.count("<h1>") == 1
    assert f'name="volunteer" value="{c.volunteer_a.pk}"' in page
    # Lives in the region but works for an NGO without an agreement with hospital A.
    assert f'name="volunteer" value="{c.volunteer_other_ngo.pk}"' not in page
    response = client.post(f"/requests/{fresh.pk}/assign/", {"volunteer": c.volunteer_a.pk})
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert (fresh.status, fresh.volunteer) == (Status.ASSIGNED, c.volunteer_a)
    assert "Helper assigned" in _page(client.get(f"/requests/{fresh.pk}/"))


def _second_volunteer(c: Cast) -> Volunteer:
    volunteer = f.VolunteerFactory(region=c.institution_a.region)
    role_assign(actor=None, user=volunteer.user, role=Role.VOLUNTEER)
    f.MembershipFactory(volunteer=volunteer, organisation=c.ngo_a)
    for kind in (CheckKind.IDENTITY, CheckKind.AGREEMENT, CheckKind.TRAINING, CheckKind.MEDICAL):
        Check.objects.create(volunteer=volunteer, kind=kind, status=CheckStatus.PASSED)
    return volunteer


def test_volunteer_takes_schedules_checks_in_and_out_and_sees_the_hours(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    request = _request(c, veteran=c.veteran_a, service="leisure.reading")
    request_triage(actor=c.coord_a, request=request)
    other = _second_volunteer(c)

    page = _page(_as(client, c.volunteer_user).get("/volunteer/"))
    assert f'action="/requests/{request.pk}/claim/"' in page
    response = client.post(f"/requests/{request.pk}/claim/", {"next": "/volunteer/"}, follow=True)
    assert "You took the request" in _page(response)
    request.refresh_from_db()
    assert (request.status, request.volunteer) == (Status.ASSIGNED, c.volunteer_a)

    response = _as(Client(), other.user).post(
        f"/requests/{request.pk}/claim/", {"next": "/volunteer/"}, follow=True
    )
    assert "Already taken" in _page(response)

    starts = _tomorrow_at(15)
    response = _as(client, c.volunteer_user).post(
        f"/requests/{request.pk}/schedule/",
        {"date": starts.date().isoformat(), "starts": "15:00", "ends": "16:30"},
    )
    assert response.status_code == 302, _page(response)

    with time_machine.travel(starts + datetime.timedelta(minutes=5), tick=False):
        page = _page(_as(client, c.volunteer_user).get("/volunteer/"))
        assert f'action="/requests/{request.pk}/check-in/"' in page
        client.post(f"/requests/{request.pk}/check-in/", {"next": "/volunteer/"})
    with time_machine.travel(starts + datetime.timedelta(minutes=95), tick=False):
        _as(client, c.volunteer_user).post(
            f"/requests/{request.pk}/complete/",
            {"outcome": "Прочитали две главы", "next": "/volunteer/"},
        )
        page = _page(client.get("/volunteer/"))
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert "1 h 30 min" in page


def test_a_visit_outside_visiting_hours_is_refused_next_to_the_field(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    request = _request(c)
    request_assign(actor=c.coord_a, request=request, volunteer=c.volunteer_a)
    starts = _tomorrow_at(22, 30)
    response = _as(client, c.volunteer_user).post(
        f"/requests/{request.pk}/schedule/",
        {"date": starts.date().isoformat(), "starts": "22:30", "ends": "23:00"},
    )
    assert response.status_code == 400
    assert "outside the institution&#x27;s visiting hours" in _page(response)
    assert f'id="schedule-{request.pk}-starts_error" role="alert"' in _page(response)
    request.refresh_from_db()
    assert request.status == Status.ASSIGNED


def _completed(c: Cast) -> CareRequest:
    request = _request(c, veteran=c.veteran_a)
    request_assign(actor=c.coord_a, request=request, volunteer=c.volunteer_a)
    request_schedule(
        actor=c.volunteer_user,
        request=request,
        starts=_tomorrow_at(15),
        ends=_tomorrow_at(16),
    )
    request_check_in(actor=c.volunteer_user, request=request)
    return request_complete(actor=c.volunteer_user, request=request, outcome="")


def test_veteran_confirms_with_feedback_and_an_unanswered_question_is_shown_inline(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    request = _completed(c)
    page = _page(_as(client, c.veteran_user).get("/my/"))
    assert "The helper has finished" in page
    assert f'action="/requests/{request.pk}/feedback/"' in page

    response = client.post(
        f"/requests/{request.pk}/feedback/", {"respectful": "yes", "next": "/my/"}
    )
    assert response.status_code == 400
    assert f'id="feedback-{request.pk}-done_error" role="alert"' in _page(response)
    assert not Feedback.objects.exists()

    response = client.post(
        f"/requests/{request.pk}/feedback/",
        {"done": "yes", "respectful": "yes", "rating": "5", "comment": "Спасибо", "next": "/my/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/my/"
    assert "Done and confirmed" in _page(response)
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    feedback = Feedback.objects.get()
    assert (feedback.done, feedback.respectful, feedback.rating) == (True, True, 5)


def test_the_coordinator_of_another_region_gets_404_on_the_request_and_its_actions(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    request = _request(c)
    assert _as(client, c.coord_b).get(f"/requests/{request.pk}/").status_code == 404
    assert client.post(f"/requests/{request.pk}/triage/").status_code == 404
    assert client.post(f"/requests/{request.pk}/feedback/").status_code == 404
    request.refresh_from_db()
    assert request.status == Status.NEW
    # Seeing it but not allowed to do it: 403, not a form error.
    assert _as(client, c.coord_a).post(f"/requests/{request.pk}/check-in/").status_code == 403


def _png_modules(png: bytes, *, scale: int, border: int) -> list[list[int]]:
    """Read segno's 1-bit greyscale PNG back into modules (1 = dark), one pixel per module."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        data = png[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", data[:10])
            assert (depth, colour) == (1, 0)
        elif kind == b"IDAT":
            idat += data
    raw, stride = zlib.decompress(idat), (width + 7) // 8
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], raw[start + 1 : start + 1 + stride]
        assert kind in (0, 2)  # None, or Up: the only filters segno writes
        if kind == 2:
            line = bytes((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        rows.append(line)
        previous = line

    def dark(x: int, y: int) -> int:
        return 0 if rows[y][x // 8] >> (7 - x % 8) & 1 else 1  # black is 0

    size = width // scale - 2 * border
    middle = scale // 2
    return [
        [
            dark((border + col) * scale + middle, (border + row) * scale + middle)
            for col in range(size)
        ]
        for row in range(size)
    ]


def test_the_ward_poster_is_a_png_qr_code_of_the_absolute_ward_link(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    link = f"http://testserver/ward/{c.institution_a.pk}/{ward.pk}/"
    response = client.get(f"/ward/{c.institution_a.pk}/{ward.pk}/poster.png")
    assert response["Content-Type"] == "image/png"
    png = response.content
    assert png.startswith(b"\x89PNG")
    expected = segno.make(link, error="m", micro=False)
    assert _png_modules(png, scale=qr.SCALE, border=qr.BORDER) == [
        list(row) for row in expected.matrix
    ]
    assert qr.BORDER >= 4  # at least the quiet zone a reader needs

    page = _page(client.get(f"/ward/{c.institution_a.pk}/{ward.pk}/poster/"))
    assert f'href="{link}"' in page and ward.name in page
    assert client.get(f"/ward/{c.institution_b.pk}/{ward.pk}/poster.png").status_code == 404


def test_a_ward_of_another_institution_is_an_inline_error_and_nothing_is_created(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    other_ward = f.DepartmentFactory(institution=c.institution_a, name="Хирургия")
    elsewhere = f.InstitutionFactory(region=c.institution_a.region, name="Госпиталь В")
    page = _page(_as(client, c.coord_a).get("/requests/new/"))
    assert other_ward.name in page
    response = client.post(
        "/requests/new/",
        {
            "requester_name": "Мария, жена",
            "institution": elsewhere.pk,
            "department": ward.pk,
            "service": "purchases.groceries",
            "urgency": "normal",
            "key": _key(page),
        },
    )
    page = _page(response)
    assert response.status_code == 400
    assert 'id="id_department_error" role="alert">This ward belongs to another institution.' in page
    assert not CareRequest.objects.exists()

    response = client.post(
        "/requests/new/",
        {
            "requester_name": "Мария, жена",
            "institution": c.institution_a.pk,
            "department": ward.pk,
            "veteran": c.veteran_a.pk,
            "service": "purchases.groceries",
            "urgency": "urgent",
            "key": _key(page),
        },
    )
    created = CareRequest.objects.get()
    assert response["Location"] == f"/requests/{created.pk}/"
    assert (created.channel, created.requester_name) == ("phone", "Мария, жена")


def test_html_in_details_is_shown_as_text(care_cast: Cast, client: Client) -> None:
    c = care_cast
    request = _request(c, details='<script>alert("x")</script><b>bold</b>')
    request_triage(actor=c.coord_a, request=request)
    for user, path in [(c.coord_a, f"/requests/{request.pk}/"), (c.volunteer_user, "/volunteer/")]:
        page = _page(_as(client, user).get(path))
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
        assert "<script>" not in page and "<b>bold" not in page


def test_the_queue_takes_a_fixed_number_of_queries_and_marks_overdue_requests(
    care_cast: Cast, client: Client, django_assert_max_num_queries: Any
) -> None:
    c = care_cast
    for _ in range(50):
        _request(c)
    _as(client, c.coord_a).get("/queue/")  # warm the session and the catalogue
    # Two of them count what waits beside the queue: erasure requests and people asking to
    # be linked to their admission (veterans, one query), and discharges without a plan and
    # follow-up contacts due (aftercare, one query).
    with django_assert_max_num_queries(13):
        page = _page(client.get("/queue/"))
    assert page.count('name="ids"') == 50
    assert 'class="overdue"' not in page

    with time_machine.travel(timezone.now() + datetime.timedelta(days=30), tick=False):
        page = _page(_as(client, c.coord_a).get("/queue/?overdue=yes&status=new"))
    assert page.count('class="overdue"') == 50


def test_pages_speak_russian_by_default(care_cast: Cast, client: Client) -> None:
    client.force_login(care_cast.coord_a)
    page = _page(client.get("/queue/"))
    assert '<html lang="ru">' in page


def test_every_form_carries_a_csrf_token_and_a_post_without_one_is_refused(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    request = _request(c)
    page = _page(_as(client, c.coord_a).get(f"/requests/{request.pk}/"))
    assert page.count("<form") == page.count("csrfmiddlewaretoken")
    strict = _as(Client(enforce_csrf_checks=True), c.coord_a)
    assert strict.post("/queue/triage/", {"ids": [request.pk]}).status_code == 403
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_the_federal_coordinator_filters_the_queue_by_region(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    a = _request(c, veteran=c.veteran_a, service="leisure.reading")
    b = request_create(
        actor=c.coord_b,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_b,
        veteran=c.veteran_b,
        channel="phone",
    )
    page = _page(_as(client, c.federal).get("/queue/?region=61"))
    assert f"/requests/{b.pk}/" in page and f"/requests/{a.pk}/" not in page
