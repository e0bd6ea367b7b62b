"""The ward's pages: admission from a phone, the veteran's page, the way in from the QR code."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ryadom.veterans.models import Veteran
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_the_liaison_admits_and_sees_the_slip_code_once(cast: Cast) -> None:
    ward = f.DepartmentFactory(institution=cast.institution_a)
    client = Client()
    client.force_login(cast.liaison)
    response = client.post(
        "/admissions/new/",
        {
            "addressed_as": "Пётр",
            "gender": "m",
            "place": f"{cast.institution_a.pk}-{ward.pk}",
            "admitted_on": timezone.localdate().isoformat(),
            "phone": "+79005554433",
            "consent": "code",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    veteran = Veteran.objects.get(addressed_as="Пётр")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Code for the admission slip" in page
    assert "Code for the admission slip" not in client.get(response["Location"]).content.decode()
    assert veteran.claim_code_hash


def test_a_duplicate_admission_is_shown_next_to_the_field(cast: Cast) -> None:
    ward = f.DepartmentFactory(institution=cast.institution_a)
    client = Client()
    client.force_login(cast.liaison)
    data = {
        "addressed_as": cast.veteran_a.addressed_as,
        "gender": "m",
        "place": f"{cast.institution_a.pk}-{ward.pk}",
        "admitted_on": timezone.localdate().isoformat(),
        "consent": "witness",
        "witness": "Смирнова",
        "scan": SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed"),
    }
    response = client.post("/admissions/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "is already admitted here" in response.content.decode()


def test_someone_without_a_role_at_the_ward_link_chooses_who_they_are(cast: Cast) -> None:
    ward = f.DepartmentFactory(institution=cast.institution_a)
    link = f"/ward/{cast.institution_a.pk}/{ward.pk}/"
    for client in (Client(), _signed_in(cast)):
        response = client.get(link)
        assert response.status_code == 302
        assert response["Location"].startswith("/start/?")
        page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "I am a relative" in page and f"department%3D{ward.pk}" in page


def _signed_in(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.stranger)
    return client
