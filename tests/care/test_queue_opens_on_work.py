"""The coordinator's queue opens on what needs action and offers only their own regions."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from ryadom.care.models import CareRequest, Channel, Status
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _ask(c: Cast) -> CareRequest:
    return request_create(
        actor=c.liaison,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel=Channel.WARD,
    )


def test_the_queue_opens_on_requests_that_need_action_and_all_is_one_choice_away(
    care_cast: Cast, client: Client
) -> None:
    waiting, done = _ask(care_cast), _ask(care_cast)
    CareRequest.objects.filter(pk=done.pk).update(status=Status.CONFIRMED)
    client.force_login(care_cast.coord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get("/queue/").content.decode()
    assert f"/requests/{waiting.pk}/" in page
    assert f"/requests/{done.pk}/" not in page
    assert re.search(r'<option value="needs_action" selected>Needs action</option>', page)

    everything = client.get("/queue/", {"status": ""}).content.decode()
    assert f"/requests/{waiting.pk}/" in everything and f"/requests/{done.pk}/" in everything


def test_the_region_filter_lists_only_the_coordinators_regions(
    care_cast: Cast, client: Client
) -> None:
    client.force_login(care_cast.coord_a)
    page = client.get("/queue/").content.decode()
    select = page[
        page.index('name="region"') : page.index("</select>", page.index('name="region"'))
    ]
    assert re.findall(r'<option value="(\d+)"', select) == ["77"]

    client.force_login(care_cast.federal)
    page = client.get("/queue/").content.decode()
    select = page[
        page.index('name="region"') : page.index("</select>", page.index('name="region"'))
    ]
    assert len(re.findall(r'<option value="(\d+)"', select)) == 89
