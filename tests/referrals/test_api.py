"""The referrals API: coordinators refer and follow the referrals of their regions; the
outsider gets 404; reads of a referral are in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ryadom.audit.models import AuditEvent
from ryadom.referrals.models import PartnerService
from ryadom.veterans.models import Veteran
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def test_coordinator_refers_over_the_api_and_the_outsider_sees_nothing(
    cast: Cast, partner: PartnerService, consented: Veteran, client: Client
) -> None:
    client.force_login(cast.coord_a)
    partners = client.get("/api/v1/partner-services?region=77").json()
    assert [p["name"] for p in partners] == [partner.name]
    made = _post(
        client,
        "/api/v1/referrals",
        {"veteran": consented.pk, "partner": partner.pk, "need": "work", "note": "Ищет работу"},
    )
    assert made.status_code == 201, made.json()
    referral = made.json()
    assert (referral["status"], referral["region"]) == ("sent", "77")
    assert [e["action"] for e in referral["timeline"]] == ["create"]
    path = f"/api/v1/referrals/{referral['id']}"
    assert client.get(path).json()["veteran_name"] == consented.addressed_as
    assert AuditEvent.objects.filter(action="referral.viewed", veteran_id=consented.pk).exists()
    moved = _post(client, f"{path}/moves", {"action": "finish", "outcome": "employed"})
    assert moved.status_code == 409

    client.force_login(cast.coord_b)
    assert client.get(path).status_code == 404
    assert _post(client, f"{path}/moves", {"action": "cancel"}).status_code == 404
    assert client.get("/api/v1/referrals").json() == []
    refused = _post(
        client,
        "/api/v1/referrals",
        {"veteran": consented.pk, "partner": partner.pk, "need": "work"},
    )
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "veteran")

    client.force_login(cast.volunteer_user)
    assert client.get("/api/v1/partner-services").json() == []
    assert client.get(path).status_code == 404


def test_federal_coordinator_lists_by_status(
    cast: Cast, partner: PartnerService, consented: Veteran, client: Client
) -> None:
    client.force_login(cast.federal)
    _post(
        client,
        "/api/v1/referrals",
        {"veteran": consented.pk, "partner": partner.pk, "need": "study"},
    )
    assert len(client.get("/api/v1/referrals?status=sent").json()) == 1
    assert client.get("/api/v1/referrals?status=done").json() == []
    bad = client.get("/api/v1/referrals?status=lost")
    assert bad.status_code == 422
