"""The HSDS export of the demo country: valid HSDS, a bounded number of queries, and no
person of the system in it (volunteers, veterans, their requests)."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest
from ryadom.demo.generate import generate
from ryadom.demo.plan import SCALES
from ryadom.institutions.models import Institution
from ryadom.interop.datapackage import PATHS
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Veteran
from tests.interop.schemas import errors, package_problems, read_package

pytestmark = pytest.mark.django_db

API = "/api/v1/hsds"
TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def demo(db: None, time_machine: Any) -> None:
    """The small demo country: institutions, NGOs, volunteers, veterans and 600 requests."""
    # The services the generator calls date their rules by the real day: make it on its day.
    time_machine.move_to(datetime.datetime(2026, 11, 22, 9, tzinfo=datetime.UTC))
    generate(plan=SCALES["small"], seed=20261122, today=TODAY, out=io.StringIO())


def private_strings() -> set[str]:
    """What identifies a volunteer, a veteran or their requests (beyond a first name)."""
    people = User.objects.filter(volunteer__isnull=False) | User.objects.filter(
        veteran__isnull=False
    )
    found: set[str] = set()
    for user in people:
        found |= {f"{user.first_name} {user.last_name}", f"{user.last_name} {user.first_name}"}
        found |= {user.email, user.phone, user.username}
    for veteran in Veteran.objects.all():
        found |= {veteran.phone, veteran.what_matters, veteran.communication_needs}
    for request in CareRequest.objects.all():
        found |= {request.details, request.requester_name}
    return {x for x in found if len(x.strip()) > 5}


def test_the_data_package_of_the_demo_is_valid_hsds_with_no_person_in_it(
    demo: None, client: Client
) -> None:
    response = client.get(f"{API}/datapackage.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    descriptor, tables = read_package(response.content)

    # Every table is one the specification defines, under its name, path and field types;
    # every row, read back as the object it stands for, validates against its schema.
    assert package_problems(descriptor, tables) == []

    # All of the public directory, and nothing else.
    assert len(tables["organization"]) == (
        Organisation.objects.filter(is_active=True).count()
        + Institution.objects.filter(is_active=True).count()
    )
    assert len(tables["location"]) == Institution.objects.filter(is_active=True).count()
    assert tables["service"] and tables["service_at_location"] and tables["schedule"]
    assert set(descriptor_paths(descriptor)) == set(PATHS.values()) | {"datapackage.json"}
    text = response.content.decode("latin-1") + "".join(
        json.dumps(rows, ensure_ascii=False) for rows in tables.values()
    )
    private = private_strings()
    assert len(private) > 100
    assert [p for p in private if p in text] == []

    # The same export twice gives the same ids (built anew: the cache keeps the last one).
    cache.clear()
    _again, tables_again = read_package(client.get(f"{API}/datapackage.zip").content)
    assert [r["id"] for r in tables_again["service"]] == [r["id"] for r in tables["service"]]


def descriptor_paths(descriptor: dict[str, Any]) -> list[str]:
    return ["datapackage.json", *(r["path"] for r in descriptor["resources"])]


LISTS = ["/services", "/organizations", "/service_at_locations", "/taxonomy_terms"]


def test_lists_of_the_demo_validate_cost_a_bounded_number_of_queries_and_name_no_person(
    demo: None, client: Client, django_assert_max_num_queries: Any
) -> None:
    private = private_strings()
    item_schema = {
        "/services": ("compiled/service_list.json", "service.json"),
        "/organizations": ("compiled/organization_list.json", "organization.json"),
        "/service_at_locations": (
            "compiled/service_at_location_list.json",
            "service_at_location.json",
        ),
        "/taxonomy_terms": ("taxonomy_term.json", "taxonomy_term.json"),
    }
    for path in LISTS:
        for full, schema in zip(("false", "true"), item_schema[path], strict=True):
            # The queries do not grow with the page: a fixed handful per list.
            with django_assert_max_num_queries(12):
                response = client.get(f"{API}{path}", {"per_page": "200", "full": full})
            body = response.json()
            assert response.status_code == 200 and body["size"] > 0, path
            for item in body["contents"]:
                assert errors(schema, item) == [], (path, full)
            text = response.content.decode()
            assert [p for p in private if p in text] == [], path
