"""The hostile calls that once stored a row and then broke other people's pages, and the
pages' side of the same rules: each is refused with a field message and writes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from ryadom.care.forms import NoteForm, QueueFilterForm, ScheduleForm
from ryadom.care.models import CareRequest, Visit
from ryadom.openings.models import Opening
from tests.conftest import Cast
from tests.security.hostile_api import SPEC, changed, fingerprint, make_world, signed_in

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("9999-12-31T23:00:00-05:00", "9999-12-31T23:30:00-05:00"),
        ("0001-01-01T01:00:00+05:00", "0001-01-01T02:00:00+05:00"),
        ("2026-12-04T10:00:00Z", "9999-12-31T23:59:59Z"),
    ],
)
def test_a_window_outside_the_calendar_is_refused_and_every_list_still_opens(
    care_cast: Cast, starts: str, ends: str
) -> None:
    c = care_cast
    coordinator = signed_in(c.coord_a)
    before = fingerprint()
    response = _post(
        coordinator,
        "/api/v1/requests",
        {
            "service": "laundry.wash",
            "institution": c.institution_a.pk,
            "veteran": c.veteran_a.pk,
            "window_starts": starts,
            "window_ends": ends,
        },
    )
    assert response.status_code == 422
    assert set(_fields(response)) & {"window_starts", "window_ends"}
    assert not changed(before, fingerprint())
    assert coordinator.get("/api/v1/requests?status=new").status_code == 200
    assert coordinator.get("/queue/?status=new").status_code == 200
    assert signed_in(c.veteran_user).get("/my/").status_code == 200


def test_a_window_more_than_a_year_ahead_is_refused_by_the_service(care_cast: Cast) -> None:
    c = care_cast
    far = timezone.now() + datetime.timedelta(days=400)
    response = _post(
        signed_in(c.coord_a),
        "/api/v1/requests",
        {
            "service": "laundry.wash",
            "institution": c.institution_a.pk,
            "window_starts": far.isoformat(),
            "window_ends": (far + datetime.timedelta(hours=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "window_ends", "message": "The time window must end within a year from now."}
    ]
    assert CareRequest.objects.count() == 0


def test_the_database_refuses_a_window_or_visit_outside_the_calendar(care_cast: Cast) -> None:
    world = make_world(care_cast)
    request = CareRequest.objects.get(pk=world.path["request_id"])
    year_2150 = datetime.datetime(2150, 1, 1, tzinfo=datetime.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareRequest.objects.filter(pk=request.pk).update(window_ends=year_2150)
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            request=request,
            starts=datetime.datetime(1999, 1, 1, tzinfo=datetime.UTC),
            ends=datetime.datetime(1999, 1, 1, 1, tzinfo=datetime.UTC),
        )


def test_an_idempotency_key_longer_than_100_characters_is_refused_never_cut(
    care_cast: Cast,
) -> None:
    c = care_cast
    client = signed_in(c.coord_a)
    body = {"service": "laundry.wash", "institution": c.institution_a.pk}
    for key in ("k" * 100 + "-1", "k" * 100 + "-2"):
        response = _post(client, "/api/v1/requests", body, **{"Idempotency-Key": key})
        assert response.status_code == 422
        assert _fields(response) == ["Idempotency-Key"]
    assert CareRequest.objects.count() == 0
    created = _post(client, "/api/v1/requests", body, **{"Idempotency-Key": "k" * 100})
    again = _post(client, "/api/v1/requests", body, **{"Idempotency-Key": "k" * 100})
    assert created.status_code == again.status_code == 201
    assert created.json()["id"] == again.json()["id"]


def test_every_action_offered_in_openapi_has_a_handler_and_transfer_is_not_offered(
    care_cast: Cast,
) -> None:
    world = make_world(care_cast)
    operation = SPEC["paths"]["/api/v1/requests/{request_id}/{action}"]["post"]
    (action,) = [p for p in operation["parameters"] if p["name"] == "action"]
    offered = (
        action["schema"].get("enum")
        or SPEC["components"]["schemas"][action["schema"]["$ref"].rsplit("/", 1)[-1]]["enum"]
    )
    assert "transfer" not in offered
    coordinator = world.clients["coordinator"]
    for name in offered:
        response = _post(coordinator, f"/api/v1/requests/{world.path['request_id']}/{name}", {})
        assert response.status_code < 500, (name, response.content)
    response = _post(coordinator, f"/api/v1/requests/{world.path['request_id']}/transfer", {})
    assert response.status_code == 422 and _fields(response) == ["action"]


@pytest.mark.parametrize("start_time", [12345, 0, "11:00:00+05:00"])
def test_an_opening_time_must_be_a_local_time(care_cast: Cast, start_time: object) -> None:
    c = care_cast
    response = _post(
        signed_in(c.liaison),
        "/api/v1/openings",
        {
            "title": "Прогулка",
            "institution": c.institution_a.pk,
            "starts_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "start_time": start_time,
            "end_time": "13:00",
        },
    )
    assert response.status_code == 422 and _fields(response) == ["start_time"]
    assert not Opening.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/veterans",
        "/api/v1/institutions",
        "/api/v1/organisations",
        "/api/v1/settlements",
        "/api/v1/volunteers",
    ],
)
@pytest.mark.parametrize("query", ["offset=9223372036854775808", "limit=9223372036854775808"])
def test_paging_beyond_its_bounds_gets_422(care_cast: Cast, path: str, query: str) -> None:
    response = signed_in(care_cast.coord_a).get(f"{path}?{query}")
    assert response.status_code == 422
    assert _fields(response) == [query.split("=")[0]]


def test_visiting_hours_are_documented_as_local_times_not_rfc_3339_times() -> None:
    hours = SPEC["components"]["schemas"]["VisitingHoursOut"]["properties"]
    for name in ("starts", "ends"):
        assert "format" not in hours[name]
        assert hours[name]["pattern"].startswith("^")


def test_every_operation_documents_its_errors_in_the_one_error_shape() -> None:
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            errors = {
                int(code): r for code, r in operation["responses"].items() if int(code) >= 400
            }
            if operation.get("parameters") or operation.get("requestBody"):
                assert 422 in errors, (method, path)
            if operation.get("security"):
                assert 401 in errors, (method, path)
            for code, response in errors.items():
                if code != 503:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, code)
    assert SPEC["components"]["schemas"]["Error"]["required"] == ["detail", "errors"]


# --- pages: the same rules, in one place for every form (PageForm) --------------------------


def test_a_page_form_refuses_nul_and_broken_characters_with_an_inline_message() -> None:
    for text in ("a\x00b", "x\ud800"):
        form = NoteForm(data={"note": text})
        assert not form.is_valid()
        assert form.errors["note"][0].startswith("Remove the "), form.errors


def test_a_page_form_refuses_a_day_outside_the_calendar() -> None:
    form = ScheduleForm(data={"date": "9999-12-31", "starts": "10:00", "ends": "11:00"})
    assert not form.is_valid()
    assert form.errors["date"] == ["Give a date between 01/01/2000 and 12/31/2099."]


def test_the_queue_filter_refuses_nul_in_a_region_code_instead_of_failing(
    care_cast: Cast,
) -> None:
    form = QueueFilterForm(data={"region": "\x00"}, actor=care_cast.coord_a)
    assert not form.is_valid() and "region" in form.errors
    page = signed_in(care_cast.coord_a).get("/queue/?region=%00&service=%00")
    assert page.status_code in (200, 400)


@pytest.mark.parametrize(
    "path",
    [
        "/queue/?region=%00&service=%00&status=%00&institution=99999999999999999999",
        "/openings/?region=%00",
        "/regions/%00/",
        "/dashboard/?region=%00&weeks=99999999999999999999&start=9999-12-31&end=0001-01-01",
        "/dashboard/regions/%00/",
    ],
)
def test_pages_take_hostile_filters_without_failing(care_cast: Cast, path: str) -> None:
    for user in (care_cast.federal, care_cast.coord_a):
        response = signed_in(user).get(path)
        assert response.status_code in (200, 400, 403, 404), (path, response.status_code)
