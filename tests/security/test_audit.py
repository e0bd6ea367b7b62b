"""Every read of a veteran's data by staff is logged with who, when and from where; the
veteran sees it; a coordinator exports their regions' log for an inspection."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ryadom.audit.models import AuditEvent
from tests.conftest import Cast
from tests.security.privacy_helpers import as_user, ask

pytestmark = pytest.mark.django_db


def _reads(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_a_coordinator_opening_a_veterans_profile_is_logged_with_address(
    cast: Cast, client: Client
) -> None:
    as_user(client, cast.coord_a)
    response = client.get(f"/api/v1/veterans/{cast.veteran_a.pk}", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    [event] = _reads("veteran.viewed")
    assert event.actor == cast.coord_a
    assert event.veteran_id == cast.veteran_a.pk
    assert event.ip == "203.0.113.7"
    assert event.region_id == cast.institution_a.region_id


def test_request_details_read_by_staff_on_the_page_and_in_the_api_are_logged(
    care_cast: Cast, client: Client
) -> None:
    request = ask(care_cast)
    as_user(client, care_cast.coord_a)
    assert client.get(f"/requests/{request.pk}/").status_code == 200
    assert client.get(f"/api/v1/requests/{request.pk}").status_code == 200
    events = _reads("request.viewed")
    assert [(e.actor, e.veteran_id) for e in events] == [
        (care_cast.coord_a, care_cast.veteran_a.pk)
    ] * 2


def test_the_veteran_reading_their_own_data_is_not_an_event_but_a_refused_read_is_not_logged(
    care_cast: Cast, client: Client
) -> None:
    request = ask(care_cast)
    as_user(client, care_cast.veteran_user)
    assert client.get(f"/requests/{request.pk}/").status_code == 200
    as_user(client, care_cast.coord_b)
    assert client.get(f"/api/v1/veterans/{care_cast.veteran_a.pk}").status_code == 404
    assert _reads("request.viewed") == _reads("veteran.viewed") == []


def test_the_log_cannot_be_changed_or_deleted(cast: Cast, client: Client) -> None:
    as_user(client, cast.coord_a)
    client.get(f"/api/v1/veterans/{cast.veteran_a.pk}")
    event = AuditEvent.objects.get(action="veteran.viewed")
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing")
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "veteran.viewed"


def test_the_veteran_and_the_relative_see_who_looked_at_the_data(
    care_cast: Cast, client: Client
) -> None:
    care_cast.coord_a.first_name, care_cast.coord_a.last_name = "Ирина", "Смирнова"
    care_cast.coord_a.save()
    request = ask(care_cast)
    as_user(client, care_cast.coord_a)
    client.get(f"/requests/{request.pk}/")
    for user in (care_cast.veteran_user, care_cast.relative):
        page = as_user(client, user).get("/my/access-log/").content.decode()
        assert "Ирина Смирнова" in page
        assert "Regional coordinator" in page
        assert f"Opened a request for you #{request.pk}" in page
    # Someone else's log stays theirs.
    page = as_user(client, care_cast.stranger).get("/my/access-log/").content.decode()
    assert "Ирина Смирнова" not in page


def _csv(response: object) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_the_coordinator_exports_their_regions_log_for_a_period(cast: Cast, client: Client) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)):
        as_user(client, cast.coord_a).get(f"/api/v1/veterans/{cast.veteran_a.pk}")
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, tzinfo=datetime.UTC)):
        as_user(client, cast.coord_a).get(f"/api/v1/veterans/{cast.veteran_a2.pk}")
        as_user(client, cast.coord_b).get(f"/api/v1/veterans/{cast.veteran_b.pk}")

    as_user(client, cast.coord_a)
    rows = _csv(client.get("/audit/export/?format=csv&since=2026-03-15&until=2026-04-30"))
    assert [(r["actor"], r["action"], r["veteran_id"]) for r in rows] == [
        ("coord_a", "veteran.viewed", str(cast.veteran_a2.pk))
    ]
    everything = _csv(client.get("/audit/export/?format=csv"))
    assert {r["veteran_id"] for r in everything if r["action"] == "veteran.viewed"} == {
        str(cast.veteran_a.pk),
        str(cast.veteran_a2.pk),
    }  # coord_b's read in region B is not in region A's export

    as_user(client, cast.federal)
    rows = _csv(client.get("/audit/export/?format=csv&since=2026-03-15&until=2026-04-30"))
    assert len([r for r in rows if r["action"] == "veteran.viewed"]) == 2  # both regions


def test_the_export_is_for_coordinators_and_refuses_a_backwards_period(
    cast: Cast, client: Client
) -> None:
    for user in (cast.liaison, cast.volunteer_user, cast.veteran_user):
        assert as_user(client, user).get("/audit/export/").status_code == 403
    as_user(client, cast.coord_a)
    response = client.get("/audit/export/?format=csv&since=2026-04-30&until=2026-03-01")
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()


def test_csv_cells_that_look_like_formulas_are_defused(cast: Cast, client: Client) -> None:
    cast.coord_a.username = "=HYPERLINK(1)"
    cast.coord_a.save()
    as_user(client, cast.coord_a).get(f"/api/v1/veterans/{cast.veteran_a.pk}")
    rows = _csv(client.get(f"/audit/export/?format=csv&since={timezone.localdate()}"))
    [read] = [r for r in rows if r["action"] == "veteran.viewed"]
    assert read["actor"] == "'=HYPERLINK(1)"


def test_behind_our_proxy_the_forwarded_address_is_logged_and_garbage_is_not(
    cast: Cast, client: Client, settings: object
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1  # type: ignore[attr-defined]
    as_user(client, cast.coord_a)
    url = f"/api/v1/veterans/{cast.veteran_a.pk}"
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="'; DROP TABLE x; --").status_code == 200
    assert [e.ip for e in _reads("veteran.viewed")] == ["198.51.100.9", None]
