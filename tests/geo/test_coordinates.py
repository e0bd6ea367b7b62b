from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.test import Client

from ryadom.accounts.models import User
from ryadom.core.geo_fields import in_russia
from ryadom.core.validation import InvalidInput, full_clean_or_raise
from ryadom.institutions.models import Institution
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        (55.7558, 37.6173, True),  # Moscow
        (64.7337, 177.5089, True),  # Anadyr
        (66.0, -169.5, True),  # Chukotka east of the 180th meridian
        (54.7104, 20.4522, True),  # Kaliningrad
        (48.8566, 2.3522, False),  # Paris
        (37.6173, 55.7558, False),  # Moscow with latitude and longitude swapped
        (-55.75, 37.61, False),  # wrong hemisphere
    ],
)
def test_points_are_judged_against_russias_bounding_box(
    lat: float, lon: float, inside: bool
) -> None:
    assert in_russia(lat, lon) is inside


def test_an_institution_outside_russia_is_refused_by_validation() -> None:
    institution = f.InstitutionFactory.build(lat=37.6173, lon=55.7558)
    with pytest.raises(InvalidInput) as exc:
        full_clean_or_raise(institution)
    assert "outside Russia" in exc.value.errors["lat"][0]


def test_the_database_refuses_coordinates_outside_russia() -> None:
    with pytest.raises(IntegrityError):
        f.InstitutionFactory(lat=48.8566, lon=2.3522)


def test_the_admin_shows_the_coordinates_error(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    region = f.region("77")
    response = client.post(
        "/admin/institutions/institution/add/",
        {
            "name": "Госпиталь",
            "kind": "military_hospital",
            "agency": f.InstitutionFactory.build().agency.pk,
            "region": region.pk,
            "address": "ул. Госпитальная, 3",
            "access_level": "screening",
            "lat": "48.8566",
            "lon": "2.3522",
            "is_active": "on",
            "departments-TOTAL_FORMS": 0,
            "departments-INITIAL_FORMS": 0,
            "visiting_hours-TOTAL_FORMS": 0,
            "visiting_hours-INITIAL_FORMS": 0,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "outside Russia" in response.content.decode()
    assert not Institution.objects.exists()
