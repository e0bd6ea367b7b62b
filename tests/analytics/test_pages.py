"""Dashboards render for the national demo data (every region) within a fixed number of
queries; scopes hold; exports open in a spreadsheet program and the PDF renders."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.analytics.services import rollups_rebuild
from ryadom.care.models import CareRequest
from ryadom.demo.accounts import ensure_demo_accounts
from ryadom.demo.generate import generate
from ryadom.demo.plan import Plan
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Organisation

# One worker builds the national data once for the module (loadgroup in the Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("national-dashboards")]

# The national shape (all 89 subjects), at a size a test can afford.
TEST_NATIONAL = Plan(
    name="national",
    region_codes=(),
    institutions=250,
    military_regions=8,
    organisations=40,
    volunteers=300,
    veterans=150,
    requests=400,
    chunk=300,
)


@pytest.fixture(scope="module")
def national(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo's own requests (26 weeks of timelines), as `ryadom demo-data` makes them:
    made once for the module, in a transaction its tests run inside (each rolled back to
    where it began) and that is rolled back when the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        generate(plan=TEST_NATIONAL, out=io.StringIO(), seed=7)
        ensure_demo_accounts()
        rollups_rebuild()
        yield {"users": {u.username: u for u in User.objects.filter(username__in=[
            "federal", "observer", "coord-moscow", "coord-rostov", "liaison", "ngo", "volunteer",
        ])}}  # fmt: skip
        transaction.set_rollback(True)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_federal_page_renders_every_region_within_a_query_bound(
    national: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = _client(national["users"]["federal"])
    with django_assert_max_num_queries(20):
        response = client.get("/dashboard/", {"weeks": 12, "measure": "created"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<rect") >= 89  # a tile per federal subject
    for region in Region.objects.all():
        assert re.search(rf'<th scope="row"[^>]*>{region.code}</th>', page), region.code
    assert "Coverage gaps" in page
    assert 'href="/dashboard/regions/77/"' in page
    # After the ward: a line for each region the demo discharged from or referred in.
    assert "After the ward, by region" in page
    after = page[page.index("After the ward, by region") :]
    assert re.search(r'<th scope="row"[^>]*>77</th>', after)


def test_regional_page_renders_within_a_query_bound_and_only_for_its_region(
    national: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = _client(national["users"]["coord-moscow"])
    with django_assert_max_num_queries(30):
        response = client.get("/dashboard/regions/77/")
    assert response.status_code == 200
    page = response.content.decode()
    for title in (
        "Institutions",
        "Trend over weeks",
        "Volunteers by age",
        "Idle volunteers",
        "After discharge",
    ):
        assert title in page
    assert client.get("/dashboard/regions/61/").status_code == 404
    assert client.get("/dashboard/regions/00/").status_code == 404


def test_people_without_a_dashboard_role_get_404(national: dict[str, Any]) -> None:
    for name in ("volunteer", "liaison"):
        assert _client(national["users"][name]).get("/dashboard/").status_code == 404
    assert Client().get("/dashboard/").status_code == 302  # to sign in


def test_agency_observer_sees_only_their_agencys_requests(national: dict[str, Any]) -> None:
    observer = national["users"]["observer"]
    agency_id = next(
        iter(__import__("ryadom.accounts.scopes", fromlist=["x"]).scope_of(observer).agency_ids)
    )
    response = _client(observer).get("/dashboard/", {"format": "csv", "export": "regions"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    shown = sum(int(r["Requests"]) for r in rows)
    expected = CareRequest.objects.filter(
        institution__agency_id=agency_id,
        created_at__date__gte=timezone.localdate() - datetime.timedelta(weeks=13),
    ).count()
    assert 0 < shown <= expected
    assert shown < CareRequest.objects.count()


def test_region_table_exports_as_csv_and_xlsx(national: dict[str, Any]) -> None:
    client = _client(national["users"]["federal"])
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get("/dashboard/", {"export": "regions", "format": "csv"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert csv_rows[0][:2] == ["Code", "Region"]
    assert len(csv_rows) == 1 + 89
    response = client.get("/dashboard/", {"export": "all", "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Regions", "Coverage gaps", "After the ward, by region"]
    sheet = book["Regions"]
    assert sheet.max_row == 1 + 89
    assert sum(row[6] or 0 for row in sheet.iter_rows(min_row=2, values_only=True)) == sum(
        int(r[6] or 0) for r in csv_rows[1:]
    )


def test_institution_page_for_its_liaison_and_not_for_others(national: dict[str, Any]) -> None:
    from ryadom.accounts.scopes import scope_of

    liaison = national["users"]["liaison"]
    institution_id = next(iter(scope_of(liaison).institution_ids))
    assert _client(liaison).get(f"/dashboard/institutions/{institution_id}/").status_code == 200
    other = Institution.objects.exclude(pk=institution_id).first()
    assert other is not None
    assert _client(liaison).get(f"/dashboard/institutions/{other.pk}/").status_code == 404


def test_ngo_report_exports_xlsx_and_a_pdf_with_the_ngos_name(national: dict[str, Any]) -> None:
    busiest = (
        CareRequest.objects.exclude(organisation=None)
        .values_list("organisation_id", flat=True)
        .order_by("organisation_id")
        .first()
    )
    organisation = Organisation.objects.get(pk=busiest)
    manager = User.objects.create(username="manager-of-busiest")
    role_assign(actor=None, user=manager, role=Role.NGO_MANAGER, scope_id=organisation.pk)
    client = _client(manager)
    page = client.get(f"/dashboard/ngo/{organisation.pk}/")
    assert page.status_code == 200
    assert "Done within the standard" in page.content.decode()

    xlsx = client.get(f"/dashboard/ngo/{organisation.pk}/", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    services = book[book.sheetnames[0]]
    assert services.cell(1, 4).value == "Done within the standard's time, %"
    volume = sum(row[1] for row in services.iter_rows(min_row=2, values_only=True))
    year_ago = timezone.now() - datetime.timedelta(weeks=53)
    assert (
        volume
        == CareRequest.objects.filter(organisation=organisation, created_at__gte=year_ago).count()
    )

    pdf = PdfReader(
        io.BytesIO(client.get(f"/dashboard/ngo/{organisation.pk}/", {"format": "pdf"}).content)
    )
    assert len(pdf.pages) > 0
    text = "".join(p.extract_text() for p in pdf.pages)
    assert organisation.name in text

    other = Organisation.objects.exclude(pk=organisation.pk).first()
    assert other is not None
    assert client.get(f"/dashboard/ngo/{other.pk}/").status_code == 404
