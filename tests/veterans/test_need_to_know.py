"""A volunteer sees the veteran's chosen name, the ward and the task; never phone numbers,
full names of the people around the request, or who phoned it in."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ryadom.care.models import Channel
from ryadom.care.services.coordination import request_assign
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.config.api import api
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

SECRETS = ("+79161112233", "Непомнящий", "Мать Тамара")


def _assigned_request(c: Cast) -> int:
    c.veteran_user.first_name, c.veteran_user.last_name = "Илья", "Непомнящий"
    c.veteran_user.save()
    c.veteran_a.addressed_as = "Илья"
    c.veteran_a.phone = "+79161112233"
    c.veteran_a.save()
    ward = f.DepartmentFactory(institution=c.institution_a, name="Травматология")
    request = request_create(
        actor=c.coord_a,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        department=ward,
        veteran=c.veteran_a,
        details="Постирать и погладить рубашку",
        requester_name="Мать Тамара",
        channel=Channel.PHONE,
    )
    request_assign(actor=c.coord_a, request=request, volunteer=c.volunteer_a)
    return request.pk


def test_the_volunteer_sees_name_ward_and_task_and_nothing_else_personal(
    care_cast: Cast, client: Client
) -> None:
    pk = _assigned_request(care_cast)
    client.force_login(care_cast.volunteer_user)
    page = client.get(f"/requests/{pk}/").content.decode()
    body = json.dumps(client.get(f"/api/v1/requests/{pk}").json(), ensure_ascii=False)
    listing = client.get("/volunteer/").content.decode()
    for shown in (page, body):
        assert "Илья" in shown and "Травматология" in shown and "Постирать" in shown
    for shown in (page, body, listing):
        for secret in SECRETS:
            assert secret not in shown, secret


def test_the_coordinator_still_sees_who_phoned_it_in(care_cast: Cast, client: Client) -> None:
    pk = _assigned_request(care_cast)
    client.force_login(care_cast.coord_a)
    assert "Мать Тамара" in client.get(f"/requests/{pk}/").content.decode()


def test_the_request_schemas_have_no_field_for_phones_diagnoses_or_military_details() -> None:
    schemas = api.get_openapi_schema()["components"]["schemas"]
    forbidden = ("phone", "diagnos", "unit", "rank", "military", "service_number")
    for name in ("RequestOut", "RequestDetailOut", "EventOut", "VisitOut"):
        fields = set(schemas[name]["properties"])
        assert not {f for f in fields for word in forbidden if word in f.lower()}, name
