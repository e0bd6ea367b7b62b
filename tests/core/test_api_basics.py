from __future__ import annotations

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult
from openapi_spec_validator import validate

from ryadom.accounts.services import api_token_issue, api_token_revoke
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_openapi_document_is_valid_openapi_3(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/regions" in spec["paths"]
    assert "/api/v1/veterans/{veteran_id}" in spec["paths"]


def test_health_reports_database_and_an_idle_worker(client: Client) -> None:
    body = client.get("/api/v1/health").json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": True, "detail": "queue empty"}


def test_health_is_503_when_tasks_wait_longer_than_a_worker_would_let_them(
    client: Client, settings: object
) -> None:
    from ryadom.core.tasks import ping

    ping.enqueue()
    DBTaskResult.objects.update(enqueued_at="2026-01-01T00:00:00Z")
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False
    assert response.json()["worker"]["detail"].startswith("1 waiting")


def test_a_bearer_token_authenticates_until_it_is_revoked(cast: Cast, client: Client) -> None:
    token, key = api_token_issue(actor=cast.coord_a, user=cast.coord_a, name="hospital system")
    assert token.key_hash != key and key not in token.key_hash
    ok = client.get("/api/v1/veterans", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200
    assert {v["id"] for v in ok.json()["items"]} == {cast.veteran_a.pk, cast.veteran_a2.pk}
    token.refresh_from_db()
    assert token.last_used_at is not None

    api_token_revoke(actor=cast.coord_a, token=token)
    refused = client.get("/api/v1/veterans", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert refused.status_code == 401
    assert client.get("/api/v1/veterans", HTTP_AUTHORIZATION="Bearer rdm_guess").status_code == 401


def test_me_names_the_roles_of_the_caller(cast: Cast, client: Client) -> None:
    client.force_login(cast.coord_a)
    body = client.get("/api/v1/me").json()
    assert body["username"] == "coord_a"
    assert body["roles"] == [
        {"role": "regional_coordinator", "scope_kind": "region", "scope_id": f.region("77").pk}
    ]


def test_registries_filter_by_region_and_show_details(cast: Cast, client: Client) -> None:
    moscow = client.get("/api/v1/institutions?region=77").json()
    assert [i["name"] for i in moscow["items"]] == ["Госпиталь А"]
    detail = client.get(f"/api/v1/institutions/{cast.institution_a.pk}").json()
    assert detail["timezone"] == "Europe/Moscow"
    ngo = client.get(f"/api/v1/organisations/{cast.ngo_a.pk}").json()
    assert ngo["agreements"][0]["institution_name"] == "Госпиталь А"
    assert client.get("/api/v1/regions/61").json()["name_en"] == "Rostov Oblast"
    assert client.get("/api/v1/regions/00").status_code == 404


def test_a_bad_filter_value_gets_422_with_the_field_named(client: Client) -> None:
    response = client.get("/api/v1/institutions?kind=castle")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


def test_list_endpoints_use_a_constant_number_of_queries(
    client: Client, django_assert_max_num_queries: object
) -> None:
    for _ in range(30):
        f.OrganisationFactory()
        f.InstitutionFactory()
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        assert len(client.get("/api/v1/organisations?limit=30").json()["items"]) == 30
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        assert len(client.get("/api/v1/institutions?limit=30").json()["items"]) == 30
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        assert len(client.get("/api/v1/service-types").json()) == 25
