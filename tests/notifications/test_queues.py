"""Sign-in codes and other urgent messages jump the queue of background work: they go to the
urgent task queue, which workers serve first (docs/operations.md, "Task queues")."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from ryadom.accounts.models import User
from ryadom.notifications.checks import delivery_queues_check
from ryadom.notifications.models import Message
from ryadom.notifications.services import notify
from tests.conftest import Cast
from tests.notifications.conftest import DELIVER, Backend, reachable, transactional
from tests.notifications.fakes import FakeSmtpServer

NOON = datetime.datetime(2026, 6, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))


def cancelled(user: User, number: int) -> Message:
    [message] = notify(
        recipient=user,
        kind="request_cancelled",
        context={"number": number, "service": "Стирка"},
        dedupe_key=f"request:{number}:cancelled",
    )
    return message


@transactional
def test_a_sign_up_code_is_sent_before_the_messages_queued_ahead_of_it(
    backend: Backend, smtp: FakeSmtpServer, cast: Cast, client: Client
) -> None:
    volunteer = reachable(cast.volunteer_user)
    with time_machine.travel(NOON, tick=False):
        for number in (1, 2, 3):
            cancelled(volunteer, number)
        response = client.post("/join/", {"address": "anna@example.org"})
        assert response["Location"] == "/join/code/"
        backend.run_worker()
    recipients = [mail["To"] for mail in smtp.messages]
    assert recipients == ["anna@example.org"] + ["volunteer@example.org"] * 3


@transactional
def test_a_code_waits_on_the_urgent_queue_and_an_ordinary_message_on_the_default_one(
    cast: Cast, client: Client
) -> None:
    with time_machine.travel(NOON, tick=False):
        ordinary = cancelled(reachable(cast.volunteer_user), 1)
        client.post("/join/", {"address": "anna@example.org"})
    code = Message.objects.get(kind="one_time_code")
    queued = {
        row.args_kwargs["kwargs"]["message_id"]: row.queue_name
        for row in DBTaskResult.objects.filter(task_path=DELIVER)
    }
    assert queued == {code.pk: "urgent", ordinary.pk: "default"}


def test_the_system_check_names_a_delivery_queue_the_task_backend_refuses(settings: Any) -> None:
    assert delivery_queues_check(None) == []
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    [error] = delivery_queues_check(None)
    assert error.id == "notifications.E001"
    assert "'urgent'" in error.msg
