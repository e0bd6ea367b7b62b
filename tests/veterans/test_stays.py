from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from ryadom.audit.models import AuditEvent
from ryadom.core.errors import ApplicationError
from ryadom.core.validation import InvalidInput
from ryadom.veterans.models import Stay
from ryadom.veterans.stays import stay_create, stay_transfer
from tests import factories as f
from tests.conftest import Cast

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


def test_a_transfer_on_the_page_is_logged_in_each_institutions_region(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.federal)
    veteran = cast.veteran_b
    left = Stay.objects.get(veteran=veteran)
    on = timezone.localdate()
    response = client.post(
        f"/veterans/{veteran.pk}/transfer/",
        {"institution": cast.institution_a.pk, "on": on.isoformat()},
    )
    assert response.status_code == 302
    new = Stay.objects.get(veteran=veteran, discharged_on=None)
    [created] = AuditEvent.objects.filter(action="stay.created", target_id=str(new.pk))
    assert created.region_id == cast.institution_a.region_id
    assert created.veteran_id == veteran.pk
    assert created.changes == {"institution": cast.institution_a.pk, "admitted_on": on.isoformat()}
    [ended] = AuditEvent.objects.filter(action="stay.discharged", target_id=str(left.pk))
    assert (ended.region_id, ended.veteran_id) == (cast.institution_b.region_id, veteran.pk)


def test_an_admission_overlapping_an_earlier_stay_is_refused_with_a_clear_message(
    cast: Cast,
) -> None:
    """A patient readmitted (their phone known from a stay now over) with a date inside that
    stay: the admission page says so next to the date and records nothing."""
    today = timezone.localdate()
    veteran = f.VeteranFactory(phone="+79005550011")
    f.StayFactory(
        veteran=veteran,
        institution=cast.institution_a,
        admitted_on=today - datetime.timedelta(days=20),
        discharged_on=today - datetime.timedelta(days=5),
    )
    client = Client()
    client.force_login(cast.liaison)
    response = client.post(
        "/admissions/new/",
        {
            "addressed_as": veteran.addressed_as,
            "gender": "m",
            "place": f"{cast.institution_a.pk}-0",
            "admitted_on": (today - datetime.timedelta(days=10)).isoformat(),
            "phone": "+7 900 555-00-11",
            "consent": "witness",
            "witness": "Смирнова",
            "scan": SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "overlaps another stay" in response.content.decode()
    assert veteran.stays.count() == 1
    assert not AuditEvent.objects.filter(veteran_id=veteran.pk).exists()
