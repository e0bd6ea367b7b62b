"""Admission, consent by code, transfer, discharge and "what matters" over the API: what each
role of the cast gets, and the error shape for bad input."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Status
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.notifications.models import Message
from ryadom.veterans.models import Stay, Veteran
from tests.conftest import Cast, make_ready_for_care

pytestmark = pytest.mark.django_db


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _admission(c: Cast, **extra: object) -> dict[str, object]:
    return {
        "addressed_as": "Сергей Петрович",
        "gender": "m",
        "institution_id": c.institution_a.pk,
        "admitted_on": timezone.localdate().isoformat(),
        "phone": "+7 901 000-00-01",
        "consent": "code",
        **extra,
    }


def test_ward_staff_admit_over_the_api_and_confirm_consent_by_code(cast: Cast) -> None:
    response = _as(cast.liaison).post("/api/v1/admissions", _admission(cast))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["veteran"]["addressed_as"] == "Сергей Петрович"
    assert body["code_sent_to"] == "+79010000001"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", body["claim_code"])
    vid = body["veteran"]["id"]
    message = Message.objects.filter(kind="consent_code").latest("pk")
    code = re.search(r"\b(\d{6})\b", message.body).group(1)  # type: ignore[union-attr]
    response = _as(cast.liaison).post(
        f"/api/v1/veterans/{vid}/consent-code", {"code": code}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["purpose"] == "care"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("federal", 201),
        ("coord_a", 201),
        ("liaison", 201),
        ("coord_b", 403),
        ("observer", 403),
        ("ngo_manager", 403),
        ("volunteer_user", 403),
        ("veteran_user", 403),
        ("relative", 403),
        ("stranger", 403),
    ],
)
def test_who_may_admit(cast: Cast, who: str, status: int) -> None:
    response = _as(getattr(cast, who)).post("/api/v1/admissions", _admission(cast))
    assert response.status_code == status, response.json()


def test_an_anonymous_caller_gets_401(cast: Cast) -> None:
    assert Client().post("/api/v1/admissions", _admission(cast)).status_code == 401


def test_bad_admission_input_gets_field_messages_and_changes_nothing(cast: Cast) -> None:
    before = Veteran.objects.count()
    response = _as(cast.liaison).post(
        "/api/v1/admissions", _admission(cast, addressed_as=" ", consent="witness", phone="")
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"addressed_as", "witness", "scan"} <= fields
    response = _as(cast.liaison).post("/api/v1/admissions", _admission(cast, phone="12"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "phone"
    assert Veteran.objects.count() == before


def test_a_second_admission_of_the_same_phone_gets_409(cast: Cast) -> None:
    assert _as(cast.liaison).post("/api/v1/admissions", _admission(cast)).status_code == 201
    response = _as(cast.coord_a).post("/api/v1/admissions", _admission(cast, addressed_as="С."))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "phone"


def _open_request(c: Cast) -> CareRequest:
    make_ready_for_care(c)
    # Not an "after discharge" service: those wait for the discharge plan (aftercare).
    service = ServiceType.objects.filter(is_active=True).exclude(category="after_discharge").first()
    assert service is not None
    return request_create(
        actor=c.veteran_user,
        service_type=service,
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel="web",
    )


def _move(user: User, c: Cast, what: str = "transfer") -> tuple[int, dict[str, object]]:
    body: dict[str, object] = {"on": timezone.localdate().isoformat()}
    if what == "transfer":
        body["institution_id"] = c.institution_b.pk
    response = _as(user).post(
        f"/api/v1/veterans/{c.veteran_a.pk}/{what}", body, content_type="application/json"
    )
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("federal", 200),
        ("coord_a", 200),
        ("liaison", 200),
        ("coord_b", 404),
        ("observer", 404),
        ("ngo_manager", 404),
        ("volunteer_user", 404),
        ("relative", 403),
        ("veteran_user", 403),
        ("stranger", 404),
    ],
)
def test_who_may_transfer_and_the_open_request_follows(cast: Cast, who: str, status: int) -> None:
    request = _open_request(cast)
    code, body = _move(getattr(cast, who), cast)
    assert code == status, body
    request.refresh_from_db()
    moved = request.institution_id == cast.institution_b.pk
    assert moved == (status == 200)
    if status == 200:
        assert request.region.code == "61"
        assert body["stays"][0]["institution_id"] == cast.institution_b.pk  # type: ignore[index]


@pytest.mark.parametrize(
    ("who", "status"),
    [("liaison", 200), ("coord_a", 200), ("coord_b", 404), ("veteran_user", 403)],
)
def test_who_may_discharge_and_waiting_requests_are_cancelled(
    cast: Cast, who: str, status: int
) -> None:
    request = _open_request(cast)
    code, body = _move(getattr(cast, who), cast, "discharge")
    assert code == status, body
    request.refresh_from_db()
    assert (request.status == Status.CANCELLED) == (status == 200)
    current = Stay.objects.filter(veteran=cast.veteran_a, discharged_on__isnull=True).exists()
    assert current == (status != 200)


def test_a_transfer_to_an_unknown_institution_names_the_field(cast: Cast) -> None:
    response = _as(cast.liaison).post(
        f"/api/v1/veterans/{cast.veteran_a.pk}/transfer",
        {"institution_id": 999999, "on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "institution_id"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("veteran_user", 200),
        ("relative", 200),
        ("coord_a", 200),
        ("federal", 200),
        ("liaison", 404),
        ("volunteer_user", 404),
        ("coord_b", 404),
        ("stranger", 404),
    ],
)
def test_who_may_write_what_matters(cast: Cast, who: str, status: int) -> None:
    make_ready_for_care(cast)
    response = _as(getattr(cast, who)).put(
        f"/api/v1/veterans/{cast.veteran_a.pk}/what-matters",
        {"what_matters": "Любит шахматы", "communication_needs": "Плохо слышит"},
        content_type="application/json",
    )
    assert response.status_code == status, response.json()
    saved = Veteran.objects.get(pk=cast.veteran_a.pk).what_matters == "Любит шахматы"
    assert saved == (status == 200)
