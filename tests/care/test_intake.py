"""Asking for help over the API: who may ask, what is refused, and what a new request gets."""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import api_token_issue, api_token_revoke, role_assign
from ryadom.care.models import CareRequest, Channel, Complaint, Event, Feedback, Status
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_schedule,
)
from ryadom.catalogue.models import Category, ServiceType
from ryadom.veterans.models import Consent, ConsentPurpose, Stay
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests"
HOUR = datetime.timedelta(hours=1)


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _ask(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(URL, body, content_type="application/json", headers=headers)


def _body(c: Cast, **fields: Any) -> dict[str, Any]:
    return {
        "service": "laundry.wash",
        "institution": c.institution_a.pk,
        "veteran": c.veteran_a2.pk,
        **fields,
    }


def _iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def _assert_refused(response: Any, *fields: str, status: int = 422) -> None:
    """Refused with the field named, and nothing at all was stored."""
    body = response.json()
    assert response.status_code == status, body
    assert {e["field"] for e in body["errors"]} & set(fields), body
    assert CareRequest.objects.count() == 0
    assert Event.objects.count() == 0


# --- who may ask ----------------------------------------------------------------------------


def test_an_integration_files_a_request_with_a_bearer_token(
    care_cast: Cast, client: Client
) -> None:
    _token, key = api_token_issue(actor=care_cast.federal, user=care_cast.liaison, name="МИС")
    response = _ask(client, _body(care_cast), Authorization=f"Bearer {key}")
    assert response.status_code == 201, response.json()
    request = CareRequest.objects.get(pk=response.json()["id"])
    assert request.requested_by == care_cast.liaison
    assert request.channel == Channel.API


def test_a_revoked_or_unknown_token_is_refused_with_401_and_nothing_is_stored(
    care_cast: Cast, client: Client
) -> None:
    token, key = api_token_issue(actor=care_cast.federal, user=care_cast.liaison, name="МИС")
    api_token_revoke(actor=care_cast.federal, token=token)
    for header in (f"Bearer {key}", "Bearer rdm_not-a-key", ""):
        response = _ask(client, _body(care_cast), Authorization=header)
        assert response.status_code == 401
    assert CareRequest.objects.count() == 0


def test_a_stranger_cannot_file_a_request_for_a_veteran_they_have_no_tie_to(
    care_cast: Cast, client: Client
) -> None:
    # The veteran is invisible to them (GET /veterans/{id} is 404); a request would reveal
    # where the veteran is treated and how they are addressed.
    client.force_login(care_cast.stranger)
    assert client.get(f"/api/v1/veterans/{care_cast.veteran_a.pk}").status_code == 404
    response = _ask(client, _body(care_cast, veteran=care_cast.veteran_a.pk))
    missing = _ask(client, _body(care_cast, veteran=987654))
    # The same answer as for an id that does not exist: nothing to learn by guessing.
    assert (response.status_code, missing.status_code) == (422, 422)
    assert response.json()["errors"][0]["field"] == "veteran"
    assert "veteran_name" not in response.json()
    assert CareRequest.objects.count() == 0


# --- Idempotency-Key ------------------------------------------------------------------------


def test_the_same_idempotency_key_and_body_twice_give_one_request(
    care_cast: Cast,
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list[Any]]],
) -> None:
    _as(client, care_cast.liaison)
    with django_capture_on_commit_callbacks(execute=True):
        first = _ask(client, _body(care_cast, details="Постирать"), **{"Idempotency-Key": "k-1"})
        again = _ask(client, _body(care_cast, details="Постирать"), **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.json()
    assert again.status_code in (200, 201), again.json()
    assert again.json()["id"] == first.json()["id"]
    assert CareRequest.objects.count() == 1
    assert list(Event.objects.values_list("action", flat=True)) == ["create"]
    # One announcement (the requester's message, the deadline's check), not one per retry.
    announcements = DBTaskResult.objects.filter(task_path="ryadom.care.tasks.request_announce")
    assert announcements.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"details": "Погладить"},
        {"urgency": "urgent"},
        {"veteran": None},
        {"requester_name": "Медсестра Иванова"},
        {"wants_previous_volunteer": True},
    ],
    ids=lambda change: next(iter(change)),
)
def test_the_same_idempotency_key_with_a_different_body_gets_409(
    care_cast: Cast, client: Client, change: dict[str, Any]
) -> None:
    _as(client, care_cast.liaison)
    first = _ask(client, _body(care_cast, details="Постирать"), **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.json()
    other = _ask(
        client, {**_body(care_cast, details="Постирать"), **change}, **{"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 409, other.json()
    assert "Idempotency-Key" in other.json()["detail"]
    assert CareRequest.objects.count() == 1
    request = CareRequest.objects.get()
    assert (request.requester_name, request.wants_previous_volunteer) == ("", False)


def test_two_users_with_the_same_idempotency_key_get_two_requests(
    care_cast: Cast, client: Client
) -> None:
    ids = set()
    for user in (care_cast.liaison, care_cast.coord_a):
        response = _ask(_as(client, user), _body(care_cast), **{"Idempotency-Key": "shared"})
        assert response.status_code == 201, response.json()
        ids.add(response.json()["id"])
    assert len(ids) == 2
    assert set(CareRequest.objects.values_list("requested_by", flat=True)) == {
        care_cast.liaison.pk,
        care_cast.coord_a.pk,
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_retry_arriving_while_the_first_attempt_is_being_saved_gets_the_same_request(
    care_cast: Cast,
) -> None:
    """A client that timed out retries at once: the retry must not fail on the unique key."""
    c = care_cast
    laundry = ServiceType.objects.get(code="laundry.wash")

    def ask() -> CareRequest:
        return request_create(
            actor=c.liaison,
            service_type=laundry,
            institution=c.institution_a,
            veteran=c.veteran_a2,
            channel=Channel.API,
            idempotency_key="retry-1",
        )

    first_saved = threading.Event()
    outcome: dict[str, object] = {}

    def retry() -> None:
        first_saved.wait(timeout=10)
        try:
            outcome["retry"] = ask().pk
        except Exception as exc:  # noqa: BLE001 - asserted on in the main thread
            outcome["retry"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=retry)
    thread.start()
    with transaction.atomic():
        first = ask()
        first_saved.set()
        time.sleep(0.5)  # the retry reaches the database while this one is uncommitted
    thread.join(timeout=30)
    assert outcome["retry"] == first.pk
    assert CareRequest.objects.count() == 1


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"service": "purchases.unicorns"}, {"service"}),
        ({"details": "x" * 2001}, {"details"}),
        ({"urgency": "whenever"}, {"urgency"}),
        ({"window_starts": _iso(timezone.now() + HOUR)}, {"window_starts", "window_ends"}),
        ({"window_ends": _iso(timezone.now() + HOUR)}, {"window_starts", "window_ends"}),
    ],
    ids=["unknown-service", "long-details", "bad-urgency", "only-start", "only-end"],
)
def test_bad_input_is_refused_with_422_naming_the_field(
    care_cast: Cast, client: Client, change: dict[str, Any], fields: set[str]
) -> None:
    _assert_refused(_ask(_as(client, care_cast.liaison), _body(care_cast, **change)), *fields)


def test_a_window_in_the_past_is_refused(care_cast: Cast, client: Client) -> None:
    now = timezone.now()
    window = {"window_starts": _iso(now - 3 * HOUR), "window_ends": _iso(now - HOUR)}
    response = _ask(_as(client, care_cast.liaison), _body(care_cast, **window))
    _assert_refused(response, "window_starts", "window_ends")


def test_a_window_that_ends_before_it_starts_is_refused(care_cast: Cast, client: Client) -> None:
    now = timezone.now()
    window = {"window_starts": _iso(now + 3 * HOUR), "window_ends": _iso(now + HOUR)}
    response = _ask(_as(client, care_cast.liaison), _body(care_cast, **window))
    _assert_refused(response, "window_starts", "window_ends")


def test_a_window_without_a_time_zone_gets_an_answer_not_a_server_error(
    care_cast: Cast, client: Client
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    window = {"window_starts": f"{tomorrow}T10:00:00", "window_ends": f"{tomorrow}T12:00:00"}
    client.raise_request_exception = False
    response = _ask(_as(client, care_cast.liaison), _body(care_cast, **window))
    assert response.status_code in (201, 422), response.content[:200]
    if response.status_code == 201:  # read as the institution's local time
        assert CareRequest.objects.get().window_starts.utcoffset() is not None


def test_a_ward_of_another_institution_is_refused(care_cast: Cast, client: Client) -> None:
    ward_b = f.DepartmentFactory(institution=care_cast.institution_b)
    response = _ask(_as(client, care_cast.liaison), _body(care_cast, department=ward_b.pk))
    _assert_refused(response, "department")


@pytest.mark.parametrize("field", ["institution", "department"])
def test_an_unknown_institution_or_ward_is_refused_with_422_naming_it(
    care_cast: Cast, client: Client, field: str
) -> None:
    response = _ask(_as(client, care_cast.liaison), _body(care_cast, **{field: 987654}))
    _assert_refused(response, field)


def test_ten_megabytes_of_details_are_refused_at_once_and_nothing_is_stored(
    care_cast: Cast, client: Client
) -> None:
    response = _ask(
        _as(client, care_cast.liaison),
        _body(care_cast, details="x" * 10_000_000),
        **{"Accept-Language": "en"},
    )
    # Over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): refused before the body is parsed, in the
    # API's error shape.
    assert response.status_code == 413
    assert response.json() == {"detail": "The body is larger than 2621440 bytes.", "errors": []}
    assert CareRequest.objects.count() == 0


def test_two_megabytes_of_details_get_422_naming_the_details(
    care_cast: Cast, client: Client
) -> None:
    started = time.monotonic()
    response = _ask(_as(client, care_cast.liaison), _body(care_cast, details="x" * 2_000_000))
    _assert_refused(response, "details")
    assert time.monotonic() - started < 5


def test_a_veteran_who_is_not_in_that_institution_now_is_refused(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    _as(client, c.liaison)
    _assert_refused(_ask(client, _body(c, veteran=c.veteran_b.pk)), "institution", "veteran")
    Stay.objects.filter(veteran=c.veteran_a2).update(discharged_on=timezone.localdate())
    _assert_refused(_ask(client, _body(c)), "institution", "veteran")


def test_a_veteran_without_a_recorded_care_consent_is_refused(
    care_cast: Cast, client: Client
) -> None:
    veteran = f.VeteranFactory()
    f.StayFactory(veteran=veteran, institution=care_cast.institution_a)
    response = _ask(_as(client, care_cast.liaison), _body(care_cast, veteran=veteran.pk))
    _assert_refused(response, "veteran")


def test_a_withdrawn_care_consent_is_no_consent(care_cast: Cast, client: Client) -> None:
    Consent.objects.filter(veteran=care_cast.veteran_a2).update(withdrawn_at=timezone.now())
    _assert_refused(_ask(_as(client, care_cast.liaison), _body(care_cast)), "veteran")


def test_a_relative_without_the_veterans_proxy_consent_is_refused(
    cast: Cast, client: Client
) -> None:
    Consent.objects.create(
        veteran=cast.veteran_a,
        purpose=ConsentPurpose.CARE,
        recorded_by=cast.federal,
        given_at=timezone.now(),
    )
    response = _ask(_as(client, cast.relative), _body(cast, veteran=cast.veteran_a.pk))
    _assert_refused(response, "veteran")


def test_the_veteran_and_a_relative_with_the_veterans_proxy_consent_may_ask(
    care_cast: Cast, client: Client
) -> None:
    for user in (care_cast.veteran_user, care_cast.relative):
        response = _ask(_as(client, user), _body(care_cast, veteran=care_cast.veteran_a.pk))
        assert response.status_code == 201, response.json()
        assert response.json()["veteran_name"] == care_cast.veteran_a.addressed_as


def test_a_rating_of_6_in_feedback_is_refused_and_changes_nothing(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    request = request_create(
        actor=c.relative,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel=Channel.WEB,
    )
    request_triage(actor=c.coord_a, request=request)
    request_claim(actor=c.volunteer_user, request=request)
    starts = (timezone.now() + datetime.timedelta(days=1)).astimezone(c.institution_a.region.zone)
    starts = starts.replace(hour=15, minute=0, second=0, microsecond=0)
    request_schedule(actor=c.volunteer_user, request=request, starts=starts, ends=starts + HOUR)
    request_check_in(actor=c.volunteer_user, request=request)
    request_complete(actor=c.volunteer_user, request=request)
    events = Event.objects.count()

    response = _as(client, c.veteran_user).post(
        f"{URL}/{request.pk}/feedback",
        {"done": True, "respectful": True, "rating": 6},
        content_type="application/json",
    )
    assert response.status_code == 422, response.json()
    assert [e["field"] for e in response.json()["errors"]] == ["rating"]
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert (Feedback.objects.count(), Complaint.objects.count()) == (0, 0)
    assert Event.objects.count() == events


# --- text is data, never markup -------------------------------------------------------------

SCRIPT = '<script>alert(\'Рядом\')</script><b onmouseover="x()">жирный</b> & "кавычки"'


def test_markup_in_details_is_stored_and_returned_exactly_as_typed(
    care_cast: Cast, client: Client
) -> None:
    response = _ask(
        _as(client, care_cast.liaison), _body(care_cast, details=SCRIPT, requester_name=SCRIPT)
    )
    assert response.status_code == 201, response.json()
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"  # never sniffed into HTML
    assert response.json()["details"] == SCRIPT
    rid = response.json()["id"]
    assert client.get(f"{URL}/{rid}").json()["details"] == SCRIPT
    request = CareRequest.objects.get(pk=rid)
    assert (request.details, request.requester_name) == (SCRIPT, SCRIPT)


def test_the_admin_shows_markup_in_details_escaped(care_cast: Cast, client: Client) -> None:
    request = request_create(
        actor=care_cast.liaison,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=care_cast.institution_a,
        channel=Channel.WARD,
        details=SCRIPT,
    )
    admin = User.objects.create_superuser("admin", "admin@example.org", "correct-horse-battery")
    client.force_login(admin)
    page = client.get(f"/admin/care/carerequest/{request.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;alert(" in html
    assert "<script>alert" not in html
    assert "<b onmouseover" not in html


# --- what a new request gets ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "urgency", "hours"),
    [
        ("laundry.wash", "normal", 72),
        ("laundry.wash", "urgent", 36),
        ("laundry.wash", "critical", 18),
        ("purchases.groceries", "critical", 6),
        ("leisure.ward_event", "urgent", 168),
    ],
)
def test_the_deadline_is_the_service_standard_shortened_by_urgency(
    care_cast: Cast, client: Client, service: str, urgency: str, hours: int
) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC), tick=False):
        response = _ask(
            _as(client, care_cast.liaison), _body(care_cast, service=service, urgency=urgency)
        )
    assert response.status_code == 201, response.json()
    request = CareRequest.objects.get(pk=response.json()["id"])
    assert request.deadline - request.created_at == datetime.timedelta(hours=hours)
    assert (
        ServiceType.objects.get(code=service).standard_hours
        * {"normal": 1, "urgent": 0.5, "critical": 0.25}[urgency]
        == hours
    )
    assert datetime.datetime.fromisoformat(response.json()["deadline"]) == request.deadline


@pytest.mark.parametrize(("urgency", "hours"), [("normal", 4), ("urgent", 2), ("critical", 2)])
def test_the_deadline_is_never_less_than_two_hours(
    care_cast: Cast, client: Client, urgency: str, hours: int
) -> None:
    ServiceType.objects.create(
        code="purchases.pharmacy_now",
        name_ru="Срочно в аптеку",
        name_en="Pharmacy now",
        category=Category.PURCHASES,
        standard_ru="За четыре часа",
        standard_en="Within four hours",
        standard_hours=4,
    )
    response = _ask(
        _as(client, care_cast.liaison),
        _body(care_cast, service="purchases.pharmacy_now", urgency=urgency),
    )
    assert response.status_code == 201, response.json()
    request = CareRequest.objects.get(pk=response.json()["id"])
    assert request.deadline - request.created_at == datetime.timedelta(hours=hours)


def test_the_request_records_who_asked_and_is_owned_by_the_regions_coordinator(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    response = _ask(_as(client, c.liaison), _body(c, requester_name="  Медсестра Иванова "))
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "new"
    assert [e["action"] for e in response.json()["timeline"]] == ["create"]
    request = CareRequest.objects.get(pk=response.json()["id"])
    assert request.requested_by == c.liaison
    assert request.requester_name == "Медсестра Иванова"
    assert request.coordinator == c.coord_a
    assert request.region == c.institution_a.region

    response = _ask(_as(client, c.coord_b), _body(c, institution=c.institution_b.pk, veteran=None))
    assert CareRequest.objects.get(pk=response.json()["id"]).coordinator == c.coord_b


def test_a_region_without_a_coordinator_falls_back_to_a_federal_coordinator(
    cast: Cast, client: Client
) -> None:
    spb = f.InstitutionFactory(region=f.region("78"))
    nurse = f.UserFactory(username="nurse_spb")
    role_assign(actor=None, user=nurse, role=Role.INSTITUTION_LIAISON, scope_id=spb.pk)
    response = _ask(_as(client, nurse), {"service": "laundry.wash", "institution": spb.pk})
    assert response.status_code == 201, response.json()
    assert CareRequest.objects.get(pk=response.json()["id"]).coordinator == cast.federal
