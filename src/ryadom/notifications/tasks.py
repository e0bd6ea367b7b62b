"""Delivery: one attempt per task run, safe to run twice and to be killed at any point."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ryadom.notifications.channels import PermanentFailure, TemporaryFailure, channel_get
from ryadom.notifications.services import (
    message_claim,
    message_fail,
    message_mark_sent,
    message_retry_later,
)

logger = logging.getLogger(__name__)


@task()
def deliver(message_id: int) -> str:
    """Send one outbox message if it is due and no live worker is sending it."""
    message = message_claim(message_id=message_id)
    if message is None:
        return "nothing to do"  # sent, failed, not due yet, or another worker has it
    try:
        channel_get(message.channel).send(message)
    except PermanentFailure as exc:
        message_fail(message=message, error=str(exc))
        return "failed"
    except Exception as exc:
        # Temporary failures, and bugs too: the message waits for another attempt rather
        # than being lost, and fails for good after the last one.
        if not isinstance(exc, TemporaryFailure):
            logger.exception("sending message %s raised", message_id)
        message = message_retry_later(message=message, error=f"{type(exc).__name__}: {exc}")
        return f"{message.status} (attempt {message.attempts})"
    # Only now: if the worker dies between the channel accepting and this line, the next
    # attempt sends again, and the channel's idempotency (Message-ID, Idempotency-Key)
    # lets the other side drop the copy.
    message_mark_sent(message=message)
    return "sent"


@task()
def visit_remind(visit_id: int, starts: str, which: str) -> str:
    """A reminder before a visit, if the visit is still planned for that time."""
    from ryadom.care.models import Status, Visit
    from ryadom.notifications.producers import REMINDERS, visit_reminders_send

    visit = (
        Visit.objects.select_related(
            "request__service_type", "request__institution", "request__volunteer__user"
        )
        .filter(pk=visit_id)
        .first()
    )
    # Rescheduling or cancelling drops or moves the visit: the old reminder finds nothing.
    if visit is None or visit.starts != datetime.datetime.fromisoformat(starts):
        return "moved on"
    if visit.checked_in_at is not None or visit.request.status != Status.SCHEDULED:
        return "moved on"
    due = visit.starts - REMINDERS[which]
    if timezone.now() < due:
        # A worker whose clock is behind: come back when it is due.
        visit_remind.using(run_after=due).enqueue(visit_id=visit_id, starts=starts, which=which)
        return "not due"
    if timezone.now() >= visit.starts:
        return "too late"
    with transaction.atomic():
        visit_reminders_send(visit=visit, which=which)
    return "sent"


@task()
def volunteers_alert(request_id: int) -> str:
    """Tell the volunteers whose turn it is of a request waiting for a helper."""
    from ryadom.notifications.alerts import volunteers_alert as alert

    return f"alerted {len(alert(request_id=request_id))}"


@task()
def digests_plan(day: str) -> str:
    """Enqueue a day's digests, one per regional coordinator at their local morning."""
    from ryadom.notifications.digest import digests_dispatch

    return f"planned {len(digests_dispatch(day=datetime.date.fromisoformat(day)))}"


@task()
def digest_send(user_id: int, day: str) -> str:
    """One coordinator's digest of the day."""
    from ryadom.notifications.digest import digest_send_to

    with transaction.atomic():
        messages = digest_send_to(user_id=user_id, day=datetime.date.fromisoformat(day))
    return f"{len(messages)} message(s)"
