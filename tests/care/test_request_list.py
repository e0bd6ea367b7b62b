"""Listing requests: who sees what, filters, keyset pages and a flat number of queries."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Channel
from ryadom.care.services.coordination import request_assign, request_cancel, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_claim, request_decline
from ryadom.catalogue.models import ServiceType
from ryadom.veterans.models import Veteran
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests"


def _service(code: str) -> ServiceType:
    return ServiceType.objects.get(code=code)


def _create(
    actor: User,
    institution: Any,
    *,
    veteran: Veteran | None = None,
    service: str = "laundry.wash",
    urgency: str = "normal",
    **extra: Any,
) -> CareRequest:
    return request_create(
        actor=actor,
        service_type=_service(service),
        institution=institution,
        veteran=veteran,
        urgency=urgency,
        channel=Channel.WARD,
        **extra,
    )


def _listed(client: Client, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"{URL}?limit=200{query}")
    assert response.status_code == 200, response.content[:300]
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# --- who sees what --------------------------------------------------------------------------


def _world(c: Cast) -> dict[str, CareRequest]:
    """Requests in every situation the scope rules tell apart, made through the services."""
    a_new = _create(c.liaison, c.institution_a, veteran=c.veteran_a)
    a_triaged = _create(c.liaison, c.institution_a, veteran=c.veteran_a2)
    request_triage(actor=c.coord_a, request=a_triaged)
    a_volunteer = _create(c.liaison, c.institution_a, veteran=c.veteran_a2)
    request_triage(actor=c.coord_a, request=a_volunteer)
    request_claim(actor=c.volunteer_user, request=a_volunteer)  # NGO A, volunteer A
    a_ngo = _create(c.liaison, c.institution_a)  # a need of the whole ward
    request_assign(actor=c.coord_a, request=a_ngo, organisation=c.ngo_a)
    a_other_ngo = _create(c.liaison, c.institution_a, veteran=c.veteran_a)
    f.AgreementFactory(organisation=c.ngo_b, institution=c.institution_a)  # NGO B may work there
    request_assign(actor=c.coord_a, request=a_other_ngo, organisation=c.ngo_b)
    b_triaged = _create(c.coord_b, c.institution_b, veteran=c.veteran_b)
    request_triage(actor=c.coord_b, request=b_triaged)
    b_new = _create(c.coord_b, c.institution_b)
    return {
        "a_new": a_new,
        "a_triaged": a_triaged,
        "a_volunteer": a_volunteer,
        "a_ngo": a_ngo,
        "a_other_ngo": a_other_ngo,
        "b_triaged": b_triaged,
        "b_new": b_new,
    }


REGION_A = {"a_new", "a_triaged", "a_volunteer", "a_ngo", "a_other_ngo"}
REGION_B = {"b_triaged", "b_new"}

# actor → the requests it sees. Everything else must be invisible to it.
MATRIX: dict[str, set[str]] = {
    "federal": REGION_A | REGION_B,
    "coord_a": REGION_A,
    "coord_b": REGION_B,
    "liaison": REGION_A,
    # Assigned to its NGO, plus those waiting for a helper in the regions it serves.
    "ngo_manager": {"a_volunteer", "a_ngo", "a_triaged"},
    # Its own, plus those waiting for a helper in its region.
    "volunteer_user": {"a_volunteer", "a_triaged"},
    "veteran_user": {"a_new", "a_other_ngo"},
    "relative": {"a_new", "a_other_ngo"},
    "stranger": set(),
}


@pytest.mark.parametrize("actor", sorted(MATRIX))
def test_each_role_opens_and_lists_exactly_the_requests_in_its_scope(
    actor: str, care_cast: Cast, client: Client
) -> None:
    world = _world(care_cast)
    client.force_login(getattr(care_cast, actor))
    for name, request in world.items():
        response = client.get(f"{URL}/{request.pk}")
        assert response.status_code == (200 if name in MATRIX[actor] else 404), name

    listed = [item["id"] for item in _listed(client)]
    assert len(listed) == len(set(listed)), "a request seen through two scopes is listed twice"
    by_id = {r.pk: name for name, r in world.items()}
    assert {by_id[i] for i in listed} == MATRIX[actor]


def test_anonymous_callers_get_401(care_cast: Cast, client: Client) -> None:
    request = _create(care_cast.liaison, care_cast.institution_a)
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{request.pk}").status_code == 401
    assert client.get(URL).json()["detail"] == "Authentication required."


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def mixed(care_cast: Cast) -> dict[str, CareRequest]:
    c = care_cast
    groceries_now = _create(
        c.liaison, c.institution_a, service="purchases.groceries", urgency="critical"
    )
    laundry = _create(c.liaison, c.institution_a, veteran=c.veteran_a2)
    request_triage(actor=c.coord_a, request=laundry)
    reading = _create(c.liaison, c.institution_a, service="leisure.reading", urgency="urgent")
    cancelled = _create(
        c.liaison, c.institution_a, service="purchases.groceries", urgency="critical"
    )
    request_cancel(actor=c.coord_a, request=cancelled, reason="Выписан")
    b_laundry = _create(c.coord_b, c.institution_b, veteran=c.veteran_b, urgency="urgent")
    return {
        "groceries_now": groceries_now,  # 6 h
        "laundry": laundry,  # 72 h, triaged
        "reading": reading,  # 36 h
        "cancelled": cancelled,  # 6 h, but no longer needed
        "b_laundry": b_laundry,  # 36 h, Rostov
    }


def _names(items: list[dict[str, Any]], world: dict[str, CareRequest]) -> list[str]:
    by_id = {r.pk: name for name, r in world.items()}
    return [by_id[item["id"]] for item in items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("&status=triaged", {"laundry"}),
        ("&status=cancelled", {"cancelled"}),
        ("&service=laundry.wash", {"laundry", "b_laundry"}),
        ("&urgency=urgent", {"reading", "b_laundry"}),
        ("&region=61", {"b_laundry"}),
        ("&region=77&service=purchases.groceries", {"groceries_now", "cancelled"}),
        ("&service=family.visit", set()),
    ],
)
def test_filters_narrow_the_list(
    mixed: dict[str, CareRequest], care_cast: Cast, client: Client, query: str, expected: set[str]
) -> None:
    client.force_login(care_cast.federal)
    assert set(_names(_listed(client, query), mixed)) == expected


def test_the_institution_filter_lists_only_that_institutions_requests(
    mixed: dict[str, CareRequest], care_cast: Cast, client: Client
) -> None:
    client.force_login(care_cast.federal)
    listed = _listed(client, f"&institution={care_cast.institution_b.pk}")
    assert _names(listed, mixed) == ["b_laundry"]
    assert {
        i["institution_id"] for i in _listed(client, f"&institution={care_cast.institution_a.pk}")
    } == {care_cast.institution_a.pk}


def test_overdue_lists_open_requests_whose_deadline_has_passed(
    mixed: dict[str, CareRequest], care_cast: Cast, client: Client
) -> None:
    def overdue(actor: User, hours: int, flag: str = "true") -> set[str]:
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=hours), tick=False):
            client.force_login(actor)  # a session would not last that long
            return set(_names(_listed(client, f"&overdue={flag}"), mixed))

    c = care_cast
    assert overdue(c.federal, 0) == set()
    # The cancelled request's 6 hours have passed too, but nobody owes it anything now.
    assert overdue(c.federal, 7) == {"groceries_now"}
    assert overdue(c.federal, 7, "false") == set(mixed) - {"groceries_now"}
    assert overdue(c.federal, 40) == {"groceries_now", "reading", "b_laundry"}
    assert overdue(c.federal, 80) == {"groceries_now", "reading", "b_laundry", "laundry"}
    assert overdue(c.coord_b, 40) == {"b_laundry"}  # filters never widen the scope


@pytest.mark.parametrize(
    "query",
    [
        "status=lost",
        "urgency=whenever",
        "institution=first",
        "overdue=maybe",
        "limit=0",
        "limit=201",
    ],
)
def test_a_bad_filter_value_gets_422_naming_the_filter(
    care_cast: Cast, client: Client, query: str
) -> None:
    client.force_login(care_cast.federal)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


# --- keyset pagination ----------------------------------------------------------------------


def test_pages_of_10_cover_25_requests_in_deadline_order_without_gaps_or_repeats(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    codes = ["laundry.wash", "purchases.groceries", "leisure.reading"]
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as t:
        for i in range(25):
            if i % 5 == 0:
                t.shift(datetime.timedelta(minutes=1))
            # Several requests share a deadline: the id breaks the tie.
            _create(c.liaison, c.institution_a, service=codes[i % 3])
    expected = list(CareRequest.objects.order_by("deadline", "pk").values_list("pk", flat=True))
    assert len(set(CareRequest.objects.values_list("deadline", flat=True))) < 25

    client.force_login(c.coord_a)
    pages: list[list[dict[str, Any]]] = []
    cursor = ""
    while True:
        body = client.get(f"{URL}?limit=10{cursor}").json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            break
        cursor = f"&cursor={body['next_cursor']}"
        assert len(pages) < 5, "the pages never end"
    assert [len(p) for p in pages] == [10, 10, 5]
    ids = [item["id"] for page in pages for item in page]
    assert ids == expected
    deadlines = [
        datetime.datetime.fromisoformat(item["deadline"]) for page in pages for item in page
    ]
    assert deadlines == sorted(deadlines)


def test_an_exactly_full_last_page_has_no_next_cursor(care_cast: Cast, client: Client) -> None:
    for _ in range(10):
        _create(care_cast.liaison, care_cast.institution_a)
    client.force_login(care_cast.coord_a)
    first = client.get(f"{URL}?limit=5").json()
    second = client.get(f"{URL}?limit=5&cursor={first['next_cursor']}").json()
    assert len(second["items"]) == 5
    assert second["next_cursor"] is None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%",
        _b64(b"5"),
        _b64(b"null"),
        _b64(b'{"a": 1}'),
        _b64(b"[1, 2, 3]"),
        _b64(b'["yesterday", 1]'),
        _b64(b'["2026-03-02T09:00:00+00:00", "one"]'),
        _b64(b'["2026-03-02T09:00:00+00:00", 1e400]'),
        _b64(b"\xff\xfe\xfd"),
    ],
    ids=[
        "text",
        "symbols",
        "number",
        "null",
        "object",
        "three",
        "no-date",
        "no-id",
        "infinite-id",
        "not-utf8",
    ],
)
def test_a_cursor_we_did_not_give_out_gets_422_naming_the_cursor(
    care_cast: Cast, client: Client, cursor: str
) -> None:
    _create(care_cast.liaison, care_cast.institution_a)
    client.force_login(care_cast.coord_a)
    client.raise_request_exception = False
    response = client.get(URL, {"cursor": cursor})
    assert response.status_code == 422, response.content[:200]
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


# --- query counts ---------------------------------------------------------------------------


def _sixty_requests(c: Cast) -> None:
    """Requests with a ward, a veteran, a volunteer and an NGO each: every join the list shows."""
    wards = [f.DepartmentFactory(institution=c.institution_a) for _ in range(3)]
    veterans = [c.veteran_a, c.veteran_a2]
    for i in range(60):
        request = _create(
            c.liaison, c.institution_a, veteran=veterans[i % 2], department=wards[i % 3]
        )
        request_triage(actor=c.coord_a, request=request)
        if i % 3:
            request_claim(actor=c.volunteer_user, request=request)
        else:
            request_assign(actor=c.coord_a, request=request, organisation=c.ngo_a)


def _queries(client: Client, path: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(queries), response.json()


def test_the_list_costs_the_same_number_of_queries_for_5_or_50_requests(
    care_cast: Cast, client: Client
) -> None:
    _sixty_requests(care_cast)
    client.force_login(care_cast.coord_a)
    small, small_body = _queries(client, f"{URL}?limit=5")
    large, large_body = _queries(client, f"{URL}?limit=50")
    assert (len(small_body["items"]), len(large_body["items"])) == (5, 50)
    assert all(i["volunteer_first_name"] or i["organisation_name"] for i in large_body["items"])
    assert all(i["department"] and i["veteran_name"] for i in large_body["items"])
    assert small == large
    paged, _ = _queries(client, f"{URL}?limit=50&cursor={small_body['next_cursor']}")
    assert paged == large


def test_one_request_costs_the_same_number_of_queries_however_long_its_timeline(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    short = _create(c.liaison, c.institution_a, veteran=c.veteran_a2)
    long = _create(c.liaison, c.institution_a, veteran=c.veteran_a2)
    request_triage(actor=c.coord_a, request=long)
    for _ in range(15):  # taken and given back: two events each, by two different people
        request_claim(actor=c.volunteer_user, request=long)
        request_decline(actor=c.coord_a, request=long, reason="Заболела")
    client.force_login(c.coord_a)
    few, few_body = _queries(client, f"{URL}/{short.pk}")
    many, many_body = _queries(client, f"{URL}/{long.pk}")
    assert (len(few_body["timeline"]), len(many_body["timeline"])) == (1, 32)
    assert {e["actor"] for e in many_body["timeline"]} == {
        c.liaison.display_name,
        c.coord_a.display_name,
        c.volunteer_user.display_name,
    }
    assert few == many
