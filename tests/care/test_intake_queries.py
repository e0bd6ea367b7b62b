"""A relative asking over the API: a bounded number of queries in the request, and what the
answer does not need (the message, rollups, the deadline's watch) done once by a task."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ryadom.accounts.services import api_token_issue
from ryadom.care.models import CareRequest
from tests.care.test_deadlines import run_worker, transactional
from tests.conftest import Cast
from tests.notifications.conftest import reachable
from tests.notifications.journey import told

ANNOUNCE = "ryadom.care.tasks.request_announce"


def _asker(c: Cast, client: Client) -> Any:
    """The relative's app: asks for the veteran with a fresh Idempotency-Key each time."""
    _token, key = api_token_issue(actor=None, user=c.relative, name="app")
    body = {"service": "laundry.wash", "institution": c.institution_a.pk, "veteran": c.veteran_a.pk}

    def ask(**fields: Any) -> Any:
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())}
        return client.post(
            "/api/v1/requests", {**body, **fields}, content_type="application/json", headers=headers
        )

    return ask


# Committed for real, as in production: the count holds what runs at commit (on the database
# task backend, the announcement's task row; on Redis, no SQL at all).
@transactional
def test_a_relatives_request_takes_at_most_12_queries_and_is_announced_once(
    care_cast: Cast, client: Client, django_assert_max_num_queries: Any
) -> None:
    relative = reachable(care_cast.relative)
    ask = _asker(care_cast, client)
    assert ask(details="first: the token's last use is written").status_code == 201
    with django_assert_max_num_queries(12):
        answer = ask(details="Постирать")
    assert answer.status_code == 201, answer.json()
    request = CareRequest.objects.get(pk=answer.json()["id"])
    assert [step["action"] for step in answer.json()["timeline"]] == ["create"]
    assert answer.json()["veteran_name"] == care_cast.veteran_a.addressed_as
    assert request.coordinator == care_cast.coord_a
    assert told(relative, "request_received") == []  # not yet: the task tells them

    run_worker()
    run_worker()  # a second pass finds nothing left to do
    about_it = [m for m in told(relative) if f"#{request.pk})" in m.body]
    assert [(m.kind, m.channel) for m in about_it] == [("request_received", "email")]
    checks = DBTaskResult.objects.filter(
        task_path="ryadom.care.tasks.check_deadline", args_kwargs__kwargs__request_id=request.pk
    )
    assert checks.count() == 1


@transactional
def test_a_request_whose_announcement_was_lost_is_announced_by_the_safety_net_once(
    care_cast: Cast, client: Client
) -> None:
    relative = reachable(care_cast.relative)
    answer = _asker(care_cast, client)()
    assert answer.status_code == 201, answer.json()
    request = CareRequest.objects.get(pk=answer.json()["id"])
    DBTaskResult.objects.filter(task_path=ANNOUNCE).delete()  # the process died before enqueueing
    call_command("notifications_requeue", verbosity=0)
    assert told(relative) == []  # too recent: its own task may still be on the way

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        call_command("notifications_requeue", verbosity=0)
        call_command("notifications_requeue", verbosity=0)  # run twice by two timers
        run_worker()
    [message] = told(relative)
    assert message.kind == "request_received" and f"#{request.pk})" in message.body
