"""Timeline notes the system writes read in the reader's language, rows from before included."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from ryadom.care.models import CareRequest, Channel, Event, Status
from ryadom.care.services.coordination import request_escalate
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _request(c: Cast) -> CareRequest:
    return request_create(
        actor=c.veteran_user,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel=Channel.WEB,
    )


def _timeline(client: Client, c: Cast, request: CareRequest, language: str) -> str:
    client.force_login(c.coord_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/requests/{request.pk}/").content.decode()
    return page[page.index('id="timeline"') :]


def test_the_channel_and_an_escalation_read_in_english_and_in_russian(
    care_cast: Cast, client: Client
) -> None:
    request = _request(care_cast)
    request_escalate(request=request, expected_level=0)

    english = _timeline(client, care_cast, request, "en")
    assert "Asked for help: Website" in english
    assert "Deadline missed: escalated to the regional coordinator." in english
    russian = _timeline(client, care_cast, request, "ru")
    assert "Сайт" in russian
    assert "Срок пропущен: заявка передана региональному координатору." in russian
    api = client.get(f"/api/v1/requests/{request.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert [e["note"] for e in api.json()["timeline"]][0] in ("Website", "Сайт")


def test_rows_written_before_the_codes_are_read_in_the_readers_language_typed_notes_as_typed(
    care_cast: Cast, client: Client
) -> None:
    request = _request(care_cast)
    old = {
        "create": "Сайт",
        "escalate": "Срок снова пропущен: заявка передана на федеральный уровень.",
        "move": f"Перенесена вместе с ветераном: {care_cast.institution_a.name}.",
        "reopen": "Ветеран сообщает, что помощь не оказана.",
        "cancel": "Выписали домой, помощь больше не нужна",  # typed by a person
    }
    Event.objects.filter(request=request).delete()
    for action, note in old.items():
        Event.objects.create(
            request=request, action=action, from_status="", to_status=Status.NEW, note=note
        )

    migration = importlib.import_module("ryadom.care.migrations.0004_event_codes")
    migration.notes_to_codes(apps, None)

    codes = dict(Event.objects.filter(request=request).values_list("action", "code"))
    assert codes == {
        "create": "asked_via",
        "escalate": "escalated_federal",
        "move": "moved_with_veteran",
        "reopen": "veteran_says_not_done",
        "cancel": "",
    }
    english = _timeline(client, care_cast, request, "en")
    assert "Website" in english
    assert "Deadline missed again: escalated to federal staff." in english
    assert f"Moved with the veteran to {care_cast.institution_a.name}." in english
    assert "The veteran says it was not done." in english
    assert "Выписали домой, помощь больше не нужна" in english
    russian = _timeline(client, care_cast, request, "ru")
    assert "Срок снова пропущен" in russian
    assert "Ветеран сообщает, что помощь не оказана." in russian
