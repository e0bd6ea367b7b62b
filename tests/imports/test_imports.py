"""Bulk import through its pages: templates, the dry run, confirming, idempotency, updates
with their audit rows, scope, volunteers' consent and checks."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.imports.models import BatchStatus, ImportBatch, VolunteerConsent
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Agreement, Organisation
from ryadom.volunteers.models import Check, Membership, Volunteer
from tests.imports.conftest import upload, xlsx

pytestmark = pytest.mark.django_db

HOSPITAL = {
    "code": "77-9001",
    "name": "Госпиталь на Садовой",
    "kind": "Военный госпиталь",
    "agency": "mod",
    "region": "77",
    "address": "ул. Садовая, 1",
    "departments": "Хирургия; Терапия",
    "visiting_hours": "пн 16:00-19:00; сб 11:00-13:00",
}
NGO = {
    "inn": "7707083893",
    "ogrn": "1027700132195",
    "name": "АНО «Вместе»",
    "kind": "Автономная некоммерческая организация",
    "home_region": "77",
    "regions": "77; 50",
}


def volunteer(n: int, **more: str) -> dict[str, str]:
    return {
        "last_name": "Иванова",
        "first_name": "Анна",
        "phone": f"+7 900 000-00-{n:02d}",
        "gender": "ж",
        "region": "77",
        "ngo": NGO["inn"],
        "consent": "да",
        "consent_date": "01.03.2025",
        **more,
    }


def run(client: Client, user: Any, kind: str, rows: list[dict[str, str]]) -> ImportBatch:
    """Upload, check and confirm; the batch as the page left it."""
    response = upload(client, user, kind, xlsx(kind, rows))
    assert response.status_code == 302, response.content.decode()[-2000:]
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == BatchStatus.CHECKED, batch.problems
    client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE, batch.message
    return batch


def test_templates_download_in_the_readers_language(cast: Any, client: Client) -> None:
    client.force_login(cast.coord_a)
    response = client.get(reverse("imports:template", args=["institutions", "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Учреждения"
    assert [c.value for c in book["Учреждения"][1]][:3] == ["Код учреждения", "Название", "Тип"]
    csv = client.get(reverse("imports:template", args=["volunteers", "csv"])).content
    assert csv.decode("utf-8-sig").startswith("Фамилия;Имя;Телефон")
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(reverse("imports:template", args=["organisations", "xlsx"]))
    assert load_workbook(io.BytesIO(english.content)).sheetnames[0] == "NGOs"


def test_dry_run_reports_row_column_value_and_writes_nothing(cast: Any, client: Client) -> None:
    bad = {**HOSPITAL, "region": "61", "visiting_hours": "пн 19:00-16:00"}
    response = upload(client, cast.coord_a, "institutions", xlsx("institutions", [HOSPITAL, bad]))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED_CHECK
    page = client.get(response["Location"]).content.decode()
    assert "Часы посещений" in page and "пн 19:00-16:00" in page
    assert [p[:3] for p in batch.problems] == [[3, "visiting_hours", "пн 19:00-16:00"]]
    assert not Institution.objects.filter(code="77-9001").exists()
    refused = client.post(reverse("imports:confirm", args=[batch.pk]))
    assert refused.status_code == 409
    report = client.get(reverse("imports:report", args=[batch.pk]))
    book = load_workbook(io.BytesIO(report.content))
    listing = [[c.value for c in row] for row in book["Ошибки"].iter_rows(min_row=2)]
    assert listing[0][:3] == [3, "Часы посещений", "пн 19:00-16:00"]
    data = book["Учреждения"]
    marked = [
        c for row in data.iter_rows(min_row=2) for c in row if c.fill.fgColor.rgb.endswith("FFC7CE")
    ]
    assert [c.value for c in marked] == ["пн 19:00-16:00"] and marked[0].comment is not None


def test_confirmed_import_writes_and_reimport_changes_nothing(cast: Any, client: Client) -> None:
    run(client, cast.coord_a, "institutions", [HOSPITAL])
    run(client, cast.coord_a, "organisations", [NGO])
    agreement = {
        "inn": NGO["inn"],
        "institution": "77-9001",
        "number": "12",
        "valid_from": "01.01.2025",
    }
    run(client, cast.coord_a, "agreements", [agreement])
    run(client, cast.coord_a, "volunteers", [volunteer(1), volunteer(2, email="b@example.org")])
    hospital = Institution.objects.get(code="77-9001")
    assert sorted(d.name for d in hospital.departments.all()) == ["Терапия", "Хирургия"]
    assert hospital.visiting_hours.count() == 2
    ngo = Organisation.objects.get(inn=NGO["inn"])
    assert sorted(r.code for r in ngo.regions.all()) == ["50", "77"]
    assert Agreement.objects.filter(organisation=ngo, institution=hospital, number="12").exists()
    v = Volunteer.objects.get(user__phone="+79000000001")
    assert Membership.objects.get(volunteer=v).status == "approved"
    assert VolunteerConsent.objects.get(volunteer=v).given_on.isoformat() == "2025-03-01"
    events = AuditEvent.objects.count()
    for kind, rows in [
        ("institutions", [HOSPITAL]),
        ("organisations", [NGO]),
        ("agreements", [agreement]),
        ("volunteers", [volunteer(1), volunteer(2, email="b@example.org")]),
    ]:
        again = run(client, cast.coord_a, kind, rows)
        assert again.counts == {"create": 0, "update": 0, "unchanged": len(rows)}
    assert AuditEvent.objects.count() == events
    assert Volunteer.objects.count() == 5


def test_a_changed_row_updates_in_place_and_is_audited(cast: Any, client: Client) -> None:
    run(client, cast.coord_a, "institutions", [HOSPITAL])
    run(client, cast.coord_a, "organisations", [NGO])
    run(client, cast.coord_a, "volunteers", [volunteer(1)])
    changed = {**HOSPITAL, "address": "ул. Садовая, 2", "departments": "Хирургия; Неврология"}
    batch = run(client, cast.coord_a, "institutions", [changed])
    assert batch.counts["update"] == 1
    hospital = Institution.objects.get(code="77-9001")
    assert hospital.address == "ул. Садовая, 2" and hospital.departments.count() == 3
    event = AuditEvent.objects.filter(action="institution.updated").get()
    assert event.actor == cast.coord_a
    assert event.changes["address"] == ["ул. Садовая, 1", "ул. Садовая, 2"]
    run(
        client,
        cast.coord_a,
        "volunteers",
        [volunteer(1, first_name="Мария", travel_radius_km="30")],
    )
    v = Volunteer.objects.get(user__phone="+79000000001")
    assert (v.user.first_name, v.travel_radius_km) == ("Мария", 30)
    assert AuditEvent.objects.filter(action="volunteer.updated", target_id=str(v.pk)).exists()


def test_a_regional_coordinator_cannot_import_another_regions_institutions(
    cast: Any, client: Client
) -> None:
    rostov = {**HOSPITAL, "code": "61-9001", "region": "61"}
    upload(client, cast.coord_a, "institutions", xlsx("institutions", [rostov]))
    batch = ImportBatch.objects.get()
    assert batch.problems == [
        [2, "region", "61", "Импортировать можно только данные своего региона."]
    ]
    existing = {**HOSPITAL, "code": cast.institution_b.code, "region": "77"}
    upload(client, cast.coord_a, "institutions", xlsx("institutions", [existing]))
    assert ImportBatch.objects.latest("pk").problems[0][1] == "code"
    assert not Institution.objects.filter(code="61-9001").exists()
    client.force_login(cast.volunteer_user)
    assert client.get(reverse("imports:start")).status_code == 404
    client.force_login(cast.coord_b)
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404


def test_volunteers_come_only_with_consent(cast: Any, client: Client) -> None:
    run(client, cast.coord_a, "organisations", [NGO])
    upload(client, cast.coord_a, "volunteers", xlsx("volunteers", [volunteer(1, consent="нет")]))
    batch = ImportBatch.objects.latest("pk")
    assert batch.problems[0][1] == "consent"
    assert not Volunteer.objects.filter(user__phone="+79000000001").exists()


def test_checks_go_through_the_one_rule_of_recording_checks(cast: Any, client: Client) -> None:
    phone = cast.volunteer_a.user.phone = "+79000000077"
    cast.volunteer_a.user.save()
    row = {"phone": phone, "kind": "Прохождение обучения", "status": "Пройдено", "detail": ""}
    upload(client, cast.ngo_manager, "checks", xlsx("checks", [row]))
    batch = ImportBatch.objects.latest("pk")
    assert [p[1] for p in batch.problems] == ["detail"]
    assert not Check.objects.filter(volunteer=cast.volunteer_a, kind="training").exists()
    good = {**row, "detail": "Курс «Рядом»"}
    run(client, cast.ngo_manager, "checks", [good])
    check = Check.objects.get(volunteer=cast.volunteer_a, kind="training")
    assert check.verified_by == cast.ngo_manager
    assert run(client, cast.ngo_manager, "checks", [good]).counts["unchanged"] == 1
    client.force_login(cast.coord_a)
    page = client.get(reverse("imports:start")).content.decode()
    assert 'value="checks"' not in page


def test_the_import_refuses_a_row_the_database_no_longer_fits(cast: Any, client: Client) -> None:
    run(client, cast.coord_a, "organisations", [NGO])
    rows = [volunteer(1, email="a@example.org"), volunteer(2)]
    upload(client, cast.coord_a, "volunteers", xlsx("volunteers", rows))
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == BatchStatus.CHECKED
    User.objects.create(username="phone-owner", phone="+79000000001")
    User.objects.create(username="mail-owner", email="a@example.org")
    client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED_CHECK
    assert batch.message == "Данные изменились после проверки: файл не импортирован."
    assert [p[:3] for p in batch.problems] == [[2, "email", "a@example.org"]]
    assert not Volunteer.objects.filter(user__phone__in=["+79000000001", "+79000000002"]).exists()
