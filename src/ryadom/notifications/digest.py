"""The coordinators' daily digest: new, overdue and waiting requests of their regions, and
the follow-up contacts after discharge due by that day (aftercare).

No cron: each day's digests are planned by a task enqueued for the day before
(`digests_plan`), which enqueues one `digest_send` per regional coordinator for DIGEST_AT
in their region's local time, and plans the next day. A `DigestDay` row per day means
that however many such chains exist (a command run twice, a task run twice), each day is
planned once; the digest itself is deduplicated per coordinator and day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ryadom.accounts.models import Role, RoleAssignment, ScopeKind, User
from ryadom.aftercare.selectors import contacts_due
from ryadom.care.lifecycle import OPEN_STATES
from ryadom.care.models import CareRequest, Status
from ryadom.notifications.conf import notification_settings
from ryadom.notifications.models import DigestDay, Message
from ryadom.notifications.selectors import recipient_region, zone_of
from ryadom.notifications.services import notify

# A day's digests are planned at noon UTC the day before: earlier than 08:00 anywhere in
# Russia (Kamchatka, UTC+12, has its 08:00 at 20:00 UTC the day before).
PLAN_AT = datetime.time(12, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DigestCounts:
    new: int  # received in the last 24 hours
    overdue: int  # open, not yet done, past the deadline
    waiting: int  # not yet given to a helper (new or triaged)
    contacts: int = 0  # follow-up contacts after discharge due by today, the person's own


def digest_counts(*, region_ids: list[int], now: datetime.datetime) -> DigestCounts:
    """What a coordinator of these regions should know this morning."""
    requests = CareRequest.objects.filter(region_id__in=region_ids)
    return DigestCounts(
        new=requests.filter(created_at__gt=now - DAY, created_at__lte=now).count(),
        overdue=requests.filter(
            status__in=OPEN_STATES - {Status.COMPLETED}, deadline__lt=now
        ).count(),
        waiting=requests.filter(status__in=[Status.NEW, Status.TRIAGED]).count(),
    )


def plan_time(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day - DAY, PLAN_AT)


@transaction.atomic
def digest_day_schedule(*, day: datetime.date) -> bool:
    """Plan the digests of a day, once; True if this call did it."""
    try:
        with transaction.atomic():
            DigestDay.objects.create(day=day)
    except IntegrityError:
        return False
    from ryadom.notifications.tasks import digests_plan

    run_after = max(plan_time(day), timezone.now())
    transaction.on_commit(
        lambda: digests_plan.using(run_after=run_after).enqueue(day=day.isoformat()), robust=True
    )
    return True


def digests_ensure() -> int:
    """Tomorrow's and the next day's digests are planned, and a plan whose task was lost is
    enqueued again. Idempotent: run it from the requeue command or after an outage."""
    from ryadom.notifications.tasks import digests_plan

    now = timezone.now()
    today = now.astimezone(datetime.UTC).date()
    # Not today: its mornings may be over, and a digest at noon is no digest.
    count = sum(digest_day_schedule(day=d) for d in (today + DAY, today + 2 * DAY))
    late = now - notification_settings().lease
    for day in DigestDay.objects.filter(dispatched_at__isnull=True, day__gte=today).values_list(
        "day", flat=True
    ):
        if plan_time(day) < late:
            digests_plan.enqueue(day=day.isoformat())
            count += 1
    return count


def regional_coordinators() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            roles__role=Role.REGIONAL_COORDINATOR,
            roles__scope_kind=ScopeKind.REGION,
        )
        .distinct()
        .order_by("pk")
    )


def digest_send_at(*, user: User, day: datetime.date) -> datetime.datetime:
    zone = zone_of(recipient_region(user=user))
    return datetime.datetime.combine(day, notification_settings().digest_at, tzinfo=zone)


@transaction.atomic
def digests_dispatch(*, day: datetime.date) -> list[tuple[int, datetime.datetime]]:
    """Enqueue the day's digest for every regional coordinator, then plan the next day.
    Runs once per day: the conditional update lets one of several runs through."""
    if not DigestDay.objects.filter(day=day, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    ):
        return []
    planned = [(user.pk, digest_send_at(user=user, day=day)) for user in regional_coordinators()]
    for user_id, at in planned:
        transaction.on_commit(_digest_enqueuer(user_id=user_id, day=day, at=at), robust=True)
    digest_day_schedule(day=day + DAY)
    return planned


def _digest_enqueuer(
    *, user_id: int, day: datetime.date, at: datetime.datetime
) -> Callable[[], None]:
    """The after-commit callback (a named function: Django names a failed robust one)."""

    def enqueue() -> None:
        _enqueue_digest(user_id=user_id, day=day, at=at)

    return enqueue


def _enqueue_digest(*, user_id: int, day: datetime.date, at: datetime.datetime) -> None:
    from ryadom.notifications.tasks import digest_send

    digest_send.using(run_after=at).enqueue(user_id=user_id, day=day.isoformat())


def digest_send_to(*, user_id: int, day: datetime.date) -> list[Message]:
    """One coordinator's digest of the day (once, however often it runs)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return []
    region_ids = list(
        RoleAssignment.objects.filter(
            user=user, role=Role.REGIONAL_COORDINATOR, scope_kind=ScopeKind.REGION
        ).values_list("scope_id", flat=True)
    )
    if not region_ids:
        return []  # no longer a regional coordinator
    now = timezone.now()
    counts = digest_counts(region_ids=[int(r) for r in region_ids if r is not None], now=now)
    due = contacts_due(actor=user, on=now.astimezone(zone_of(recipient_region(user=user))).date())
    return notify(
        recipient=user,
        kind="daily_digest",
        context={
            "date": day,
            "new": counts.new,
            "overdue": counts.overdue,
            "waiting": counts.waiting,
            "contacts": due.count(),
            "url": f"{settings.SITE_URL}/queue/",
        },
        dedupe_key=f"digest:{day.isoformat()}",
    )
