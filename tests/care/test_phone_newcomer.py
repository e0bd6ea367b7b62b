"""A coordinator takes a request by phone for a veteran who is not in Ryadom yet: the veteran
is admitted on the way, with the consent they gave aloud before a witness, and the same
person is not admitted twice."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest
from ryadom.institutions.models import Department
from ryadom.veterans.models import Consent, ConsentMethod, ConsentPurpose, Stay, Veteran
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _as(client: Client, user: User, language: str = "en") -> Client:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _key(page: str) -> str:
    match = re.search(r'name="key" value="(\w+)"', page)
    assert match, "the form carries an idempotency key"
    return match.group(1)


def _error(page: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error" role="alert">([^<]*)<', page)
    assert match, f"an error next to {field}"
    return match.group(1)


@pytest.fixture
def ward(care_cast: Cast) -> Department:
    return f.DepartmentFactory(institution=care_cast.institution_a, name="Неврология")


def _phone_entry(c: Cast, ward: Department, key: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_name": "Ольга, дочь",
        "institution": c.institution_a.pk,
        "department": ward.pk,
        "addressed_as": "Николай Степанович",
        "gender": "m",
        "witness": "Медсестра Иванова, передала трубку",
        "service": "purchases.groceries",
        "urgency": "normal",
        "details": "Кефир и газеты",
        "key": key,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_veteran_not_in_ryadom_is_admitted_with_spoken_consent_and_the_request_entered(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    page = _as(client, c.coord_a).get("/requests/new/").content.decode()
    assert "Or a veteran not in Ryadom yet" in page
    assert "Witness of the spoken consent (name and position)" in page
    data = _phone_entry(c, ward, _key(page))

    response = client.post("/requests/new/", data)
    request = CareRequest.objects.get()
    assert response["Location"] == f"/requests/{request.pk}/"
    veteran = Veteran.objects.get(addressed_as="Николай Степанович")
    assert (request.veteran, request.channel, request.requester_name) == (
        veteran,
        "phone",
        "Ольга, дочь",
    )
    stay = Stay.objects.get(veteran=veteran)
    assert (stay.institution, stay.department, stay.discharged_on) == (c.institution_a, ward, None)
    assert stay.admitted_on == timezone.localdate()  # left empty: today
    consent = Consent.objects.get(veteran=veteran)
    assert (consent.purpose, consent.method, consent.witnessed_by, consent.recorded_by) == (
        ConsentPurpose.CARE,
        ConsentMethod.SPOKEN,
        "Медсестра Иванова, передала трубку",
        c.coord_a,
    )
    assert AuditEvent.objects.filter(action="veteran.admitted", actor=c.coord_a).count() == 1

    page = client.get(response["Location"]).content.decode()
    assert "Николай Степанович" in page and "The request is entered." in page

    client.post("/requests/new/", data)  # the back button and "send" again
    assert CareRequest.objects.count() == 1
    assert Veteran.objects.filter(addressed_as="Николай Степанович").count() == 1


def test_without_a_witness_nothing_is_admitted_or_entered(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    page = _as(client, c.coord_a).get("/requests/new/").content.decode()
    veterans = Veteran.objects.count()
    response = client.post("/requests/new/", _phone_entry(c, ward, _key(page), witness=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert _error(page, "witness") == "Write who heard the veteran&#x27;s consent with you."
    assert 'value="Николай Степанович"' in page  # what was typed stays
    assert (Veteran.objects.count(), CareRequest.objects.exists()) == (veterans, False)


def test_a_new_veteran_needs_a_gender_and_cannot_also_be_one_from_the_list(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    page = _as(client, c.coord_a).get("/requests/new/").content.decode()
    data = _phone_entry(c, ward, _key(page), gender="", veteran=c.veteran_a.pk)
    response = client.post("/requests/new/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert _error(page, "gender") == "Choose the veteran&#x27;s gender."
    assert _error(page, "veteran") == (
        "Choose a veteran from the list or write a new one&#x27;s name, not both."
    )
    assert not CareRequest.objects.exists()


def test_the_same_person_is_caught_as_on_the_admission_page(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    page = _as(client, c.coord_a).get("/requests/new/").content.decode()
    client.post("/requests/new/", _phone_entry(c, ward, _key(page), phone="+7 900 555-66-77"))
    assert CareRequest.objects.count() == 1

    # The same phone while in treatment: refused, nothing new.
    again = _phone_entry(c, ward, _key(page) + "2", addressed_as="Коля", phone="+79005556677")
    response = client.post("/requests/new/", again)
    page = response.content.decode()
    assert response.status_code == 400
    assert "already in treatment" in _error(page, "phone")
    assert (Veteran.objects.filter(phone="+79005556677").count(), CareRequest.objects.count()) == (
        1,
        1,
    )

    # The same name in the same hospital: a tick says it is another person.
    namesake = _phone_entry(c, ward, _key(page) + "3")
    page = client.post("/requests/new/", namesake).content.decode()
    assert "is already admitted here" in _error(page, "addressed_as")
    assert CareRequest.objects.count() == 1
    response = client.post("/requests/new/", {**namesake, "different_person": "on"})
    assert response.status_code == 302
    assert Veteran.objects.filter(addressed_as="Николай Степанович").count() == 2
    assert CareRequest.objects.count() == 2


def test_a_request_that_fails_admits_nobody(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    page = _as(client, c.coord_a).get("/requests/new/").content.decode()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    window = {
        "window_date": yesterday.isoformat(),
        "window_starts": "10:00",
        "window_ends": "11:00",
    }
    response = client.post("/requests/new/", _phone_entry(c, ward, _key(page), **window))
    assert response.status_code == 400
    assert _error(response.content.decode(), "window_ends") == "The time window is in the past."
    assert not Veteran.objects.filter(addressed_as="Николай Степанович").exists()
    assert not Consent.objects.filter(method=ConsentMethod.SPOKEN).exists()
    assert not CareRequest.objects.exists()

    elsewhere = f.InstitutionFactory(region=c.institution_a.region, name="Госпиталь В")
    response = client.post(
        "/requests/new/", _phone_entry(c, ward, _key(page), institution=elsewhere.pk)
    )
    assert "belongs to another institution" in _error(response.content.decode(), "department")
    assert not Veteran.objects.filter(addressed_as="Николай Степанович").exists()


def test_the_phone_entry_of_a_new_veteran_reads_in_russian(
    ward: Department, care_cast: Cast, client: Client
) -> None:
    page = _as(client, care_cast.coord_a, "ru").get("/requests/new/").content.decode()
    assert "Или ветеран, которого ещё нет в «Рядом»" in page
    assert "Свидетель устного согласия (имя и должность)" in page
    assert "Or a veteran not in Ryadom yet" not in page
