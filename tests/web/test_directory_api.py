"""The directory as JSON, for anyone: a region's contacts and an institution's access steps."""

from __future__ import annotations

import pytest
from django.test import Client

from ryadom.institutions.models import AccessLevel, InstitutionKind
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_regions_directory_names_coordinators_ngos_and_institutions(
    cast: Cast, client: Client
) -> None:
    cast.coord_a.phone = "+7 000 123-45-67"
    cast.coord_a.save()
    body = client.get("/api/v1/directory/regions/77").json()
    assert body["code"] == "77" and body["name_en"] == "Moscow"
    assert [(c["role"], c["phone"]) for c in body["coordinators"]] == [
        ("regional_coordinator", "+7 000 123-45-67")
    ]
    assert [o["name"] for o in body["organisations"]] == ["АНО «Рядом А»"]
    [institution] = body["institutions"]
    assert (institution["name"], institution["access_level"]) == ("Госпиталь А", "pass")
    assert [o["name"] for o in institution["organisations"]] == ["АНО «Рядом А»"]

    missing = client.get("/api/v1/directory/regions/00")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found.", "errors": []}


def test_access_steps_of_a_military_hospital_come_in_order(cast: Cast, client: Client) -> None:
    hospital = f.InstitutionFactory(
        kind=InstitutionKind.MILITARY_HOSPITAL,
        access_level=AccessLevel.SCREENING,
        contact_name="Ирина",
        contact_phone="+7 495 000-00-01",
    )
    f.AgreementFactory(institution=hospital, organisation=cast.ngo_a)
    body = client.get(
        f"/api/v1/institutions/{hospital.pk}/access-steps", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert [s["code"] for s in body["steps"]] == [
        "ngo_agreement",
        "identity",
        "agreement",
        "training",
        "medical",
        "screening",
    ]
    assert body["steps"][1]["description"].startswith("Show your passport")
    assert [o["id"] for o in body["organisations"]] == [cast.ngo_a.pk]
    assert (body["contact_name"], body["contact_phone"]) == ("Ирина", "+7 495 000-00-01")
    assert client.get("/api/v1/institutions/999999/access-steps").status_code == 404
