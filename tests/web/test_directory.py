from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.geo.models import Region, Settlement
from ryadom.institutions.models import AccessLevel, InstitutionKind, VisitingHours
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_every_region_has_a_directory_page(cast: Cast, client: Client) -> None:
    for code in Region.objects.values_list("code", flat=True):
        assert client.get(f"/regions/{code}/").status_code == 200, code
    assert client.get("/regions/").status_code == 200
    assert client.get("/regions/00/").status_code == 404


def test_the_region_page_names_the_coordinator_ngos_and_access_rules(
    cast: Cast, client: Client
) -> None:
    cast.coord_a.first_name, cast.coord_a.last_name = "Ольга", "Петрова"
    cast.coord_a.phone = "+7 000 123-45-67"
    cast.coord_a.save()
    page = client.get("/regions/77/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ольга Петрова" in page and "+7 000 123-45-67" in page
    assert "Госпиталь А" in page and "Pass required" in page
    assert "АНО «Рядом А»" in page
    assert "Больница Б" not in page  # region B's hospital


def test_the_largest_region_page_stays_under_40_queries(
    cast: Cast, client: Client, django_assert_max_num_queries: object
) -> None:
    moscow = f.region("77")
    for n in range(60):
        institution = f.InstitutionFactory(region=moscow, name=f"Больница {n}")
        VisitingHours.objects.create(
            institution=institution, weekday=n % 7, starts=datetime.time(16), ends=datetime.time(19)
        )
        f.AgreementFactory(institution=institution, organisation=f.OrganisationFactory())
    for _ in range(3):
        role_assign(
            actor=None, user=f.UserFactory(), role=Role.REGIONAL_COORDINATOR, scope_id=moscow.pk
        )
    with django_assert_max_num_queries(40):  # type: ignore[operator]
        response = client.get("/regions/77/")
    assert response.content.decode().count("<article") == 61


def test_the_institution_page_lists_the_steps_in_order_for_a_military_hospital(
    cast: Cast, client: Client
) -> None:
    hospital = f.InstitutionFactory(
        kind=InstitutionKind.MILITARY_HOSPITAL,
        access_level=AccessLevel.SCREENING,
        name="Военный госпиталь",
    )
    f.AgreementFactory(institution=hospital, organisation=cast.ngo_a)
    page = client.get(f"/institutions/{hospital.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    steps = [
        "Join one of the NGOs",
        "Show your passport",
        "Sign the volunteer agreement",
        "Complete the training",
        "medical clearance",
        "security screening",
    ]
    positions = [page.index(s) for s in steps]
    assert positions == sorted(positions)
    assert "АНО «Рядом А»" in page


def test_search_by_town_lists_the_nearest_institutions_first(cast: Cast, client: Client) -> None:
    podolsk = Settlement.objects.get(region__code="50", name_ru="Подольск")
    near = f.InstitutionFactory(
        region=f.region("50"), name="Подольский госпиталь", lat=podolsk.lat, lon=podolsk.lon
    )
    page = client.get(f"/find/?settlement={podolsk.pk}").content.decode()
    assert page.index(near.name) < page.index("Госпиталь А") < page.index("Больница Б")


def test_search_by_coordinates_from_the_browser(cast: Cast, client: Client) -> None:
    page = client.get("/find/?lat=47.2357&lon=39.7015").content.decode()  # Rostov-on-Don
    assert page.index("Больница Б") < page.index("Госпиталь А")
    assert client.get("/find/?lat=abc&lon=1").status_code == 200  # the form says what is wrong


def test_the_region_page_names_its_centre_in_the_readers_language(
    cast: Cast, client: Client
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Administrative centre: Rostov-on-Don." in client.get("/regions/61/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Ростов-на-Дону" in client.get("/regions/61/").content.decode()
