"""A veteran (or a relative with authority) downloads all their data: JSON and a readable PDF."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from pypdf import PdfReader

from ryadom.audit.models import AuditEvent
from tests.conftest import Cast
from tests.security.privacy_helpers import as_user, ask

pytestmark = pytest.mark.django_db


def _with_data(c: Cast) -> None:
    c.veteran_a.addressed_as = "Добрыня"
    c.veteran_a.what_matters = "Утром — крепкий чай"
    c.veteran_a.save()
    ask(c, details="Постирать тельняшку")


def test_the_json_export_holds_the_profile_stays_consents_requests_and_access_log(
    care_cast: Cast, client: Client
) -> None:
    _with_data(care_cast)
    as_user(client, care_cast.coord_a).get(f"/api/v1/veterans/{care_cast.veteran_a.pk}")
    as_user(client, care_cast.veteran_user)
    response = client.get(f"/my/data/{care_cast.veteran_a.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["addressed_as"] == "Добрыня"
    assert data["profile"]["what_matters"] == "Утром — крепкий чай"
    assert [s["institution"] for s in data["stays"]] == ["Госпиталь А"]
    assert {c["purpose"] for c in data["consents"]} == {"care", "proxy"}
    assert [r["details"] for r in data["requests"]] == ["Постирать тельняшку"]
    assert data["access_log"][0]["who"] == care_cast.coord_a.display_name  # newest first
    assert AuditEvent.objects.filter(
        action="veteran.exported", actor=care_cast.veteran_user
    ).exists()


def test_the_pdf_export_reads_in_russian(care_cast: Cast, client: Client) -> None:
    _with_data(care_cast)
    as_user(client, care_cast.relative)
    response = client.get(f"/my/data/{care_cast.veteran_a.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("Добрыня", "Утром — крепкий чай", "Госпиталь А", "Постирать тельняшку"):
        assert expected in text


def test_nobody_else_downloads_a_veterans_data(care_cast: Cast, client: Client) -> None:
    for user in (
        care_cast.coord_a,
        care_cast.federal,
        care_cast.volunteer_user,
        care_cast.stranger,
    ):
        as_user(client, user)
        for kind in ("json", "pdf"):
            url = f"/my/data/{care_cast.veteran_a.pk}/export.{kind}"
            assert client.get(url).status_code == 404, (user.username, kind)
    assert Client().get(f"/my/data/{care_cast.veteran_a.pk}/export.json").status_code == 302
