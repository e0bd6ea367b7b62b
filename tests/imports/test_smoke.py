from __future__ import annotations

import pytest
from django.test import Client

from ryadom.imports.models import ImportBatch
from ryadom.institutions.models import Institution
from tests.imports.conftest import upload, xlsx

pytestmark = pytest.mark.django_db


def test_smoke(cast, client: Client) -> None:
    row = {
        "code": "77-9001",
        "name": "Госпиталь",
        "kind": "Военный госпиталь",
        "agency": "mod",
        "region": "77",
        "address": "ул. Садовая, 1",
        "departments": "Хирургия; Терапия",
        "visiting_hours": "пн 16:00-19:00; сб 11:00-13:00",
    }
    response = upload(client, cast.coord_a, "institutions", xlsx("institutions", [row]))
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = ImportBatch.objects.get()
    print(batch.status, batch.counts, batch.problems)
    page = client.get(response["Location"])
    assert page.status_code == 200
    r = client.post(f"/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    print(batch.status, batch.counts, batch.problems, batch.message)
    inst = Institution.objects.get(code="77-9001")
    print(inst.departments.all(), inst.visiting_hours.all())
