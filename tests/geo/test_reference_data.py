from __future__ import annotations

import zoneinfo

import pytest
from django.db.models import Count, Q

from ryadom.core.geo_fields import in_russia
from ryadom.geo.models import Region, Settlement

pytestmark = pytest.mark.django_db


def test_every_federal_subject_is_loaded_with_a_unique_two_digit_code() -> None:
    codes = list(Region.objects.values_list("code", flat=True))
    assert len(codes) == 89
    assert len(set(codes)) == 89
    assert all(len(c) == 2 and c.isdigit() for c in codes)
    assert {"77", "78", "92", "50", "61", "25", "87"} <= set(codes)


def test_each_region_has_a_valid_time_zone_and_a_centre_inside_russia() -> None:
    for region in Region.objects.all():
        zoneinfo.ZoneInfo(region.timezone)
        assert region.lat is not None and region.lon is not None
        assert in_russia(region.lat, region.lon), region.code
        assert region.name_ru and region.name_en and region.centre_ru


def test_each_region_has_exactly_one_administrative_centre_among_its_settlements() -> None:
    counts = Region.objects.annotate(
        centres=Count("settlements", filter=Q(settlements__is_centre=True))
    ).values_list("code", "centres")
    assert {code: n for code, n in counts if n != 1} == {}
    assert Settlement.objects.count() >= 300


def test_time_zones_follow_the_real_map() -> None:
    zones = dict(Region.objects.values_list("code", "timezone"))
    assert zones["77"] == "Europe/Moscow"
    assert zones["66"] == "Asia/Yekaterinburg"
    assert zones["25"] == "Asia/Vladivostok"
    assert zones["39"] == "Europe/Kaliningrad"
