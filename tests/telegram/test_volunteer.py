"""A volunteer gets offers, takes one, sees tomorrow's visits, checks in and out in the chat."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from ryadom.care.models import CareRequest, Channel, Status
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_claim, request_schedule
from ryadom.catalogue.models import ServiceType
from ryadom.notifications.channels import channel_get
from ryadom.notifications.models import Message
from ryadom.notifications.services import message_claim, notify
from tests import factories as f
from tests.conftest import Cast
from tests.telegram.conftest import linked
from tests.telegram.fakes import FakeBotApi

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _monday_noon() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=MOSCOW), tick=False):
        yield


def _open_request(c: Cast, code: str = "laundry.wash", details: str = "") -> CareRequest:
    request = request_create(
        actor=c.veteran_user,
        service_type=ServiceType.objects.get(code=code),
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel=Channel.WEB,
        details=details,
    )
    return request_triage(actor=c.coord_a, request=request)


def _scheduled(c: Cast, request: CareRequest, day: int, hour: int) -> CareRequest:
    request_claim(actor=c.volunteer_user, request=request)
    starts = datetime.datetime(2026, 6, day, hour, tzinfo=MOSCOW)
    return request_schedule(
        actor=c.volunteer_user,
        request=request,
        starts=starts,
        ends=starts + datetime.timedelta(hours=1),
    )


def test_a_volunteer_sees_offers_and_takes_one(care_cast: Cast, telegram: Any) -> None:
    request = _open_request(care_cast, details="Two shirts")
    person = linked(telegram, care_cast.volunteer_user)

    answer = person.send("Offers")

    assert f"№{request.pk}" in answer.text and "Two shirts" in answer.text
    assert "Госпиталь А" in answer.text
    assert answer.buttons == {"Take it": f"claim:{request.pk}"}
    taken = person.press(f"claim:{request.pk}")
    assert f"You took request №{request.pk}" in taken.text
    assert f"/requests/{request.pk}/" in taken.text
    request.refresh_from_db()
    assert (request.status, request.volunteer) == (Status.ASSIGNED, care_cast.volunteer_a)
    assert "Nothing waiting near you" in person.send("/offers").text


def test_a_volunteer_pressing_take_too_late_hears_already_taken(
    care_cast: Cast, telegram: Any
) -> None:
    request = _open_request(care_cast)
    person = linked(telegram, care_cast.volunteer_user)
    assert person.send("Offers").callbacks == [f"claim:{request.pk}"]
    f.AgreementFactory(organisation=care_cast.ngo_b, institution=care_cast.institution_a)
    other = care_cast.volunteer_other_ngo
    request_assign(actor=care_cast.coord_a, request=request, volunteer=other)

    answer = person.press(f"claim:{request.pk}")

    assert "Already taken" in answer.text
    request.refresh_from_db()
    assert request.volunteer == other


def test_a_volunteer_pressing_take_after_it_went_to_an_ngo_hears_not_found(
    care_cast: Cast, telegram: Any
) -> None:
    """No volunteer took it: it is simply no longer theirs to see, as on the site."""
    request = _open_request(care_cast)
    person = linked(telegram, care_cast.volunteer_user)
    assert person.send("Offers").callbacks == [f"claim:{request.pk}"]
    request_assign(actor=care_cast.coord_a, request=request, organisation=care_cast.ngo_a)

    answer = person.press(f"claim:{request.pk}")

    assert answer.text == "This request was not found."
    request.refresh_from_db()
    assert request.volunteer is None


def test_a_volunteer_who_is_not_cleared_cannot_take_it(cast: Cast, telegram: Any) -> None:
    from ryadom.volunteers.models import Check
    from tests.conftest import make_ready_for_care

    make_ready_for_care(cast)
    Check.objects.filter(volunteer=cast.volunteer_a).delete()
    request = _open_request(cast)
    person = linked(telegram, cast.volunteer_user)

    assert "Nothing waiting near you" in person.send("/offers").text
    answer = person.press(f"claim:{request.pk}")

    assert "Not yet possible" in answer.text
    request.refresh_from_db()
    assert request.status == Status.TRIAGED


def test_someone_who_is_not_a_volunteer_gets_no_offers(care_cast: Cast, telegram: Any) -> None:
    request = _open_request(care_cast)
    person = linked(telegram, care_cast.veteran_user)
    assert "This is for volunteers." in person.send("/offers").text
    assert "This is for volunteers." in person.press(f"claim:{request.pk}").text
    request.refresh_from_db()
    assert request.status == Status.TRIAGED


def test_tomorrows_visits_and_checking_in_and_out(care_cast: Cast, telegram: Any) -> None:
    tomorrow = _scheduled(care_cast, _open_request(care_cast), day=2, hour=10)
    later = _scheduled(care_cast, _open_request(care_cast, "purchases.groceries"), day=3, hour=15)
    person = linked(telegram, care_cast.volunteer_user)

    answer = person.send("Tomorrow")

    assert "10:00–11:00" in answer.text and "Госпиталь А" in answer.text
    assert care_cast.veteran_a.addressed_as in answer.text
    assert "15:00" not in answer.text  # the day after tomorrow
    with time_machine.travel(datetime.datetime(2026, 6, 2, 10, tzinfo=MOSCOW), tick=False):
        visits = person.send("My visits")
        assert sorted(visits.callbacks) == sorted([f"in:{tomorrow.pk}", f"in:{later.pk}"])
        assert "Checked in" in person.press(f"in:{tomorrow.pk}").text
        tomorrow.refresh_from_db()
        assert tomorrow.status == Status.IN_PROGRESS
        assert sorted(person.send("/visits").callbacks) == sorted(
            [f"out:{tomorrow.pk}", f"in:{later.pk}"]
        )
    with time_machine.travel(datetime.datetime(2026, 6, 2, 11, tzinfo=MOSCOW), tick=False):
        assert "Checked out" in person.press(f"out:{tomorrow.pk}").text
    tomorrow.refresh_from_db()
    assert tomorrow.status == Status.COMPLETED
    assert tomorrow.visits.get().checked_out_at is not None


def test_no_visits_tomorrow(care_cast: Cast, telegram: Any) -> None:
    person = linked(telegram, care_cast.volunteer_user)
    assert "No visits tomorrow." in person.send("/tomorrow").text
    assert "No visits planned." in person.send("/visits").text


def test_another_volunteer_cannot_check_in_to_my_visit(care_cast: Cast, telegram: Any) -> None:
    request = _scheduled(care_cast, _open_request(care_cast), day=2, hour=10)
    other = linked(telegram, care_cast.volunteer_other_ngo.user)
    from ryadom.accounts.models import Role
    from ryadom.accounts.services import role_assign

    role_assign(actor=None, user=care_cast.volunteer_other_ngo.user, role=Role.VOLUNTEER)
    answer = other.press(f"in:{request.pk}")
    assert "This request was not found." in answer.text
    request.refresh_from_db()
    assert request.status == Status.SCHEDULED


def test_an_alert_of_a_new_request_reaches_the_chat_with_a_button_to_take_it(
    care_cast: Cast, telegram: Any, bot_api: FakeBotApi
) -> None:
    request = _open_request(care_cast)
    person = linked(telegram, care_cast.volunteer_user)
    [message] = [
        m
        for m in notify(
            recipient=care_cast.volunteer_user,
            kind="volunteer_new_request",
            context={"service": "Стирка", "institution": "Госпиталь А", "url": "http://x/"},
            dedupe_key=f"request:{request.pk}:alert",
        )
        if m.channel == "telegram"
    ]
    assert message.address == str(person.chat_id)
    claimed = message_claim(message_id=message.pk)
    assert claimed is not None

    channel_get("telegram").send(claimed)

    sent = bot_api.telegram[-1]
    assert sent["chat_id"] == str(person.chat_id)
    buttons = sent["reply_markup"]["inline_keyboard"][0]
    assert buttons == [{"text": "Take it", "callback_data": f"claim:{request.pk}"}]
    assert "You took request" in person.press(buttons[0]["callback_data"]).text
    assert Message.objects.filter(pk=message.pk).exists()
