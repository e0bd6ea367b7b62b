"""What the requester and the volunteer are told as a request moves: each message once, in
the person's language, on their channel; the status link works without signing in."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from ryadom.care.models import Feedback, Status
from ryadom.care.services.coordination import request_assign, request_cancel, request_triage
from ryadom.care.services.volunteer_work import request_check_in, request_claim, request_complete
from ryadom.notifications import producers
from ryadom.notifications.links import status_token
from ryadom.notifications.services import preference_set
from ryadom.veterans.models import Proxy
from ryadom.veterans.stays import stay_transfer
from tests.conftest import Cast
from tests.notifications.conftest import reachable
from tests.notifications.journey import ask, assign_and_schedule, kinds_told, next_week_at, told

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^ ]+/s/([^/ ]+)/")


def _link_token(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def _through_to_done(c: Cast) -> tuple[object, datetime.datetime]:
    request = ask(c)
    starts = next_week_at(15, days=2)
    assign_and_schedule(c, request, starts)
    with time_machine.travel(starts + datetime.timedelta(minutes=5)):
        request_check_in(actor=c.volunteer_user, request=request)
        request_complete(actor=c.volunteer_user, request=request, outcome="Прочитали")
    return request, starts


def test_the_requester_hears_received_assigned_planned_and_done_once_each(
    care_cast: Cast,
) -> None:
    c = care_cast
    relative = reachable(c.relative, language="ru")
    reachable(c.volunteer_user)
    request, starts = _through_to_done(c)
    # A retried producer tells nobody twice.
    producers.request_received(request=request)
    producers.request_assigned(request=request)
    producers.request_done(request=request)

    assert kinds_told(relative) == [
        "request_received",
        "request_assigned",
        "visit_scheduled",
        "request_done_please_confirm",
    ]
    assert {m.channel for m in told(relative)} == {"email"}
    assigned = told(relative, "request_assigned")[0]
    with translation.override("ru"):
        assert assigned.subject == gettext("A helper has been found")
    helper = c.volunteer_user.first_name
    assert helper in assigned.body
    planned = told(relative, "visit_scheduled")[0]
    assert "15:00" in planned.body and helper in planned.body
    everything = " ".join(m.body for m in told(relative))
    assert c.volunteer_user.last_name not in everything
    for kind in ("request_received", "visit_scheduled", "request_done_please_confirm"):
        assert LINK.search(told(relative, kind)[0].body), kind
    # Nobody else on the requester side is told the same things twice over.
    assert told(c.veteran_user) == []


def test_the_requesters_channel_is_the_one_they_chose(care_cast: Cast) -> None:
    c = care_cast
    relative = reachable(c.relative)
    preference_set(
        actor=relative, user=relative, channels=["sms"], quiet_from=None, quiet_until=None
    )
    ask(c)
    [message] = told(relative)
    assert (message.kind, message.channel, message.address) == (
        "request_received",
        "sms",
        "+79001234567",
    )


def test_a_request_a_coordinator_enters_is_reported_to_the_veteran_not_to_the_coordinator(
    care_cast: Cast,
) -> None:
    c = care_cast
    veteran = reachable(c.veteran_user)
    reachable(c.coord_a)
    ask(c, actor=c.coord_a)
    assert kinds_told(veteran) == ["request_received"]
    assert told(c.coord_a) == []


def test_a_cancellation_reaches_the_volunteer_and_the_requester_once(care_cast: Cast) -> None:
    c = care_cast
    relative = reachable(c.relative)
    volunteer = reachable(c.volunteer_user)
    request = ask(c)
    assign_and_schedule(c, request, next_week_at(15))
    request_cancel(actor=c.coord_a, request=request, reason="Выписан")
    producers.request_cancelled(request=request, actor=c.coord_a)

    assert [m.subject for m in told(volunteer, "request_cancelled")] == [
        f"Request #{request.pk} has been cancelled"
    ]
    assert len(told(relative, "request_cancelled")) == 1


def test_the_requester_who_cancels_is_not_told_what_they_did(care_cast: Cast) -> None:
    c = care_cast
    relative = reachable(c.relative)
    request = ask(c)
    request_cancel(actor=relative, request=request, reason="Уже не нужно")
    assert told(relative, "request_cancelled") == []


# --- the status page -----------------------------------------------------------------------


def test_the_status_link_shows_the_request_without_personal_data(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    relative = reachable(c.relative)
    reachable(c.volunteer_user)
    c.volunteer_user.phone = "+79990001122"
    c.volunteer_user.save(update_fields=["phone"])
    request = ask(c)
    assign_and_schedule(c, request, next_week_at(15))
    token = _link_token(told(relative, "visit_scheduled")[0].body)

    response = client.get(f"/s/{token}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Request #{request.pk}" in page
    assert "Visit scheduled" in page  # the status, in words
    assert c.volunteer_user.first_name in page
    assert "15:00" in page  # the institution's local time
    for private in (
        c.volunteer_user.last_name,
        "+79990001122",
        "+79001234567",
        c.veteran_a.addressed_as,
        relative.last_name,
        "Почитать вслух",  # the details are between the requester and the coordinator
    ):
        assert private not in page
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_requester_confirms_and_gives_feedback_through_the_link_without_signing_in(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    relative = reachable(c.relative)
    request, _starts = _through_to_done(c)
    token = _link_token(told(relative, "request_done_please_confirm")[0].body)
    assert "How did it go?" in client.get(f"/s/{token}/").content.decode()

    response = client.post(
        f"/s/{token}/", {"done": "yes", "respectful": "yes", "rating": "5", "comment": "Спасибо"}
    )

    assert response.status_code == 200
    assert "Thank you. Your answer is recorded." in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    feedback = Feedback.objects.get(request=request)
    assert (feedback.given_by, feedback.rating, feedback.comment) == (relative, 5, "Спасибо")
    # The form is gone once answered: a second post changes nothing.
    assert "How did it go?" not in client.get(f"/s/{token}/").content.decode()


def test_an_incomplete_answer_is_shown_again_with_its_error(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    relative = reachable(c.relative)
    request, _starts = _through_to_done(c)
    token = _link_token(told(relative, "request_done_please_confirm")[0].body)
    response = client.post(f"/s/{token}/", {"respectful": "yes"})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == Status.COMPLETED


def test_an_old_link_has_expired_and_a_forged_or_revoked_one_finds_nothing(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    request = ask(c)
    token = status_token(request=request, person=c.relative)

    later = timezone.now() + datetime.timedelta(days=31)
    with time_machine.travel(later):
        response = client.get(f"/s/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()

    assert client.get(f"/s/{token[:-2]}xx/").status_code == 404
    other = status_token(request=request, person=c.stranger)  # genuine, but not theirs
    assert client.get(f"/s/{other}/").status_code == 404
    # A relative who no longer acts for the veteran, on a request the veteran made.
    own = ask(c, actor=c.veteran_user)
    relatives = status_token(request=own, person=c.relative)
    assert client.get(f"/s/{relatives}/").status_code == 200
    Proxy.objects.filter(user=c.relative).update(may_act=False)
    assert client.get(f"/s/{relatives}/").status_code == 404


def test_a_volunteer_given_a_request_hears_of_it_and_one_who_took_it_does_not(
    care_cast: Cast,
) -> None:
    c = care_cast
    volunteer = reachable(c.volunteer_user)
    given = ask(c)
    request_triage(actor=c.coord_a, request=given)
    request_assign(actor=c.coord_a, request=given, volunteer=c.volunteer_a)
    taken = ask(c)
    request_triage(actor=c.coord_a, request=taken)
    request_claim(actor=volunteer, request=taken)

    [message] = told(volunteer, "volunteer_assigned")
    assert f"request #{given.pk}" in message.body
    assert f"/requests/{given.pk}/" in message.body


def test_a_volunteer_whose_veteran_moved_is_told_the_visit_is_off(care_cast: Cast) -> None:
    c = care_cast
    volunteer = reachable(c.volunteer_user)
    request = ask(c)
    assign_and_schedule(c, request, next_week_at(15))
    stay_transfer(
        actor=c.coord_a, veteran=c.veteran_a, institution=c.institution_b, on=timezone.localdate()
    )
    [message] = told(volunteer, "volunteer_request_moved")
    assert message.subject == f"Request #{request.pk}: the veteran has moved"
