"""The directory written into the templates and imported into an empty database comes
back the same; a large file is checked and imported by the task worker, with progress."""

from __future__ import annotations

import datetime
import signal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.imports import runner, services
from ryadom.imports.export import directory_rows
from ryadom.imports.models import BatchStatus, ImportBatch
from ryadom.institutions.models import Department, Institution, VisitingHours
from ryadom.institutions.services import visiting_hours_add
from ryadom.organisations.models import Agreement, Organisation
from ryadom.volunteers.models import Volunteer
from tests import factories as f
from tests.imports.conftest import upload, xlsx
from tests.imports.test_imports import NGO, volunteer

DIRECTORY = ("institutions", "organisations", "agreements")


def _directory() -> None:
    """Two regions' institutions with wards and hours, NGOs serving them, agreements."""
    for code in ("77", "61"):
        region = f.region(code)
        for n in range(3):
            place = f.InstitutionFactory(
                region=region, name=f"Больница {code}-{n}", contact_email=f"h{n}@example.org"
            )
            for ward in ("Хирургия", f"Терапия {n}"):
                Department.objects.create(institution=place, name=ward)
            visiting_hours_add(
                actor=None,
                institution=place,
                weekday=n,
                starts=datetime.time(16),
                ends=datetime.time(19, 30),
            )
            ngo = f.OrganisationFactory(
                home_region=region, name=f"АНО {code}-{n}", website="https://example.org"
            )
            f.AgreementFactory(organisation=ngo, institution=place, number=f"{n}/25")


@pytest.mark.django_db
def test_the_directory_from_the_templates_is_the_same_directory() -> None:
    federal = f.UserFactory(username="federal")
    role_assign(actor=None, user=federal, role=Role.FEDERAL_COORDINATOR)
    _directory()
    before = {kind: directory_rows(kind, actor=None, language="ru") for kind in DIRECTORY}
    files = {kind: xlsx(kind, rows) for kind, rows in before.items()}
    Agreement.objects.all().delete()
    Organisation.objects.all().delete()
    Institution.objects.all().delete()
    for kind in DIRECTORY:
        batch = services.batch_upload(
            actor=federal, kind=kind, filename="d.xlsx", content=files[kind]
        )
        assert batch.status == BatchStatus.CHECKED, batch.problems
        assert services.batch_confirm(actor=federal, batch=batch).status == BatchStatus.DONE
    after = {kind: directory_rows(kind, actor=None, language="ru") for kind in DIRECTORY}
    assert after == before
    assert len(after["institutions"]) == 6 and VisitingHours.objects.count() == 6
    assert Agreement.objects.count() == 6


def _run_worker() -> None:
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {s: signal.getsignal(s) for s in signals}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_file_goes_to_the_worker_with_a_progress_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "INLINE_ROWS", 2)
    monkeypatch.setattr(runner, "APPLY_CHUNK", {"volunteers": 2})
    federal = f.UserFactory(username="federal")
    role_assign(actor=None, user=federal, role=Role.FEDERAL_COORDINATOR)
    f.OrganisationFactory(inn=NGO["inn"], ogrn=NGO["ogrn"])
    rows = [volunteer(n) for n in range(5)]
    response = upload(client, federal, "volunteers", xlsx("volunteers", rows))
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert batch.status == BatchStatus.CHECKING
    assert '<meta http-equiv="refresh"' in page and "<progress" in page
    _run_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.counts["create"]) == (BatchStatus.CHECKED, 5)
    client.post(reverse("imports:confirm", args=[batch.pk]))
    assert not Volunteer.objects.exists()
    _run_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.done_rows) == (BatchStatus.DONE, 5)
    assert Volunteer.objects.count() == 5
    assert "<progress" not in client.get(response["Location"]).content.decode()
