from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError
from django.test import Client

from ryadom.accounts.models import User
from ryadom.core.errors import ApplicationError
from ryadom.core.validation import InvalidInput
from ryadom.veterans.models import Stay
from ryadom.veterans.services import stay_create, stay_transfer
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_stay_overlapping_a_closed_one_is_refused_and_nothing_is_saved() -> None:
    veteran = f.VeteranFactory()
    institution = f.InstitutionFactory()
    stay_create(
        actor=None,
        veteran=veteran,
        institution=institution,
        admitted_on=D(2026, 3, 1),
        discharged_on=D(2026, 3, 20),
    )
    with pytest.raises(InvalidInput) as exc:
        stay_create(
            actor=None,
            veteran=veteran,
            institution=f.InstitutionFactory(),
            admitted_on=D(2026, 3, 10),
            discharged_on=D(2026, 4, 1),
        )
    assert "overlaps another stay" in exc.value.errors["admitted_on"][0]
    assert veteran.stays.count() == 1


def test_a_second_current_stay_is_refused_even_past_validation() -> None:
    stay = f.StayFactory()
    with pytest.raises(IntegrityError):
        Stay.objects.create(
            veteran=stay.veteran,
            institution=stay.institution,
            admitted_on=stay.admitted_on + datetime.timedelta(days=1),
        )


def test_stays_that_only_touch_on_the_transfer_day_are_allowed() -> None:
    veteran = f.VeteranFactory()
    first = stay_create(
        actor=None, veteran=veteran, institution=f.InstitutionFactory(), admitted_on=D(2026, 3, 1)
    )
    second = stay_transfer(
        actor=None,
        veteran=veteran,
        institution=f.InstitutionFactory(region=f.region("61")),
        on=D(2026, 3, 15),
    )
    first.refresh_from_db()
    assert first.discharged_on == D(2026, 3, 15)
    assert second.transferred_from == first
    assert second.discharged_on is None


def test_a_transfer_without_a_current_stay_is_refused() -> None:
    with pytest.raises(ApplicationError, match="no current stay"):
        stay_transfer(
            actor=None,
            veteran=f.VeteranFactory(),
            institution=f.InstitutionFactory(),
            on=D(2026, 3, 15),
        )


def test_a_department_of_another_institution_is_refused() -> None:
    department = f.DepartmentFactory()
    with pytest.raises(InvalidInput) as exc:
        stay_create(
            actor=None,
            veteran=f.VeteranFactory(),
            institution=f.InstitutionFactory(),
            department=department,
            admitted_on=D(2026, 3, 1),
        )
    assert "another institution" in exc.value.errors["department"][0]


def test_the_admin_refuses_an_overlapping_stay_with_a_clear_message(
    client: Client, admin_user: User
) -> None:
    existing = f.StayFactory(admitted_on=D(2026, 1, 10))
    client.force_login(admin_user)
    response = client.post(
        "/admin/veterans/stay/add/",
        {
            "veteran": existing.veteran.pk,
            "institution": existing.institution.pk,
            "admitted_on": "2026-02-01",
            "discharged_on": "2026-02-10",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "overlaps another stay" in response.content.decode()
    assert existing.veteran.stays.count() == 1
