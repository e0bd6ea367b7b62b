"""Delivery: one attempt per task run, safe to run twice and to be killed at any point."""

from __future__ import annotations

import logging

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
