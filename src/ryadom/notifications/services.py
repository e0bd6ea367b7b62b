"""Every write on notifications: the outbox, the bookkeeping of delivery, preferences.

Business code calls notify() and nothing else; only the deliver task talks to channels.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks.base import DEFAULT_TASK_PRIORITY, TASK_MAX_PRIORITY

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.notifications.channels import CHANNELS, channel_get
from ryadom.notifications.conf import notification_settings
from ryadom.notifications.kinds import kind_get, render
from ryadom.notifications.models import Message, MessageStatus, Preference
from ryadom.notifications.selectors import (
    is_coordinator,
    preference_of,
    recipient_region,
    zone_of,
)

logger = logging.getLogger(__name__)

ERROR_LENGTH = 1000


def queue_for(*, urgent: bool) -> str:
    """The task queue of a message's deliveries: urgent ones (a sign-in code someone waits
    for at the form) go to the queue workers serve first, ahead of the background work."""
    config = notification_settings()
    return config.urgent_queue if urgent else config.queue


def _enqueue(message_id: int, run_after: datetime.datetime | None, *, urgent: bool) -> None:
    from ryadom.notifications.tasks import deliver  # the task module imports this one

    if run_after is not None and run_after.microsecond:
        # RQ schedules in whole seconds, rounding down; rounding up here means a task never
        # runs before its message is due.
        run_after = run_after.replace(microsecond=0) + datetime.timedelta(seconds=1)
    # Workers serve the urgent queue first (RQ: `rqworker urgent default`); the database
    # worker takes tasks by priority across the queues it serves, so it gets one too.
    priority = (
        TASK_MAX_PRIORITY
        if urgent and deliver.get_backend().supports_priority
        else DEFAULT_TASK_PRIORITY
    )
    deliver.using(
        queue_name=queue_for(urgent=urgent), run_after=run_after, priority=priority
    ).enqueue(message_id=message_id)


def _enqueuer(
    message_id: int, run_after: datetime.datetime | None, *, urgent: bool
) -> Callable[[], None]:
    """The after-commit callback: a named function, as Django names a failed robust one by
    its __qualname__ (which functools.partial lacks)."""

    def enqueue() -> None:
        _enqueue(message_id, run_after, urgent=urgent)

    return enqueue


def quiet_hours_end(
    *,
    at: datetime.datetime,
    quiet_from: datetime.time | None,
    quiet_until: datetime.time | None,
    zone: zoneinfo.ZoneInfo,
) -> datetime.datetime | None:
    """When the quiet hours around `at` end, or None if `at` is not in quiet hours."""
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return None
    local = at.astimezone(zone)
    now, today = local.time(), local.date()
    if quiet_from < quiet_until:  # within one day, e.g. 13:00–15:00
        inside, ends_on = quiet_from <= now < quiet_until, today
    elif now >= quiet_from:  # across midnight, e.g. 22:00–08:00, evening part
        inside, ends_on = True, today + datetime.timedelta(days=1)
    else:  # the morning part
        inside, ends_on = now < quiet_until, today
    return datetime.datetime.combine(ends_on, quiet_until, tzinfo=zone) if inside else None


def _first_allowed_moment(
    *,
    recipient: User,
    at: datetime.datetime,
    urgent: bool,
    kind: str,
    preference: Preference | None = None,
    zone: zoneinfo.ZoneInfo | None = None,
) -> datetime.datetime:
    """`at`, or the end of the recipient's quiet hours if `at` falls in them."""
    if kind_get(kind).any_hour or (urgent and is_coordinator(recipient)):
        return at
    preference = preference or preference_of(user=recipient)
    zone = zone or zone_of(recipient_region(user=recipient))
    ends = quiet_hours_end(
        at=at, quiet_from=preference.quiet_from, quiet_until=preference.quiet_until, zone=zone
    )
    return at if ends is None else max(at, ends)


def _addresses(recipient: User, preference: Preference) -> dict[str, str]:
    """Each channel the person chose and can be reached on, with the address there."""
    addresses = {}
    for name in preference.channels:
        address = channel_get(name).address_of(recipient, preference) if name in CHANNELS else ""
        if address:
            addresses[name] = address
        else:
            logger.warning("user %s chose %s but has no address there", recipient.pk, name)
    return addresses


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    context: Mapping[str, Any],
    dedupe_key: str,
    urgent: bool = False,
    only_channel: str = "",
) -> list[Message]:
    """Write one message per chosen channel to the outbox; they are sent after commit.
    `only_channel` keeps to that one channel (a question only its buttons can answer).

    The same (recipient, dedupe_key) never makes a second message, so a producer that runs
    twice (a retried task, a double click) notifies once.
    """
    if not dedupe_key:
        raise ValueError("notify() needs a dedupe_key")
    existing = list(Message.objects.filter(recipient=recipient, dedupe_key=dedupe_key))
    if existing:
        return existing
    preference = preference_of(user=recipient)
    region = recipient_region(user=recipient)
    zone = zone_of(region)
    with translation.override(recipient.language):
        subject, body = render(kind, context, zone=zone)
    now = timezone.now()
    due = _first_allowed_moment(
        recipient=recipient, at=now, urgent=urgent, kind=kind, preference=preference, zone=zone
    )
    messages = []
    for channel, address in _addresses(recipient, preference).items():
        if only_channel and channel != only_channel:
            continue
        # get_or_create: of two producers racing on the same key, the second one's insert
        # waits for the first and hits the unique constraint; it reads that row instead.
        message, created = Message.objects.get_or_create(
            recipient=recipient,
            dedupe_key=dedupe_key,
            channel=channel,
            defaults={
                "region": region,
                "kind": kind,
                "address": address,
                "subject": subject[:200],
                "body": body,
                "urgent": urgent,
                "due_at": due,
            },
        )
        messages.append(message)
        if created:
            run_after = due if due > now else None
            # robust: a queue that cannot be reached leaves the message to the safety net
            # (messages_requeue_stale) instead of failing the committed request.
            transaction.on_commit(
                _enqueuer(message.pk, run_after, urgent=message.urgent), robust=True
            )
    if not messages:
        logger.warning("user %s cannot be reached: no channel with an address", recipient.pk)
    return messages


def message_claim(*, message_id: int) -> Message | None:
    """Take a due message for sending (pending → sending, with a lease); None if not ours.

    A message still "sending" after its lease ran out belongs to a worker that died; it is
    taken over like a pending one. Call it outside any transaction (as tasks run), so the
    claim is committed before the message goes out.
    """
    now = timezone.now()
    lease_until = now + notification_settings().lease
    with transaction.atomic():
        claimed = (
            Message.objects.filter(pk=message_id)
            .filter(
                Q(status=MessageStatus.PENDING, due_at__lte=now)
                | Q(status=MessageStatus.SENDING, lease_until__lt=now)
            )
            .update(
                status=MessageStatus.SENDING, lease_until=lease_until, attempts=F("attempts") + 1
            )
        )
        if claimed != 1:
            # Ran before the message was due (a worker whose clock is behind): come back
            # then, rather than leave it waiting with no task. Extra tasks are harmless: of
            # several, one claims and the rest find it taken.
            early = (
                Message.objects.filter(pk=message_id, status=MessageStatus.PENDING, due_at__gt=now)
                .values_list("due_at", "urgent")
                .first()
            )
            if early is not None:
                _enqueue(message_id, early[0], urgent=early[1])
            return None
        message = Message.objects.select_related("recipient").get(pk=message_id)
        # The watchdog: if this worker dies before it records the outcome, this attempt
        # finds the lease expired and takes the message over. Enqueued inside the claim's
        # transaction (not on commit) so that on the database backend the two commit
        # together; on Redis a claim that rolls back leaves a watchdog that finds nothing.
        _enqueue(message_id, lease_until + datetime.timedelta(seconds=1), urgent=message.urgent)
    # The claim commits before the message goes out: no transaction is held over the network.
    return message


def _holding(message: Message) -> QuerySet[Message]:
    """Rows of this attempt only: the attempt count fences off a worker whose lease expired
    and whose message someone else has taken over since."""
    return Message.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, attempts=message.attempts
    )


@transaction.atomic
def message_mark_sent(*, message: Message) -> Message:
    """The channel accepted the message: done."""
    now = timezone.now()
    _holding(message).update(status=MessageStatus.SENT, sent_at=now, lease_until=None)
    message.refresh_from_db()
    return message


@transaction.atomic
def message_fail(*, message: Message, error: str) -> Message:
    """Give up on the message; it appears in the coordinators' list of failures."""
    now = timezone.now()
    _holding(message).update(
        status=MessageStatus.FAILED,
        failed_at=now,
        lease_until=None,
        last_error=error[:ERROR_LENGTH],
    )
    message.refresh_from_db()
    logger.warning(
        "message %s to user %s failed for good: %s", message.pk, message.recipient_id, error
    )
    return message


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: BACKOFF, 2×, 4×… after the 1st, 2nd, 3rd… failed attempt."""
    config = notification_settings()
    factor: int = 2 ** max(attempts - 1, 0)
    return min(config.backoff * factor, config.backoff_max)


@transaction.atomic
def message_retry_later(*, message: Message, error: str) -> Message:
    """A temporary failure: back to pending for a later attempt, or failed after the last."""
    if message.attempts >= notification_settings().max_attempts:
        return message_fail(message=message, error=error)
    due = _first_allowed_moment(
        recipient=message.recipient,
        at=timezone.now() + retry_delay(message.attempts),
        urgent=message.urgent,
        kind=message.kind,
    )
    if _holding(message).update(
        status=MessageStatus.PENDING, due_at=due, lease_until=None, last_error=error[:ERROR_LENGTH]
    ):
        transaction.on_commit(_enqueuer(message.pk, due, urgent=message.urgent), robust=True)
    message.refresh_from_db()
    return message


@transaction.atomic
def message_resend(*, actor: User, message: Message) -> Message:
    """A coordinator sends a failed message again (say, after the person fixed their address)."""
    if message.status != MessageStatus.FAILED:
        raise ConflictError(_("Only a message that could not be delivered can be sent again."))
    changed = Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, attempts=0, due_at=timezone.now(), failed_at=None
    )
    if changed != 1:
        raise ConflictError(_("Someone has already sent this message again."))
    audit_record(
        actor=actor,
        action="notification.resent",
        target=message,
        region_id=message.region_id,
        changes={"status": [MessageStatus.FAILED, MessageStatus.PENDING]},
    )
    transaction.on_commit(_enqueuer(message.pk, None, urgent=message.urgent), robust=True)
    message.refresh_from_db()
    return message


@transaction.atomic
def preference_set(
    *,
    actor: User,
    user: User,
    channels: Sequence[str],
    quiet_from: datetime.time | None,
    quiet_until: datetime.time | None,
    telegram_chat_id: str = "",
) -> Preference:
    """A person chooses how to be reached and when not to be disturbed."""
    if actor.pk != user.pk:
        raise PermissionDeniedError(_("You may change only your own notification settings."))
    unknown = [name for name in channels if name not in CHANNELS]
    if unknown or not channels:
        raise ApplicationError(
            _("Choose at least one of: e-mail, SMS, Telegram."), field="channels"
        )
    if (quiet_from is None) != (quiet_until is None):
        raise ApplicationError(
            _("Give both the start and the end of the quiet hours, or neither."), field="quiet_from"
        )
    preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
    old = {
        "channels": preference.channels,
        "quiet_from": str(preference.quiet_from),
        "quiet_until": str(preference.quiet_until),
        "telegram_chat_id": bool(preference.telegram_chat_id),
    }
    preference.channels = list(dict.fromkeys(channels))
    preference.quiet_from, preference.quiet_until = quiet_from, quiet_until
    preference.telegram_chat_id = telegram_chat_id.strip()
    preference.updated_at = timezone.now()
    preference.save()
    new = {
        "channels": preference.channels,
        "quiet_from": str(quiet_from),
        "quiet_until": str(quiet_until),
        "telegram_chat_id": bool(preference.telegram_chat_id),
    }
    audit_record(
        actor=actor,
        action="notification_preference.changed",
        target=preference,
        region_id=None,
        changes={key: [old[key], new[key]] for key in new if old[key] != new[key]},
    )
    return preference


def messages_requeue_stale(*, older_than: datetime.timedelta | None = None) -> int:
    """Enqueue a delivery for messages nobody is going to send (a task lost in a crash).

    The normal path needs no sweep; this covers the two short windows where a process can
    die with a message written but no task for it.
    """
    older_than = older_than if older_than is not None else notification_settings().lease
    cutoff = timezone.now() - older_than
    stale = Message.objects.filter(
        Q(status=MessageStatus.PENDING, due_at__lt=cutoff)
        | Q(status=MessageStatus.SENDING, lease_until__lt=cutoff)
    ).values_list("pk", "urgent")
    count = 0
    for message_id, urgent in stale.iterator():
        _enqueue(message_id, None, urgent=urgent)
        count += 1
    return count
