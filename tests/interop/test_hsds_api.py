"""The HSDS 3.0 API over the public directory: paths, paging, filters, schema validity."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ryadom.catalogue.models import ServiceType
from ryadom.institutions.models import VisitingHours
from ryadom.interop.ids import hsds_id
from tests.conftest import Cast
from tests.interop.schemas import errors

pytestmark = pytest.mark.django_db

API = "/api/v1/hsds"


def offer(org: Any, *codes: str) -> None:
    org.service_types.add(*ServiceType.objects.filter(code__in=codes))


@pytest.fixture
def directory(cast: Cast) -> Cast:
    """The cast's two NGOs offering services, the Moscow hospital with visiting hours."""
    offer(cast.ngo_a, "purchases.groceries", "leisure.conversation")
    offer(cast.ngo_b, "purchases.groceries")
    cast.ngo_a.phone, cast.ngo_a.email = "+7 495 000-00-02", "help@ryadom-a.example"
    cast.ngo_a.website = "https://ryadom-a.example"
    cast.ngo_a.save()
    inst = cast.institution_a
    inst.contact_name, inst.contact_phone = "Ирина Петровна, старшая медсестра", "+7 495 000-00-01"
    inst.contact_email = "volunteers@gospital-a.example"
    inst.save()
    VisitingHours.objects.create(
        institution=inst, weekday=2, starts=datetime.time(16), ends=datetime.time(19)
    )
    return cast


def get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_root_says_which_hsds_version_it_serves(client: Client) -> None:
    body = get(client, "/")
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/v1/openapi.json")


def test_services_list_each_ngos_offer_and_validate_as_hsds(
    directory: Cast, client: Client
) -> None:
    body = get(client, "/services")
    assert (body["total_items"], body["page_number"], body["empty"]) == (3, 1, False)
    names = [(s["organization"]["name"], s["name"]) for s in body["contents"]]
    # By NGO, then by the catalogue's category and code.
    assert names == [
        ("АНО «Рядом А»", "Общение и беседа"),
        ("АНО «Рядом А»", "Покупка и доставка продуктов"),
        ("АНО «Рядом Б»", "Покупка и доставка продуктов"),
    ]
    for item in body["contents"]:
        assert errors("compiled/service_list.json", item) == []


def test_a_service_in_full_says_where_and_when_and_validates(
    directory: Cast, client: Client
) -> None:
    groceries = ServiceType.objects.get(code="purchases.groceries")
    service_id = hsds_id("service", directory.ngo_a.pk, groceries.pk)
    body = get(client, f"/services/{service_id}")
    assert errors("service.json", body) == []
    assert body["name"] == "Покупка и доставка продуктов"
    assert [a["name"] for a in body["service_areas"]] == ["Москва"]
    [sal] = body["service_at_locations"]
    assert sal["location_id"] == hsds_id("location", directory.institution_a.pk)

    english = get(client, f"/services/{service_id}", lang="en")
    assert english["name"] == "Buying and delivering groceries"
    assert [a["name"] for a in english["service_areas"]] == ["Moscow"]
    assert english["languages"][0]["code"] == "ru"


def test_ids_are_the_same_in_every_export(directory: Cast, client: Client) -> None:
    first = [s["id"] for s in get(client, "/services")["contents"]]
    second = [s["id"] for s in get(client, "/services")["contents"]]
    assert first == second and len(set(first)) == 3


def test_organizations_are_the_ngos_then_the_institutions_and_validate(
    directory: Cast, client: Client
) -> None:
    body = get(client, "/organizations")
    assert [o["name"] for o in body["contents"]] == [
        "АНО «Рядом А»",
        "АНО «Рядом Б»",
        "Больница Б",
        "Госпиталь А",
    ]
    for item in body["contents"]:
        assert errors("compiled/organization_list.json", item) == []

    ngo = get(client, f"/organizations/{hsds_id('organisation', directory.ngo_a.pk)}")
    assert errors("organization.json", ngo) == []
    assert {i["identifier_type"]: i["identifier"] for i in ngo["organization_identifiers"]} == {
        "INN": directory.ngo_a.inn,
        "OGRN": directory.ngo_a.ogrn,
    }
    assert len(ngo["services"]) == 2

    hospital = get(client, f"/organizations/{hsds_id('institution', directory.institution_a.pk)}")
    assert errors("organization.json", hospital) == []
    [location] = hospital["locations"]
    [hours] = location["schedules"]
    assert (hours["byday"], hours["opens_at"], hours["closes_at"]) == (
        "WE",
        "16:00+03:00",
        "19:00+03:00",
    )
    [contact] = location["contacts"]
    assert (contact["name"], contact["title"]) == ("Ирина Петровна", "старшая медсестра")
    assert contact["phones"][0]["number"] == "+7 495 000-00-01"


def test_service_at_locations_are_services_where_an_agreement_is_in_force(
    directory: Cast, client: Client
) -> None:
    body = get(client, "/service_at_locations")
    pairs = [
        (i["service"]["organization"]["name"], i["location"]["name"]) for i in body["contents"]
    ]
    # Rostov's hospital comes first (region 61), then Moscow's (77) with NGO A's two services.
    assert pairs == [
        ("АНО «Рядом Б»", "Больница Б"),
        ("АНО «Рядом А»", "Госпиталь А"),
        ("АНО «Рядом А»", "Госпиталь А"),
    ]
    for item in body["contents"]:
        assert errors("compiled/service_at_location_list.json", item) == []
    full = get(client, f"/service_at_locations/{body['contents'][1]['id']}")
    assert errors("service_at_location.json", full) == []
    assert full["location"]["schedules"][0]["byday"] == "WE"


def test_an_inactive_service_type_or_ngo_and_an_expired_agreement_are_not_exported(
    directory: Cast, client: Client
) -> None:
    ServiceType.objects.filter(code="leisure.conversation").update(is_active=False)
    directory.ngo_b.is_active = False
    directory.ngo_b.save()
    assert get(client, "/services")["total_items"] == 1
    directory.ngo_a.agreements.update(
        valid_to=datetime.date(2020, 1, 1), valid_from=datetime.date(2019, 1, 1)
    )
    assert get(client, "/service_at_locations")["total_items"] == 0


def test_filters_narrow_the_lists(directory: Cast, client: Client) -> None:
    groceries = ServiceType.objects.get(code="purchases.groceries")
    term = hsds_id("term", "service_type", groceries.code)
    category = hsds_id("term", "category", "leisure")
    assert get(client, "/services", taxonomy_term_id=term)["total_items"] == 2
    assert get(client, "/services", taxonomy_term_id=category)["total_items"] == 1
    assert get(client, "/services", region="61")["total_items"] == 1
    assert get(client, "/services", search="Рядом Б")["total_items"] == 1
    ngo_b = hsds_id("organisation", directory.ngo_b.pk)
    assert get(client, "/services", organization_id=ngo_b)["total_items"] == 1
    assert get(client, "/services", organization_id="not-an-id")["total_items"] == 0
    assert get(client, "/service_at_locations", region="77")["total_items"] == 2
    assert get(client, "/service_at_locations", taxonomy_term_id=term)["total_items"] == 2
    hospital_a = hsds_id("institution", directory.institution_a.pk)
    assert get(client, "/service_at_locations", organization_id=hospital_a)["total_items"] == 2
    assert get(client, "/organizations", region="61")["total_items"] == 2


def test_the_taxonomy_is_the_catalogue(client: Client, db: None) -> None:
    taxonomies = get(client, "/taxonomies")["contents"]
    assert [errors("taxonomy.json", t) for t in taxonomies] == [[]]
    top = get(client, "/taxonomy_terms", top_only="true", per_page=200)
    assert top["total_items"] == 11
    groceries = get(client, "/taxonomy_terms", search="purchases.groceries")["contents"]
    assert [t["code"] for t in groceries] == ["purchases.groceries"]
    term = get(client, f"/taxonomy_terms/{groceries[0]['id']}")
    assert errors("taxonomy_term.json", term) == []
    under = get(client, "/taxonomy_terms", parent_id=groceries[0]["parent_id"])
    assert "purchases.groceries" in [t["code"] for t in under["contents"]]


def test_paging_walks_every_item_once(directory: Cast, client: Client) -> None:
    pages = [get(client, "/services", per_page=2, page=n) for n in (1, 2, 3)]
    assert [p["size"] for p in pages] == [2, 1, 0]
    assert [(p["first_page"], p["last_page"]) for p in pages] == [
        (True, False),
        (False, True),
        (False, True),
    ]
    ids = [s["id"] for p in pages for s in p["contents"]]
    assert len(set(ids)) == 3 and pages[0]["total_pages"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "99999999999999999999999"},
        {"per_page": "100000"},
        {"per_page": "-1"},
        {"search": "a\x00b"},
        {"search": "x" * 500},
        {"region": "7'7"},
        {"lang": "de"},
    ],
)
def test_bad_paging_and_filters_get_422_with_the_field(
    client: Client, db: None, params: dict[str, str]
) -> None:
    response = client.get(f"{API}/services", params)
    assert response.status_code == 422
    [field] = params
    assert field in [e["field"] for e in response.json()["errors"]]


def test_a_page_past_the_end_is_empty_not_an_error(directory: Cast, client: Client) -> None:
    body = get(client, "/services", page=100000, per_page=200)
    assert (body["size"], body["contents"], body["total_items"]) == (0, [], 3)
    assert get(client, "/organizations", page=100000)["size"] == 0
    assert get(client, "/service_at_locations", page=100000)["size"] == 0


@pytest.mark.parametrize(
    "path",
    ["/services/", "/organizations/", "/service_at_locations/", "/taxonomy_terms/", "/taxonomies/"],
)
@pytest.mark.parametrize("id", ["00000000-0000-0000-0000-000000000000", "nope"])
def test_an_unknown_id_is_404(client: Client, db: None, path: str, id: str) -> None:
    response = client.get(f"{API}{path}{id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


@pytest.mark.parametrize(
    "path",
    ["/services/", "/organizations/", "/service_at_locations/", "/taxonomy_terms/", "/taxonomies/"],
)
def test_an_id_with_a_nul_is_refused_naming_it(client: Client, db: None, path: str) -> None:
    response = client.get(f"{API}{path}1%00", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["id"]


def test_the_regions_page_links_the_data_package_in_the_readers_language(
    client: Client, db: None
) -> None:
    page = client.get("/regions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{API}/datapackage.zip?lang=en"' in page
    package = client.get(f"{API}/datapackage.zip", {"lang": "en"})
    assert package.status_code == 200
    assert package["Content-Disposition"] == 'attachment; filename="ryadom-hsds-en.zip"'


def test_the_data_package_is_rebuilt_at_most_every_15_minutes(
    directory: Cast, client: Client
) -> None:
    def ngo_names() -> set[str]:
        archive = zipfile.ZipFile(io.BytesIO(client.get(f"{API}/datapackage.zip").content))
        rows = csv.DictReader(io.StringIO(archive.read("organizations.csv").decode()))
        return {row["name"] for row in rows}

    assert "АНО «Рядом А»" in ngo_names()
    directory.ngo_a.name = "АНО «Рядом А+»"
    directory.ngo_a.save()
    assert "АНО «Рядом А»" in ngo_names()  # served from the cache
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert "АНО «Рядом А+»" in ngo_names()
