"""Delivery through the real worker of each task backend to local fake servers.

Every test here runs twice: on the database backend (db_worker) and on Redis (an RQ worker).
Time moves with time_machine; nothing sleeps.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sized
from typing import Any

import pytest
import time_machine

from ryadom.accounts.models import User
from ryadom.notifications.models import Message, MessageStatus
from ryadom.notifications.selectors import message_list_failed
from ryadom.notifications.services import message_claim, notify, preference_set
from tests.conftest import Cast
from tests.notifications.conftest import Backend, reachable, transactional
from tests.notifications.fakes import FakeHttpServer, FakeSmtpServer

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOON = datetime.datetime(2026, 6, 1, 12, tzinfo=MOSCOW)
SECOND = datetime.timedelta(seconds=1)


def cancelled(user: User, key: str = "request:7:cancelled") -> Message:
    [message] = notify(
        recipient=user,
        kind="request_cancelled",
        context={"number": 7, "service": "Стирка"},
        dedupe_key=key,
    )
    return message


def prefers(user: User, channel: str) -> User:
    reachable(user)
    preference_set(
        actor=user,
        user=user,
        channels=[channel],
        quiet_from=None,
        quiet_until=None,
        telegram_chat_id="4242",
    )
    return user


def fresh(message: Message) -> Message:
    message.refresh_from_db()
    return message


@transactional
def test_an_email_reaches_the_mail_server(
    backend: Backend, smtp: FakeSmtpServer, cast: Cast
) -> None:
    with time_machine.travel(NOON, tick=False):
        message = cancelled(reachable(cast.volunteer_user))
        backend.run_worker()

    assert (fresh(message).status, message.attempts, message.last_error) == (
        MessageStatus.SENT,
        1,
        "",
    )
    [mail] = smtp.messages
    assert mail["To"] == "volunteer@example.org"
    assert mail["Subject"] == "Request 7 has been cancelled"
    assert mail["Message-ID"] == f"<{message.uid}@ryadom.test>"
    assert "Request number 7 (“Стирка”) has been cancelled." in mail.get_content()


@transactional
def test_an_sms_reaches_the_gateway_with_the_message_id_as_its_idempotency_key(
    backend: Backend, gateway: FakeHttpServer, cast: Cast
) -> None:
    with time_machine.travel(NOON, tick=False):
        message = cancelled(prefers(cast.volunteer_user, "sms"))
        backend.run_worker()

    assert (fresh(message).status, message.last_error) == (MessageStatus.SENT, "")
    assert gateway.sms == {str(message.uid): {"to": "+79001234567", "text": message.body}}
    [call] = gateway.calls
    assert call.headers["x-api-key"] == gateway.sms_key


@transactional
def test_a_telegram_message_reaches_the_bot_api(
    backend: Backend, gateway: FakeHttpServer, cast: Cast
) -> None:
    with time_machine.travel(NOON, tick=False):
        message = cancelled(prefers(cast.volunteer_user, "telegram"))
        backend.run_worker()

    assert (fresh(message).status, message.last_error) == (MessageStatus.SENT, "")
    assert gateway.telegram == [
        {"chat_id": "4242", "text": f"{message.subject}\n\n{message.body}"},
    ]


@transactional
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_while_the_server_is_down_the_message_waits_and_goes_out_when_it_is_back(
    backend: Backend, smtp: FakeSmtpServer, gateway: FakeHttpServer, cast: Cast, channel: str
) -> None:
    server: Any = smtp if channel == "email" else gateway

    def received() -> Sized:
        return smtp.deliveries if channel == "email" else gateway.sms

    server.stop()
    with time_machine.travel(NOON, tick=False) as clock:
        message = cancelled(prefers(cast.volunteer_user, channel))
        backend.run_worker()

        assert (fresh(message).status, message.attempts) == (MessageStatus.PENDING, 1)
        assert message.due_at == NOON + datetime.timedelta(minutes=1)
        assert "Connection refused" in message.last_error
        assert message.due_at in backend.scheduled()

        server.start()
        backend.run_worker()  # the server is back, but the next attempt is not due yet
        assert not received()

        clock.move_to(message.due_at)
        backend.run_worker()

    assert (fresh(message).status, message.attempts) == (MessageStatus.SENT, 2)
    assert len(received()) == 1


@transactional
def test_a_message_still_undelivered_after_the_last_attempt_is_listed_for_the_coordinator(
    backend: Backend, smtp: FakeSmtpServer, cast: Cast
) -> None:
    smtp.stop()
    with time_machine.travel(NOON, tick=False) as clock:
        message = cancelled(reachable(cast.volunteer_user))
        backend.run_worker()  # attempt 1; the next in a minute
        clock.move_to(fresh(message).due_at)
        backend.run_worker()  # attempt 2; the next two minutes later
        assert message_list_failed(actor=cast.coord_a).count() == 0
        clock.move_to(fresh(message).due_at)
        backend.run_worker()  # attempt 3 of 3

        assert (fresh(message).status, message.attempts) == (MessageStatus.FAILED, 3)
        assert list(message_list_failed(actor=cast.coord_a)) == [message]
        assert list(message_list_failed(actor=cast.coord_b)) == []

        # Later, with the server back, the leftover watchdog deliveries leave it alone.
        smtp.start()
        clock.move_to(NOON + datetime.timedelta(hours=1))
        backend.run_worker()
    assert fresh(message).status == MessageStatus.FAILED
    assert smtp.deliveries == []


@transactional
def test_an_address_the_mail_server_refuses_fails_at_once(
    backend: Backend, smtp: FakeSmtpServer, cast: Cast
) -> None:
    smtp.refuse_recipients_with = "550 5.1.1 No such user"
    with time_machine.travel(NOON, tick=False):
        message = cancelled(reachable(cast.volunteer_user))
        backend.run_worker()

    assert (fresh(message).status, message.attempts) == (MessageStatus.FAILED, 1)
    assert "550" in message.last_error
    assert list(message_list_failed(actor=cast.coord_a)) == [message]


@transactional
def test_running_the_producer_twice_sends_one_message(
    backend: Backend, smtp: FakeSmtpServer, cast: Cast
) -> None:
    user = reachable(cast.volunteer_user)
    with time_machine.travel(NOON, tick=False):
        cancelled(user)
        cancelled(user)
        backend.run_worker()
        backend.run_worker()
    assert len(smtp.deliveries) == 1


@transactional
def test_a_message_left_sending_by_a_dead_worker_is_sent_once_its_lease_runs_out(
    backend: Backend, smtp: FakeSmtpServer, cast: Cast
) -> None:
    with time_machine.travel(NOON, tick=False) as clock:
        message = cancelled(reachable(cast.volunteer_user))
        # A worker claims it and dies before sending: only its claim and watchdog remain.
        claimed = message_claim(message_id=message.pk)
        assert claimed is not None and claimed.lease_until is not None
        backend.run_worker()  # the delivery enqueued by notify() finds it taken
        assert smtp.deliveries == []

        clock.move_to(claimed.lease_until + SECOND)
        backend.run_worker()

    assert (fresh(message).status, message.attempts) == (MessageStatus.SENT, 2)
    assert len(smtp.deliveries) == 1


@transactional
def test_a_message_written_in_quiet_hours_is_delivered_when_they_end(
    backend: Backend, smtp: FakeSmtpServer, cast: Cast
) -> None:
    late = datetime.datetime(2026, 6, 1, 23, 30, tzinfo=MOSCOW)
    with time_machine.travel(late, tick=False) as clock:
        message = cancelled(reachable(cast.volunteer_user))  # quiet 22:00–08:00 by default
        backend.run_worker()
        assert smtp.deliveries == []

        clock.move_to(datetime.datetime(2026, 6, 2, 8, tzinfo=MOSCOW))
        backend.run_worker()

    assert fresh(message).status == MessageStatus.SENT
    assert len(smtp.deliveries) == 1
