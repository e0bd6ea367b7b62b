"""Importing partner services: created through the referrals' service, the same file again
changes nothing, a changed row is updated in place and audited, another region's row is
refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ryadom.audit.models import AuditEvent
from ryadom.imports.models import BatchStatus, ImportBatch
from ryadom.referrals.models import PartnerKind, PartnerService
from tests.conftest import Cast
from tests.imports.conftest import csv_bytes, upload, xlsx
from tests.imports.test_imports import run

pytestmark = pytest.mark.django_db

CENTRE = {
    "name": "Центр занятости населения ЦАО",
    "kind": "Центр занятости",
    "region": "77",
    "inn": "7701234567",
    "service_area": "77; 50",
    "address": "ул. Садовая, 3",
    "contact_person": "Сидорова Ольга Петровна",
    "phone": "+7 495 000-00-01",
    "email": "CZN@example.ru",
    "offers": "Подбор вакансий, переобучение",
}
COLLEGE = {
    "name": "Колледж связи № 54",
    "kind": "education",
    "region": "Москва",
    "quota_info": "10 бюджетных мест для участников СВО",
}


def test_partner_services_import_and_reimport(cast: Cast, client: Client) -> None:
    batch = run(client, cast.coord_a, "partner_services", [CENTRE, COLLEGE])
    assert batch.counts == {"create": 2, "update": 0, "unchanged": 0}
    centre = PartnerService.objects.get(inn="7701234567")
    assert (centre.kind, centre.email) == (PartnerKind.EMPLOYMENT, "czn@example.ru")
    assert sorted(r.code for r in centre.service_area.all()) == ["50", "77"]
    college = PartnerService.objects.get(name=COLLEGE["name"])
    assert college.quota_info.startswith("10 бюджетных")

    again = run(client, cast.coord_a, "partner_services", [CENTRE, COLLEGE])
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2}

    moved = {**CENTRE, "phone": "+7 495 000-00-02", "name": "ЦЗН ЦАО"}
    changed = run(client, cast.coord_a, "partner_services", [moved])
    assert changed.counts == {"create": 0, "update": 1, "unchanged": 0}
    centre.refresh_from_db()
    assert (centre.name, centre.phone) == ("ЦЗН ЦАО", "+7 495 000-00-02")
    audit = AuditEvent.objects.filter(action="partner_service.updated").get()
    assert audit.changes["phone"] == ["+7 495 000-00-01", "+7 495 000-00-02"]
    assert PartnerService.objects.count() == 2


def test_bad_rows_are_reported_and_nothing_is_written(cast: Cast, client: Client) -> None:
    rows: list[dict[str, Any]] = [
        {**CENTRE, "region": "61", "service_area": ""},  # a CSV cell holds no “;”
        {**COLLEGE, "kind": "цирк"},
        {**COLLEGE, "name": "Другой", "inn": "123"},
    ]
    upload(client, cast.coord_a, "partner_services", csv_bytes("partner_services", rows), "p.csv")
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED_CHECK
    assert sorted((p[0], p[1]) for p in batch.problems) == [(2, "region"), (3, "kind"), (4, "inn")]
    assert not PartnerService.objects.exists()
    assert xlsx("partner_services", [CENTRE])  # the template is there for the page's link
