"""A veteran or a relative asks for help, follows the request and confirms it in the chat."""

from __future__ import annotations

from typing import Any

import pytest

from ryadom.care.models import CareRequest, Channel, Complaint, Feedback, Status
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_schedule,
)
from ryadom.catalogue.models import ServiceType
from ryadom.volunteers.models import Volunteer
from tests.conftest import Cast
from tests.telegram.conftest import TelegramUser, linked

pytestmark = pytest.mark.django_db


def _ask(person: TelegramUser, *, category: str, service_code: str) -> str:
    """Press through the categories and services; return the bot's question for details."""
    answer = person.send("Ask for help")
    assert "What kind of help is needed?" in answer.text
    category_button = answer.buttons
    assert f"cat:{category}" in category_button.values()
    answer = person.press(f"cat:{category}")
    service = ServiceType.objects.get(code=service_code)
    assert answer.buttons[service.name_en] == f"svc:{service.pk}"
    answer = person.press(f"svc:{service.pk}")
    assert set(answer.buttons) == {"Send without details", "Cancel"}
    return answer.text


def test_a_veteran_asks_for_help_in_the_chat(care_cast: Cast, telegram: Any) -> None:
    person = linked(telegram, care_cast.veteran_user)

    question = _ask(person, category="laundry", service_code="laundry.wash")
    answer = person.send("Please wash two shirts, after lunch is best.")

    request = CareRequest.objects.get()
    assert "In one message, write what is needed" in question
    assert f"Your request number {request.pk}" in answer.text
    assert (request.channel, request.requested_by, request.veteran) == (
        Channel.TELEGRAM,
        care_cast.veteran_user,
        care_cast.veteran_a,
    )
    assert (request.institution, request.status) == (care_cast.institution_a, Status.NEW)
    assert request.details == "Please wash two shirts, after lunch is best."
    # The conversation is over: the next text is not taken as details again.
    assert "Choose what to do" in person.send("thank you").text
    assert CareRequest.objects.count() == 1


def test_a_request_can_go_without_details_and_the_way_back_works(
    care_cast: Cast, telegram: Any
) -> None:
    person = linked(telegram, care_cast.veteran_user)
    person.send("/ask")
    person.press("cat:purchases")
    assert "What kind of help is needed?" in person.press("cats").text
    _ask(
        person,
        category="leisure",
        service_code=ServiceType.objects.filter(category="leisure", is_active=True)
        .order_by("pk")
        .first()
        .code,
    )  # type: ignore[union-attr]
    person.press("send")
    assert CareRequest.objects.get().details == ""


def test_a_relative_asks_for_the_veteran_they_act_for(care_cast: Cast, telegram: Any) -> None:
    person = linked(telegram, care_cast.relative)
    _ask(person, category="purchases", service_code="purchases.groceries")
    person.press("send")
    request = CareRequest.objects.get()
    assert (request.requested_by, request.veteran) == (care_cast.relative, care_cast.veteran_a)


def test_without_consent_the_service_refuses_and_the_chat_says_why(
    cast: Cast, telegram: Any
) -> None:
    person = linked(telegram, cast.veteran_user)
    _ask(person, category="laundry", service_code="laundry.wash")
    answer = person.send("two shirts")
    assert "There is no valid consent of this veteran" in answer.text
    assert not CareRequest.objects.exists()


def test_someone_with_no_veteran_in_treatment_cannot_ask(care_cast: Cast, telegram: Any) -> None:
    person = linked(telegram, care_cast.volunteer_user)
    answer = person.send("/ask")
    assert "We have no one in treatment now for whom you may ask" in answer.text
    # A veteran id pressed by hand is checked against whom the person acts for.
    refused = person.press(f"vet:{care_cast.veteran_a.pk}")
    assert "You may not ask for help for this person here." in refused.text


def test_cancel_drops_the_draft(care_cast: Cast, telegram: Any) -> None:
    person = linked(telegram, care_cast.veteran_user)
    _ask(person, category="laundry", service_code="laundry.wash")
    assert "Cancelled." in person.press("cancel").text
    person.send("two shirts")
    assert not CareRequest.objects.exists()


def test_the_service_names_are_in_the_persons_language(care_cast: Cast, telegram: Any) -> None:
    person = linked(telegram, care_cast.veteran_user, language="ru")
    person.send("/ask")
    answer = person.press("cat:laundry")
    wash = ServiceType.objects.get(code="laundry.wash")
    assert answer.buttons[wash.name_ru] == f"svc:{wash.pk}"


def _done_request(c: Cast) -> CareRequest:
    """A request of veteran A that volunteer A has done and checked out of."""
    import datetime

    from django.utils import timezone

    request = request_create(
        actor=c.veteran_user,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel=Channel.WEB,
    )
    request_triage(actor=c.coord_a, request=request)
    request_claim(actor=c.volunteer_user, request=request)
    zone = c.institution_a.region.zone
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=1)
    starts = datetime.datetime.combine(day, datetime.time(10), tzinfo=zone)
    request_schedule(
        actor=c.volunteer_user,
        request=request,
        starts=starts,
        ends=starts + datetime.timedelta(hours=1),
    )
    request_check_in(actor=c.volunteer_user, request=request)
    request_complete(actor=c.volunteer_user, request=request)
    return request


def test_the_status_of_requests_and_confirming_the_work(care_cast: Cast, telegram: Any) -> None:
    assert Volunteer.objects.filter(user=care_cast.volunteer_user).exists()
    request = _done_request(care_cast)
    person = linked(telegram, care_cast.veteran_user)

    answer = person.send("My requests")

    assert f"№{request.pk}" in answer.text and "Done, waiting for confirmation" in answer.text
    assert answer.buttons == {f"It was done: confirm №{request.pk}": f"confirm:{request.pk}"}
    confirmed = person.press(f"confirm:{request.pk}")
    assert "Confirmed. Thank you." in confirmed.text
    assert confirmed.buttons == {
        "Yes": f"respect:{request.pk}:yes",
        "No": f"respect:{request.pk}:no",
    }
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    assert "Your answer is recorded" in person.press(f"respect:{request.pk}:yes").text
    feedback = Feedback.objects.get(request=request)
    assert (feedback.given_by, feedback.done, feedback.respectful) == (
        care_cast.veteran_user,
        True,
        True,
    )
    assert "already recorded" in person.press(f"respect:{request.pk}:no").text
    assert not Complaint.objects.exists()
    # Pressed again (an old message): the lifecycle refuses, and the chat says so.
    again = person.press(f"confirm:{request.pk}")
    assert "This cannot be done now" in again.text


def test_nobody_confirms_a_request_that_is_not_theirs(care_cast: Cast, telegram: Any) -> None:
    request = _done_request(care_cast)
    outsider = linked(telegram, care_cast.veteran_b.user or care_cast.coord_b)
    answer = outsider.press(f"confirm:{request.pk}")
    assert "This request was not found." in answer.text
    request.refresh_from_db()
    assert request.status == Status.COMPLETED


def test_no_requests_yet(care_cast: Cast, telegram: Any) -> None:
    person = linked(telegram, care_cast.veteran_user)
    assert "You have no requests yet." in person.send("/status").text


def test_the_was_it_done_message_carries_a_confirm_button_that_works(
    care_cast: Cast, telegram: Any, bot_api: Any
) -> None:
    import datetime
    import zoneinfo

    import time_machine

    from ryadom.notifications.channels import channel_get
    from ryadom.notifications.services import message_claim, notify

    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    day = datetime.datetime.now(tz=moscow).date() + datetime.timedelta(days=1)
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=moscow)  # no quiet hours
    traveller = time_machine.travel(noon)
    traveller.start()
    request = _done_request(care_cast)
    person = linked(telegram, care_cast.veteran_user)
    [message] = [
        m
        for m in notify(
            recipient=care_cast.veteran_user,
            kind="request_done_please_confirm",
            context={"service": "Стирка", "status_url": "http://x/s/1/"},
            dedupe_key=f"request:{request.pk}:done:test",
        )
        if m.channel == "telegram"
    ]
    claimed = message_claim(message_id=message.pk)
    assert claimed is not None

    channel_get("telegram").send(claimed)

    [[button]] = bot_api.telegram[-1]["reply_markup"]["inline_keyboard"]
    assert button == {"text": "It was done: confirm", "callback_data": f"confirm:{request.pk}"}
    person.press(button["callback_data"])
    traveller.stop()
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED


def test_not_treated_with_respect_opens_a_complaint(care_cast: Cast, telegram: Any) -> None:
    request = _done_request(care_cast)
    person = linked(telegram, care_cast.relative)
    person.press(f"confirm:{request.pk}")
    answer = person.press(f"respect:{request.pk}:no")
    assert "The coordinator will look into it" in answer.text
    complaint = Complaint.objects.get(request=request)
    assert complaint.feedback.respectful is False


def test_made_up_buttons_are_refused_politely(care_cast: Cast, telegram: Any) -> None:
    person = linked(telegram, care_cast.veteran_user)
    for data in ("confirm:abc", "respect:1:maybe", "nonsense", "in:"):
        answer = person.press(data)
        assert answer.calls[0][0] == "answerCallbackQuery"
        assert "This button no longer works." in answer.text


def test_more_requests_than_fit_point_to_the_site(care_cast: Cast, telegram: Any) -> None:
    wash = ServiceType.objects.get(code="laundry.wash")
    for _n in range(6):
        request_create(
            actor=care_cast.veteran_user,
            service_type=wash,
            institution=care_cast.institution_a,
            veteran=care_cast.veteran_a,
            channel=Channel.WEB,
        )
    answer = linked(telegram, care_cast.veteran_user).send("/status")
    assert answer.text.count("№") == 5
    assert "/my/" in answer.text
