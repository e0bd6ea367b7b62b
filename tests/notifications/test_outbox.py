"""notify() writes the outbox: one message per chosen channel, once, in the person's words
and hours. Nothing here is sent; test_delivery.py sends."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.core.errors import ApplicationError, PermissionDeniedError
from ryadom.notifications.kinds import KINDS
from ryadom.notifications.models import Message, MessageStatus, Preference
from ryadom.notifications.services import (
    notify,
    preference_set,
    quiet_hours_end,
    retry_delay,
)
from tests.conftest import Cast
from tests.notifications.conftest import DELIVER, reachable, volunteer_in

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
VLADIVOSTOK = zoneinfo.ZoneInfo("Asia/Vladivostok")
UTC = datetime.UTC


def moscow(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 6, day, hour, minute, tzinfo=MOSCOW)


def assigned(user: User, key: str = "request:1:assigned", **kwargs: Any) -> list[Message]:
    context = {"helper": "Анна", "service": "Стирка", "when": moscow(10, 15)}
    return notify(
        recipient=user, kind="request_assigned", context=context, dedupe_key=key, **kwargs
    )


def deliveries() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=DELIVER).order_by("run_after"))


@pytest.mark.django_db
def test_a_notification_writes_one_message_per_channel_the_person_chose(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    volunteer = reachable(cast.volunteer_user)
    preference_set(
        actor=volunteer,
        user=volunteer,
        channels=["email", "sms", "telegram"],
        quiet_from=None,
        quiet_until=None,
        telegram_chat_id="4242",
    )
    with django_capture_on_commit_callbacks(execute=True):
        messages = assigned(volunteer)

    assert sorted((m.channel, m.address) for m in messages) == [
        ("email", "volunteer@example.org"),
        ("sms", "+79001234567"),
        ("telegram", "4242"),
    ]
    for message in messages:
        assert message.status == MessageStatus.PENDING
        assert message.subject == "A helper has been found"
        assert (
            message.body == "Анна will help you with “Стирка”. Planned time: 10 June 2026, 15:00."
        )
        assert message.region == volunteer.volunteer.region
    assert sorted(t.args_kwargs["kwargs"]["message_id"] for t in deliveries()) == sorted(
        m.pk for m in messages
    )
    assert [t.task_result.task.run_after for t in deliveries()] == [
        None
    ] * 3  # no quiet hours: right away


@pytest.mark.django_db
def test_the_same_dedupe_key_twice_makes_one_message_and_one_delivery(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    volunteer = reachable(cast.volunteer_user)
    with django_capture_on_commit_callbacks(execute=True):
        [first] = assigned(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        [again] = assigned(volunteer)

    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert len(deliveries()) == 1
    # The key is the recipient's: the same event for another person is another message.
    reachable(cast.veteran_user)
    assert len(assigned(cast.veteran_user)) == 1


@pytest.mark.django_db
def test_a_caller_that_rolls_back_leaves_neither_message_nor_delivery(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    volunteer = reachable(cast.volunteer_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            assigned(volunteer)
            raise RuntimeError("the business action failed after notifying")
    assert callbacks == []
    assert not Message.objects.exists()
    assert deliveries() == []


@pytest.mark.django_db
def test_texts_are_in_the_recipients_language_with_times_in_their_regions_zone(
    cast: Cast,
) -> None:
    far_east = volunteer_in("25", language="ru")  # Vladivostok, UTC+10
    english = reachable(cast.volunteer_user, language="en")  # Moscow

    [russian_message] = assigned(far_east)
    [english_message] = assigned(english)

    with translation.override("ru"):
        assert russian_message.subject == gettext("A helper has been found")
    assert english_message.subject == "A helper has been found"
    # 15:00 in Moscow is 22:00 in Vladivostok; month names come from Django's own catalogues.
    assert "10 июня 2026, 22:00" in russian_message.body
    assert english_message.body.endswith("Planned time: 10 June 2026, 15:00.")


@pytest.mark.django_db
def test_every_kind_renders_in_russian_and_english(cast: Cast) -> None:
    user = reachable(cast.volunteer_user)
    for language in ("ru", "en"):
        user.language = language
        for kind, template in KINDS.items():
            context = dict.fromkeys(template.keys, "X")
            [message] = notify(
                recipient=user, kind=kind, context=context, dedupe_key=f"{kind}:{language}"
            )
            assert message.subject and "%(" not in message.subject + message.body, kind


@pytest.mark.django_db
def test_an_unknown_kind_or_a_missing_value_is_refused_before_anything_is_written(
    cast: Cast,
) -> None:
    user = reachable(cast.volunteer_user)
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(recipient=user, kind="no_such_kind", context={}, dedupe_key="k1")
    with pytest.raises(ValueError, match="needs helper, when"):
        notify(
            recipient=user, kind="request_assigned", context={"service": "Стирка"}, dedupe_key="k2"
        )
    with pytest.raises(ValueError, match="dedupe_key"):
        notify(
            recipient=user, kind="one_time_code", context={"code": 1, "minutes": 5}, dedupe_key=""
        )
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_channel_the_person_has_no_address_for_is_skipped(cast: Cast) -> None:
    user = reachable(cast.volunteer_user, phone=False)
    preference_set(
        actor=user, user=user, channels=["sms", "email"], quiet_from=None, quiet_until=None
    )
    assert [m.channel for m in assigned(user)] == ["email"]


@pytest.mark.parametrize(
    ("local", "quiet", "ends"),
    [
        (moscow(1, 23, 30), (22, 8), moscow(2, 8)),  # evening part of a night window
        (moscow(2, 6, 0), (22, 8), moscow(2, 8)),  # morning part
        (moscow(2, 12, 0), (22, 8), None),  # daytime
        (moscow(2, 8, 0), (22, 8), None),  # the end itself is no longer quiet
        (moscow(2, 14, 0), (13, 15), moscow(2, 15)),  # an afternoon nap
        (moscow(2, 16, 0), (13, 15), None),
        (moscow(2, 23, 0), None, None),  # no quiet hours at all
    ],
)
def test_quiet_hours_end(
    local: datetime.datetime, quiet: tuple[int, int] | None, ends: datetime.datetime | None
) -> None:
    start, until = (datetime.time(quiet[0]), datetime.time(quiet[1])) if quiet else (None, None)
    at = local.astimezone(UTC)
    assert quiet_hours_end(at=at, quiet_from=start, quiet_until=until, zone=MOSCOW) == ends


@pytest.mark.django_db
def test_a_message_due_in_quiet_hours_waits_until_they_end(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    volunteer = reachable(cast.volunteer_user)  # default quiet hours 22:00–08:00, Moscow
    with time_machine.travel(moscow(1, 23, 30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            [message] = assigned(volunteer)
    assert message.due_at == moscow(2, 8)
    assert [t.task_result.task.run_after for t in deliveries()] == [moscow(2, 8)]


@pytest.mark.django_db
def test_quiet_hours_are_kept_in_the_persons_own_time_zone(cast: Cast) -> None:
    far_east = volunteer_in("25")
    # 15:00 in Moscow, 22:00 in Vladivostok: the Moscow volunteer gets it now, the other
    # one at 08:00 their time.
    with time_machine.travel(moscow(1, 15), tick=False):
        [here] = assigned(reachable(cast.volunteer_user))
        [there] = assigned(far_east)
    assert here.due_at == moscow(1, 15)
    assert there.due_at == datetime.datetime(2026, 6, 2, 8, tzinfo=VLADIVOSTOK)


@pytest.mark.django_db
def test_someone_without_a_region_lives_by_moscow_time(cast: Cast) -> None:
    nobody = reachable(cast.stranger)
    with time_machine.travel(moscow(1, 23), tick=False):
        [message] = assigned(nobody)
    assert message.region is None
    assert message.due_at == moscow(2, 8)


@pytest.mark.django_db
def test_an_urgent_message_to_a_coordinator_goes_out_in_quiet_hours(cast: Cast) -> None:
    coordinator = reachable(cast.coord_a)
    with time_machine.travel(moscow(1, 23, 30), tick=False):
        [urgent] = assigned(coordinator, key="urgent", urgent=True)
        [routine] = assigned(coordinator, key="routine")
    assert urgent.due_at == moscow(1, 23, 30)
    assert routine.due_at == moscow(2, 8)


@pytest.mark.django_db
def test_an_urgent_message_to_a_volunteer_still_waits_for_the_morning(cast: Cast) -> None:
    # "Urgent" wakes staff on duty, not the people they serve.
    with time_machine.travel(moscow(1, 23, 30), tick=False):
        [message] = assigned(reachable(cast.volunteer_user), urgent=True)
    assert message.due_at == moscow(2, 8)


@pytest.mark.django_db
def test_a_sign_in_code_is_sent_at_any_hour(cast: Cast) -> None:
    with time_machine.travel(moscow(1, 3), tick=False):
        [message] = notify(
            recipient=reachable(cast.veteran_user),
            kind="one_time_code",
            context={"code": "493817", "minutes": 10},
            dedupe_key="code:1",
        )
    assert message.due_at == moscow(1, 3)
    assert "493817" in message.body


@pytest.mark.django_db
def test_a_person_chooses_channels_and_quiet_hours_and_the_change_is_audited(
    cast: Cast,
) -> None:
    user = cast.volunteer_user
    preference = preference_set(
        actor=user,
        user=user,
        channels=["telegram", "email", "telegram"],
        quiet_from=datetime.time(23),
        quiet_until=datetime.time(7),
        telegram_chat_id=" 4242 ",
    )
    assert preference.channels == ["telegram", "email"]
    assert preference.telegram_chat_id == "4242"
    event = AuditEvent.objects.get(action="notification_preference.changed")
    assert event.actor == user
    assert event.changes == {
        "channels": [["email"], ["telegram", "email"]],
        "quiet_from": ["22:00:00", "23:00:00"],
        "quiet_until": ["08:00:00", "07:00:00"],
        "telegram_chat_id": [False, True],  # whether one is set; the id itself is not logged
    }


@pytest.mark.django_db
def test_preferences_are_refused_for_someone_else_or_with_unknown_channels(cast: Cast) -> None:
    user = cast.volunteer_user
    with pytest.raises(PermissionDeniedError):
        preference_set(
            actor=cast.coord_b, user=user, channels=["sms"], quiet_from=None, quiet_until=None
        )
    with pytest.raises(ApplicationError) as error:
        preference_set(
            actor=user, user=user, channels=["pigeon"], quiet_from=None, quiet_until=None
        )
    assert error.value.field == "channels"
    with pytest.raises(ApplicationError) as error:
        preference_set(
            actor=user, user=user, channels=["sms"], quiet_from=datetime.time(22), quiet_until=None
        )
    assert error.value.field == "quiet_from"
    assert not Preference.objects.exists()


def test_retries_back_off_exponentially_up_to_a_cap(settings: Any) -> None:
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "BACKOFF_SECONDS": 60,
        "BACKOFF_MAX_SECONDS": 600,
    }
    minutes = [retry_delay(n).total_seconds() / 60 for n in range(1, 7)]
    assert minutes == [1, 2, 4, 8, 10, 10]


@pytest.mark.django_db
def test_a_message_whose_task_was_lost_is_enqueued_again_by_the_requeue_command(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    user = reachable(cast.volunteer_user)
    with time_machine.travel(moscow(1, 12), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=False):
            [message] = assigned(user)  # the process died before its on-commit enqueue
        assert deliveries() == []

        call_command("notifications_requeue", stdout=io.StringIO())
        assert deliveries() == []  # not yet: a task may still be on its way

        clock.move_to(moscow(1, 12, 6))  # more than a lease (five minutes) past due
        out = io.StringIO()
        call_command("notifications_requeue", stdout=out)
    assert out.getvalue().splitlines()[0] == "requeued 1 message(s)"
    assert [t.args_kwargs["kwargs"]["message_id"] for t in deliveries()] == [message.pk]
