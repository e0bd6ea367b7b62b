"""The directory over the national registries: every region renders, the largest stays cheap."""

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

pytestmark = pytest.mark.django_db

# The national registries (1,000 institutions, 5,000 NGOs with agreements, managers and
# liaisons) without the 200,000 volunteers and 20,000 veterans the directory never shows.
REGISTRIES = dataclasses.replace(SCALES["national"], volunteers=0, veterans=0)


def test_every_region_of_the_national_registries_renders_and_the_largest_stays_under_40_queries(
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
    with django_assert_max_num_queries(40):
        page = client.get(f"/regions/{code}/").content.decode()
    assert page.count("<article") == institutions
    with django_assert_max_num_queries(40):
        assert client.get(f"/api/v1/directory/regions/{code}").status_code == 200
