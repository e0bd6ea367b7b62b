from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError
from django.test import Client

from ryadom.accounts.models import User
from ryadom.core.validation import InvalidInput
from ryadom.institutions.models import VisitingHours
from ryadom.institutions.services import visiting_hours_add
from tests import factories as f

pytestmark = pytest.mark.django_db

T = datetime.time


def test_visiting_hours_are_added_in_local_time() -> None:
    hours = visiting_hours_add(
        actor=None, institution=f.InstitutionFactory(), weekday=5, starts=T(11), ends=T(13)
    )
    assert str(hours).endswith("11:00–13:00")


@pytest.mark.parametrize(("starts", "ends"), [(T(19), T(16)), (T(16), T(16))])
def test_an_interval_that_does_not_end_after_it_starts_is_refused(
    starts: datetime.time, ends: datetime.time
) -> None:
    with pytest.raises(InvalidInput) as exc:
        visiting_hours_add(
            actor=None, institution=f.InstitutionFactory(), weekday=0, starts=starts, ends=ends
        )
    assert "not after it starts" in exc.value.errors["ends"][0]
    assert not VisitingHours.objects.exists()


def test_the_database_refuses_a_backwards_interval_too() -> None:
    with pytest.raises(IntegrityError):
        VisitingHours.objects.create(
            institution=f.InstitutionFactory(), weekday=0, starts=T(19), ends=T(16)
        )


def test_the_admin_shows_the_interval_error_inline(client: Client, admin_user: User) -> None:
    institution = f.InstitutionFactory()
    client.force_login(admin_user)
    url = f"/admin/institutions/institution/{institution.pk}/change/"
    response = client.post(
        url,
        {
            "name": institution.name,
            "kind": institution.kind,
            "agency": institution.agency_id,
            "region": institution.region_id,
            "address": institution.address,
            "access_level": institution.access_level,
            "lat": institution.lat,
            "lon": institution.lon,
            "is_active": "on",
            "departments-TOTAL_FORMS": 0,
            "departments-INITIAL_FORMS": 0,
            "visiting_hours-TOTAL_FORMS": 1,
            "visiting_hours-INITIAL_FORMS": 0,
            "visiting_hours-0-weekday": 0,
            "visiting_hours-0-starts": "19:00",
            "visiting_hours-0-ends": "16:00",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "not after it starts" in response.content.decode()
    assert not VisitingHours.objects.exists()
