"""Each role walks a request through its whole life over the API."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Complaint
from ryadom.care.selectors import volunteer_hours
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _post(
    client: Client, path: str, body: dict[str, object] | None = None, **headers: str
) -> tuple[int, dict[str, object]]:
    response = client.post(path, body or {}, content_type="application/json", headers=headers)
    return response.status_code, response.json()


def _visit_slot() -> tuple[str, str]:
    starts = (
        (timezone.now() + datetime.timedelta(days=1))
        .astimezone(datetime.timezone(datetime.timedelta(hours=3)))
        .replace(hour=15, minute=0, second=0, microsecond=0)
    )
    return starts.isoformat(), (starts + datetime.timedelta(hours=1)).isoformat()


def test_relative_asks_coordinator_triages_volunteer_claims_and_veteran_confirms(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    status, body = _post(
        _as(client, c.relative),
        "/api/v1/requests",
        {
            "service": "leisure.reading",
            "institution": c.institution_a.pk,
            "veteran": c.veteran_a.pk,
            "details": "Почитать вслух «Тихий Дон»",
        },
    )
    assert status == 201, body
    rid = body["id"]
    assert body["status"] == "new"
    assert CareRequest.objects.get(pk=rid).coordinator == c.coord_a

    assert _post(_as(client, c.coord_a), f"/api/v1/requests/{rid}/triage")[1]["status"] == "triaged"
    status, body = _post(_as(client, c.volunteer_user), f"/api/v1/requests/{rid}/claim")
    assert (status, body["status"]) == (200, "assigned")
    starts, ends = _visit_slot()
    status, body = _post(
        client, f"/api/v1/requests/{rid}/schedule", {"starts": starts, "ends": ends}
    )
    assert (status, body["status"]) == (200, "scheduled"), body
    assert _post(client, f"/api/v1/requests/{rid}/check-in")[1]["status"] == "in_progress"
    status, body = _post(client, f"/api/v1/requests/{rid}/complete", {"note": "Прочитали главу"})
    assert body["status"] == "completed"

    status, body = _post(
        _as(client, c.veteran_user),
        f"/api/v1/requests/{rid}/feedback",
        {"done": True, "respectful": True, "rating": 5},
    )
    assert body == {"request_status": "confirmed", "complaint_opened": False}

    detail = client.get(f"/api/v1/requests/{rid}").json()
    assert [e["action"] for e in detail["timeline"]] == [
        "create",
        "triage",
        "claim",
        "schedule",
        "check-in",
        "complete",
        "confirm",
    ]
    assert volunteer_hours(volunteer=c.volunteer_a) >= datetime.timedelta(0)


def test_not_done_reopens_the_request_and_opens_a_complaint(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    _, body = _post(
        _as(client, c.liaison),
        "/api/v1/requests",
        {
            "service": "laundry.wash",
            "institution": c.institution_a.pk,
            "veteran": c.veteran_a2.pk,
        },
    )
    rid = body["id"]
    _as(client, c.coord_a)
    _post(client, f"/api/v1/requests/{rid}/triage")
    status, body = _post(client, f"/api/v1/requests/{rid}/assign", {"volunteer": c.volunteer_a.pk})
    assert (status, body["status"]) == (200, "assigned"), body
    _as(client, c.volunteer_user)
    starts, ends = _visit_slot()
    _post(client, f"/api/v1/requests/{rid}/schedule", {"starts": starts, "ends": ends})
    _post(client, f"/api/v1/requests/{rid}/check-in")
    _post(client, f"/api/v1/requests/{rid}/complete")
    status, body = _post(
        _as(client, c.liaison),
        f"/api/v1/requests/{rid}/feedback",
        {"done": False, "respectful": True, "comment": "Бельё не вернули"},
    )
    assert body == {"request_status": "triaged", "complaint_opened": True}
    assert Complaint.objects.get().request_id == rid


def test_the_outsider_gets_404_and_a_wrong_state_gets_409(care_cast: Cast, client: Client) -> None:
    c = care_cast
    _, body = _post(
        _as(client, c.liaison),
        "/api/v1/requests",
        {
            "service": "laundry.wash",
            "institution": c.institution_a.pk,
        },
    )
    rid = body["id"]
    assert _post(_as(client, c.coord_b), f"/api/v1/requests/{rid}/triage")[0] == 404
    assert client.get(f"/api/v1/requests/{rid}").status_code == 404
    status, body = _post(_as(client, c.coord_a), f"/api/v1/requests/{rid}/check-in")
    assert status == 403  # the coordinator sees it but does not check in for a volunteer
    _post(client, f"/api/v1/requests/{rid}/triage")
    status, body = _post(client, f"/api/v1/requests/{rid}/triage")
    assert status == 409
    assert "Ищем помощника" in str(body["detail"])  # the status, in the default language


def test_the_coordinator_answers_a_complaint_once_by_api_and_the_outsider_cannot(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    _, body = _post(
        _as(client, c.liaison),
        "/api/v1/requests",
        {
            "service": "laundry.wash",
            "institution": c.institution_a.pk,
            "veteran": c.veteran_a2.pk,
        },
    )
    rid = body["id"]
    _as(client, c.coord_a)
    _post(client, f"/api/v1/requests/{rid}/triage")
    _post(client, f"/api/v1/requests/{rid}/assign", {"volunteer": c.volunteer_a.pk})
    _as(client, c.volunteer_user)
    starts, ends = _visit_slot()
    _post(client, f"/api/v1/requests/{rid}/schedule", {"starts": starts, "ends": ends})
    _post(client, f"/api/v1/requests/{rid}/check-in")
    _post(client, f"/api/v1/requests/{rid}/complete")
    _post(
        _as(client, c.liaison),
        f"/api/v1/requests/{rid}/feedback",
        {"done": True, "respectful": False, "comment": "Грубил"},
    )
    complaint = Complaint.objects.get(request_id=rid)

    answer = {"answer": "Мы поговорили с волонтёром", "upheld": True}
    path = f"/api/v1/complaints/{complaint.pk}/answer"
    assert _post(_as(client, c.coord_b), path, answer)[0] == 404
    assert _post(_as(client, c.volunteer_user), path, answer)[0] in (403, 404)
    status, body = _post(_as(client, c.coord_a), path, answer)
    assert (status, body["upheld"]) == (200, True)
    assert _post(client, path, answer)[0] == 409
    page = client.get(f"/requests/{rid}/").content.decode()
    assert "Complaint to answer" not in page and "Жалоба" not in page
