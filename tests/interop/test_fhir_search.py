"""A hospital polls its Tasks: by owner, status and _lastUpdated, a page at a time."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast
from tests.interop.fhir import Json, call, hospital_system, referral

pytestmark = pytest.mark.django_db


def _ids(bundle: Json) -> list[str]:
    assert bundle["type"] == "searchset"
    return [e["resource"]["id"] for e in bundle.get("entry", [])]


def _cancel(client: Client, rid: str, reason: str, *, user: object = None, key: str = "") -> None:
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = client.post(
        f"/api/v1/requests/{rid}/cancel",
        {"note": reason},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    client.logout()


@pytest.fixture
def polled(care_cast: Cast, client: Client) -> tuple[str, dict[str, str]]:
    """Three referrals of one hospital: A triaged, B cancelled by the hospital, C refused."""
    c = care_cast
    his = hospital_system(c.institution_a, actor=c.federal)
    ids = {
        name: call(client, "POST", "", his, referral(identifier=name, patient_id="MRN-1"))[1]["id"]
        for name in "ABC"
    }
    client.force_login(c.coord_a)
    triage = client.post(f"/api/v1/requests/{ids['A']}/triage", {}, content_type="application/json")
    assert triage.status_code == 200
    client.logout()
    _cancel(client, ids["B"], "Пациента выписали", key=his)
    _cancel(client, ids["C"], "Такой помощи в этом городе нет", user=c.coord_a)
    return his, ids


def test_search_by_status_tells_refused_from_cancelled(
    polled: tuple[str, dict[str, str]], client: Client
) -> None:
    his, ids = polled
    assert _ids(call(client, "GET", "Task?status=accepted", his)[1]) == [ids["A"]]
    assert _ids(call(client, "GET", "Task?status=cancelled", his)[1]) == [ids["B"]]
    refused = call(client, "GET", "Task?status=rejected", his)[1]
    assert _ids(refused) == [ids["C"]]
    task = refused["entry"][0]["resource"]
    assert task["statusReason"] == {"text": "Такой помощи в этом городе нет"}
    assert task["businessStatus"]["coding"][0]["code"] == "cancelled"
    both = call(client, "GET", "Task?status=rejected,cancelled", his)[1]
    assert sorted(_ids(both)) == sorted([ids["B"], ids["C"]])
    assert _ids(call(client, "GET", "Task?status=received", his)[1]) == []


def test_search_by_owner_and_last_updated_pages_in_order_of_change(
    polled: tuple[str, dict[str, str]], care_cast: Cast, client: Client
) -> None:
    his, ids = polled
    everything = call(client, "GET", "Task?owner=Organization/region-77", his)[1]
    # Oldest change first: A was triaged before B and C were cancelled.
    assert _ids(everything) == [ids["A"], ids["B"], ids["C"]]
    assert everything["total"] == 3
    assert _ids(call(client, "GET", f"Task?owner=ngo-{care_cast.ngo_a.pk}", his)[1]) == []

    a_changed = everything["entry"][0]["resource"]["meta"]["lastUpdated"]
    since = call(client, "GET", f"Task?_lastUpdated=gt{a_changed}", his)[1]
    assert _ids(since) == [ids["B"], ids["C"]]
    until = call(client, "GET", f"Task?_lastUpdated=le{a_changed}", his)[1]
    assert _ids(until) == [ids["A"]]
    day = a_changed[:10]
    assert call(client, "GET", f"Task?_lastUpdated={day}", his)[1]["total"] == 3
    assert call(client, "GET", f"Task?_lastUpdated=lt{day}", his)[1]["total"] == 0

    first = call(client, "GET", "Task?_count=2&owner=Organization/region-77", his)[1]
    assert _ids(first) == [ids["A"], ids["B"]]
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert "previous" not in links
    path = links["next"].split("/fhir/", 1)[1]
    second = call(client, "GET", path, his)[1]
    assert _ids(second) == [ids["C"]]
    assert {link["relation"] for link in second["link"]} == {"self", "first", "previous"}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("patient=MRN-1", "Unknown search parameter patient"),
        ("status=done", "'done' is none of"),
        ("owner=Practitioner/5", "owner:"),
        ("_lastUpdated=since-monday", "_lastUpdated:"),
        ("_count=0", "_count"),
        ("_count=101", "_count"),
        ("_page=x", "_page"),
    ],
)
def test_a_search_it_cannot_answer_is_refused_not_ignored(
    polled: tuple[str, dict[str, str]], client: Client, query: str, words: str
) -> None:
    his, _ids = polled
    status, outcome = call(client, "GET", f"Task?{query}", his)
    assert status == 400
    assert words in outcome["issue"][0]["diagnostics"]
