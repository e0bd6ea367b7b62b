"""The matching API: shapes, who gets what, and the error shape for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Status
from tests.dispatch.conftest import Region, run_queued

pytestmark = pytest.mark.django_db


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    response = client.post(path, body or {}, content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture
def _post_run(django_capture_on_commit_callbacks: Any) -> Any:
    """POST a run (its task enqueued on commit, as in production) and return the answer."""

    def post(client: Client, body: dict[str, Any]) -> tuple[int, Any]:
        with django_capture_on_commit_callbacks(execute=True):
            return _post(client, "/api/v1/matching/runs", body)

    return post


def _solved(client: Client, run_id: int) -> Any:
    """Let the worker solve the queued run, then read it back as a client polling would."""
    run_queued()
    response = client.get(f"/api/v1/matching/runs/{run_id}")
    assert response.status_code == 200
    return response.json()


def test_recommendations_rank_the_nearest_with_reasons(region_a: Region, client: Client) -> None:
    request = region_a.requests[2]
    response = _as(client, region_a.c.coord_a).get(
        f"/api/v1/requests/{request.pk}/recommendations?limit=2"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["request_id"] == request.pk
    assert [i["volunteer_id"] for i in body["items"]] == [v.pk for v in region_a.near[:2]]
    first = body["items"][0]
    assert set(first) == {"volunteer_id", "volunteer_name", "is_previous", "cost", "km", "reasons"}
    assert first["km"] == 0.0 and first["is_previous"] is False
    assert first["reasons"][0] == {"code": "distance_km", "value": 0.0, "text": "0.0 km from home"}
    assert {"code": "cleared_for_institution", "value": None} in [
        {"code": r["code"], "value": r["value"]} for r in first["reasons"]
    ]


def test_recommendations_for_the_outsider_are_404_and_for_the_liaison_403(
    region_a: Region, client: Client
) -> None:
    path = f"/api/v1/requests/{region_a.requests[0].pk}/recommendations"
    assert _as(client, region_a.c.coord_b).get(path).status_code == 404
    response = _as(client, region_a.c.liaison).get(path)
    assert response.status_code == 403
    assert Client().get(path).status_code == 401


def test_a_limit_out_of_range_is_422_naming_it(region_a: Region, client: Client) -> None:
    path = f"/api/v1/requests/{region_a.requests[0].pk}/recommendations?limit=500"
    response = _as(client, region_a.c.coord_a).get(path)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_run_is_accepted_for_the_background_then_polled_then_accepted(
    region_a: Region, client: Client, _post_run: Any
) -> None:
    c = _as(client, region_a.c.coord_a)
    status, queued = _post_run(c, {"region": "77"})
    assert status == 202, queued
    assert (queued["status"], queued["proposals"], queued["error"]) == ("queued", [], "")
    still = c.get(f"/api/v1/matching/runs/{queued['id']}").json()
    assert still["status"] == "queued" and still["finished_at"] is None
    status, body = _post(c, f"/api/v1/matching/runs/{queued['id']}/accept")
    assert status == 409 and "not been solved" in body["detail"]
    run = _solved(c, queued["id"])
    assert (run["region"], run["dry_run"], run["status"]) == ("77", False, "proposed")
    assert run["started_at"] and run["finished_at"]
    assert (run["requests"], run["matched"], run["unserved"]) == (3, 3, 0)
    assert len(run["proposals"]) == 3 and run["unserved_requests"] == []
    assert run["load_seconds"] >= 0 and run["total_km"] >= 0
    first = run["proposals"][0]
    assert first["status"] == "pending" and first["reasons"][0]["code"] == "distance_km"

    status, body = _post(
        c, f"/api/v1/matching/runs/{run['id']}/accept", {"proposal_ids": [first["id"]]}
    )
    assert status == 200, body
    assert body == {"run_status": "partly_accepted", "accepted": [first["id"]], "stale": []}
    assigned = CareRequest.objects.get(pk=first["request_id"])
    assert (assigned.status, assigned.volunteer_id) == (Status.ASSIGNED, first["volunteer_id"])

    status, body = _post(c, f"/api/v1/matching/runs/{run['id']}/accept")
    assert status == 200 and len(body["accepted"]) == 2 and body["run_status"] == "accepted"
    got = c.get(f"/api/v1/matching/runs/{run['id']}").json()
    assert {p["status"] for p in got["proposals"]} == {"accepted"}


def test_runs_for_another_region_are_403_and_its_runs_404(
    region_a: Region, client: Client, _post_run: Any
) -> None:
    status, body = _post_run(_as(client, region_a.c.coord_b), {"region": "77"})
    assert status == 403, body
    assert run_queued() == 0  # nothing was queued
    status, run = _post_run(_as(client, region_a.c.coord_a), {"region": "77"})
    run = _solved(client, run["id"])
    outsider = _as(Client(), region_a.c.coord_b)
    assert outsider.get(f"/api/v1/matching/runs/{run['id']}").status_code == 404
    status, body = _post(outsider, f"/api/v1/matching/runs/{run['id']}/accept")
    assert status == 404 and body["detail"] == "Not found."
    assert not CareRequest.objects.filter(status=Status.ASSIGNED).exists()


def test_a_dry_run_shows_proposals_and_refuses_acceptance(
    region_a: Region, client: Client, _post_run: Any
) -> None:
    c = _as(client, region_a.c.federal)
    status, run = _post_run(c, {"region": "77", "dry_run": True})
    assert status == 202 and run["status"] == "queued"
    run = _solved(c, run["id"])
    assert run["status"] == "dry_run" and len(run["proposals"]) == 3
    status, body = _post(c, f"/api/v1/matching/runs/{run['id']}/accept")
    assert status == 409 and "dry run" in body["detail"]


def test_bad_run_input_is_422_with_the_field_named(
    region_a: Region, client: Client, _post_run: Any
) -> None:
    c = _as(client, region_a.c.coord_a)
    status, body = _post_run(c, {"region": "99"})
    assert status == 422 and body["errors"] == [
        {"field": "region", "message": "Unknown region code “99”."}
    ]
    status, run = _post_run(c, {"region": "77"})
    run = _solved(c, run["id"])
    status, body = _post(c, f"/api/v1/matching/runs/{run['id']}/accept", {"proposal_ids": [0]})
    assert status == 422 and body["errors"][0]["field"] == "proposal_ids"
    status, body = _post(c, f"/api/v1/matching/runs/{run['id']}/accept", {"proposal_ids": "x"})
    assert status == 422 and body["errors"][0]["field"] == "proposal_ids"
