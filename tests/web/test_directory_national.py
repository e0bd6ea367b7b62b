"""The directory over registries of every region: every region renders, the largest stays cheap."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client

from ryadom.demo.generate import generate
from ryadom.demo.plan import SCALES
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Organisation

pytestmark = pytest.mark.django_db

QUERY_BOUND = 40
# The national plan's registries in every region (NGOs with agreements, managers and
# liaisons), without the volunteers and veterans the directory never shows, at 600
# institutions and 1,000 NGOs instead of 1,000 and 5,000: the largest region still lists
# more institutions and more NGOs than the query bound (checked below), so a query per row
# would break it, and the bound holds at any size above that.
REGISTRIES = dataclasses.replace(
    SCALES["national"], institutions=600, organisations=1000, volunteers=0, veterans=0
)


def test_every_region_renders_and_the_largest_stays_under_40_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    generate(plan=REGISTRIES, out=io.StringIO(), batch_size=5000)
    assert Institution.objects.count() == REGISTRIES.institutions

    codes = list(Region.objects.order_by("code").values_list("code", flat=True))
    for code in codes:
        response = client.get(f"/regions/{code}/")
        assert response.status_code == 200, code
    assert client.get("/regions/").status_code == 200

    largest = (
        Region.objects.annotate(n=Count("institutions"))
        .order_by("-n", "code")
        .values_list("code", "n")
    ).first()
    assert largest is not None
    code, institutions = largest
    assert institutions > QUERY_BOUND
    assert Organisation.objects.filter(regions__code=code, is_active=True).count() > QUERY_BOUND
    with django_assert_max_num_queries(QUERY_BOUND):
        page = client.get(f"/regions/{code}/").content.decode()
    assert page.count("<article") == institutions
    with django_assert_max_num_queries(QUERY_BOUND):
        assert client.get(f"/api/v1/directory/regions/{code}").status_code == 200
