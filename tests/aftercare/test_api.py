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


def test_the_home_coordinator_gives_a_contact_to_an_ngo_of_the_home_region_over_the_api(
    handed_over: DischargePlan, care_cast: Cast
) -> None:
    c = care_cast
    contact = handed_over.contacts.order_by("due_on").first()
    assert contact is not None
    path = f"/api/v1/aftercare/contacts/{contact.pk}/delegate"
    body = {"organisation_id": c.ngo_a.pk}

    def unchanged() -> None:
        contact.refresh_from_db()
        assert contact.organisation_id is None

    # The NGO does not work in Rostov yet: refused on the field, nothing changes.
    far = _post(c.coord_b, path, body)
    assert far.status_code == 422 and far.json()["errors"][0]["field"] == "organisation"
    unknown = _post(c.coord_b, path, {"organisation_id": 10**12})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "organisation"
    bad_bodies: list[dict[str, Any]] = [
        {},
        {"organisation_id": "ngo"},
        {"organisation_id": -1},
        {"organisation_id": 2**63},
    ]
    for bad in bad_bodies:
        assert _post(c.coord_b, path, bad).status_code == 422, bad
    unchanged()
    c.ngo_a.regions.add(handed_over.home_region)
    # Another region's coordinator does not see the contact; the NGO's manager may not give it.
    assert _post(c.coord_a, path, body).status_code == 404
    assert _post(c.ngo_manager, path, body).status_code == 404
    assert _post(c.volunteer_user, path, body).status_code == 404
    assert Client().post(path, body, content_type="application/json").status_code == 401
    unchanged()
    given = _post(c.coord_b, path, body)
    assert given.status_code == 200, given.content
    assert given.json()["organisation_id"] == c.ngo_a.pk
    # Now the NGO's manager sees it, and still may not give it away or take it back.
    refused = _post(c.ngo_manager, path, {"organisation_id": None})
    assert refused.status_code == 403
    contact.refresh_from_db()
    assert contact.organisation_id == c.ngo_a.pk
    assert (
        AuditEvent.objects.filter(
            action="followup_contact.delegated", actor=c.coord_b, target_id=str(contact.pk)
        ).count()
        == 1
    )
    back = _post(c.coord_b, path, {"organisation_id": None})
    assert back.status_code == 200 and back.json()["organisation_id"] is None
    # A contact made is closed: it is given to no one any more.
    attempt = f"/api/v1/aftercare/contacts/{contact.pk}/attempts"
    assert _post(c.coord_b, attempt, {"result": "reached"}).status_code == 201
    assert _post(c.coord_b, path, body).status_code == 409
    unchanged()
