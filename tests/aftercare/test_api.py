from __future__ import annotations

from typing import Any

from django.test import Client

from ryadom.accounts.models import User
from ryadom.aftercare.models import DischargePlan
from ryadom.audit.models import AuditEvent
from tests.aftercare.conftest import discharge
from tests.conftest import Cast


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(user: User, path: str, body: dict[str, Any]) -> Any:
    return _as(user).post(path, body, content_type="application/json")


def test_the_plan_goes_home_over_the_api_and_each_role_sees_its_share(care_cast: Cast) -> None:
    c = care_cast
    stay = discharge(c)
    path = f"/api/v1/aftercare/discharges/{stay.pk}/plan"
    body = {
        "home_region_id": c.veteran_a2.home_region_id,
        "needs": ["rehabilitation"],
        "family_phone": "+7 900 111-22-33",
        "consent_method": "witness",
        "witness": "",
    }
    refused = _post(c.liaison, path, body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "witness"
    assert _post(c.coord_b, path, {**body, "witness": "Врач Петров"}).status_code == 404
    made = _post(c.liaison, path, {**body, "witness": "Врач Петров"})
    assert made.status_code == 201, made.content
    plan = made.json()
    assert (plan["status"], plan["owner_id"], plan["family_phone"]) == (
        "handed_over",
        c.coord_b.pk,
        "+79001112233",
    )
    one = f"/api/v1/aftercare/plans/{plan['id']}"
    for outsider in (c.ngo_manager, c.volunteer_user, c.relative, c.stranger):
        assert _as(outsider).get(one).status_code == 404
        assert _as(outsider).get("/api/v1/aftercare/plans").json()["count"] == 0
    assert _as(c.coord_b).get(one).status_code == 200
    assert AuditEvent.objects.filter(action="discharge_plan.viewed", actor=c.coord_b).count() == 1

    contacts = _as(c.coord_b).get("/api/v1/aftercare/contacts").json()
    assert [x["days_after"] for x in contacts["items"]] == [7, 30, 90, 180, 365]
    assert _as(c.coord_a).get("/api/v1/aftercare/contacts").json()["count"] == 0
    first = contacts["items"][0]["id"]
    attempt = f"/api/v1/aftercare/contacts/{first}/attempts"
    assert _post(c.coord_a, attempt, {"result": "reached"}).status_code == 404
    done = _post(
        c.coord_b, attempt, {"result": "new_needs", "service": "after_discharge.home_help"}
    )
    assert done.status_code == 201 and done.json()["contact"]["care_request_id"] is not None
    assert _post(c.coord_b, attempt, {"result": "reached"}).status_code == 409
    assert DischargePlan.objects.get().first_contact_at is not None
