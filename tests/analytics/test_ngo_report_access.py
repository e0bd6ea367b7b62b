"""Regional coordinators judge the quality of the NGOs working in their regions."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_coordinator_opens_the_quality_report_of_an_ngo_working_in_their_region(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.coord_a)
    assert client.get(f"/dashboard/ngo/{cast.ngo_a.pk}/").status_code == 200
    assert client.get(f"/dashboard/ngo/{cast.ngo_b.pk}/").status_code == 404
    client.force_login(cast.coord_b)
    assert client.get(f"/dashboard/ngo/{cast.ngo_a.pk}/").status_code == 404
    assert client.get(f"/dashboard/ngo/{cast.ngo_b.pk}/").status_code == 200
