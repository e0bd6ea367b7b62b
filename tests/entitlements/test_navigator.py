"""The navigator end to end: answers, the checklist for each role, marks, the catalogue."""

from __future__ import annotations

import pytest
from django.test import Client

from ryadom.audit.models import AuditEvent
from ryadom.core.validation import InvalidInput
from ryadom.entitlements.models import Circumstances, Measure
from ryadom.entitlements.services import measure_save
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

KURSK_PARTICIPANT = {
    "status": "svo_participant",
    "region": "46",
    "disability_group": 0,
    "children": 2,
    "served_from": "2024-03-01",
    "served_to": "2025-02-28",
    "wounded": True,
}


def answer(client: Client, cast: Cast, payload: dict[str, object] = KURSK_PARTICIPANT) -> dict:
    client.force_login(cast.veteran_user)
    response = client.put(
        f"/api/v1/veterans/{cast.veteran_a.pk}/circumstances",
        payload,
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_the_answers_give_the_measures_they_match_and_no_other_region(
    client: Client, cast: Cast
) -> None:
    checklist = answer(client, cast)
    codes = {e["measure"]["code"] for e in checklist["to_apply"]}
    assert {"federal.monthly_payment", "regional.46.land_plot", "federal.rehabilitation"} <= codes
    assert "regional.77.lump_sum" not in codes  # Moscow's, and the veteran lives in Kursk
    assert "federal.payment_2023" not in codes  # no longer in force
    assert "federal.family_survivor" not in codes  # for family members
    assert checklist["note"] == "Demo sample, not legal advice."


def test_each_role_sees_the_checklist_as_far_as_it_may(client: Client, cast: Cast) -> None:
    answer(client, cast)
    url = f"/api/v1/veterans/{cast.veteran_a.pk}/checklist"
    for user, status in [
        (cast.relative, 200),
        (cast.coord_a, 200),
        (cast.federal, 200),
        (cast.coord_b, 404),  # the outsider
        (cast.volunteer_user, 404),
        (cast.stranger, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    logged = AuditEvent.objects.filter(action="checklist.viewed", veteran_id=cast.veteran_a.pk)
    assert sorted(e.actor_id for e in logged) == sorted([cast.coord_a.pk, cast.federal.pk])
    client.force_login(cast.veteran_user)
    refused = client.put(
        f"/api/v1/veterans/{cast.veteran_a.pk}/circumstances",
        {**KURSK_PARTICIPANT, "region": "00"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "region", "message": "Нет региона с таким кодом."}
    ]
    client.logout()
    assert client.get(url).status_code == 401


def test_the_veteran_marks_a_measure_applied_and_it_leaves_the_list_to_apply(
    client: Client, cast: Cast
) -> None:
    answer(client, cast)
    page = client.get(f"/veterans/{cast.veteran_a.pk}/entitlements/").content.decode()
    assert page.count('data-testid="to-apply"') >= 2
    assert "Демонстрационный образец, не юридическая консультация" in page
    response = client.post(
        f"/veterans/{cast.veteran_a.pk}/entitlements/regional.46.land_plot/mark/",
        {"status": "applied"},
    )
    assert response.status_code == 302
    checklist = client.get(f"/api/v1/veterans/{cast.veteran_a.pk}/checklist").json()
    assert [e["measure"]["code"] for e in checklist["marked"]] == ["regional.46.land_plot"]
    assert checklist["marked"][0]["mark"] == "applied"
    assert "regional.46.land_plot" not in {e["measure"]["code"] for e in checklist["to_apply"]}
    assert AuditEvent.objects.filter(action="checklist.marked").count() == 1


def test_the_coordinator_answers_for_the_veteran_and_the_outsider_cannot(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.coord_a)
    veteran_page = client.get(f"/veterans/{cast.veteran_a.pk}/").content.decode()
    assert f"/veterans/{cast.veteran_a.pk}/entitlements/" in veteran_page
    data = {**KURSK_PARTICIPANT, "married": "on", "dependants": 0}
    url = f"/veterans/{cast.veteran_a.pk}/entitlements/answers/"
    assert client.post(url, data).status_code == 302
    assert cast.veteran_a.circumstances.married
    client.force_login(cast.coord_b)
    assert client.post(url, data).status_code == 404
    assert client.post(f"/veterans/{cast.veteran_a.pk}/entitlements/x.y/mark/").status_code == 404


def test_bad_answers_are_refused_on_the_page_with_the_field_named(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.veteran_user)
    bad = {**KURSK_PARTICIPANT, "dependants": 0, "served_from": "2025-03-01"}
    bad["served_to"] = "2024-01-01"
    response = client.post(f"/veterans/{cast.veteran_a.pk}/entitlements/answers/", bad)
    assert response.status_code == 400
    assert "Служба не может закончиться раньше, чем началась." in response.content.decode()
    assert not Circumstances.objects.exists()


def test_a_measure_with_conditions_that_do_not_read_is_refused_and_nothing_changes(
    cast: Cast,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        measure_save(
            actor=cast.federal,
            code="federal.monthly_payment",
            conditions=[{"field": "rank", "op": "eq", "value": "major"}],
        )
    assert "unknown field “rank”" in refused.value.errors["conditions"][0]
    kept = Measure.objects.get(code="federal.monthly_payment")
    assert kept.conditions[0]["field"] == "status"


def test_the_public_catalogue_says_it_is_a_demo_sample(client: Client, cast: Cast) -> None:
    measures = client.get("/api/v1/entitlements/measures").json()
    assert len(measures) >= 12 and all(m["note"] for m in measures)
    assert client.get("/api/v1/entitlements/measures/federal.payment_2023").status_code == 404
    page = client.get("/entitlements/").content.decode()
    assert "Демонстрационный образец, не юридическая консультация" in page
