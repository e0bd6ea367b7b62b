"""Reminders before a visit, run by the real worker when they fall due (time moves with
time_machine): a day before (volunteer and requester) and an hour before (volunteer); a
moved or cancelled visit does not remind at the old time."""

from __future__ import annotations

import datetime

import time_machine

from ryadom.care.services.coordination import request_cancel
from ryadom.care.services.volunteer_work import request_schedule
from ryadom.notifications.models import MessageStatus
from tests.care.test_deadlines import run_worker
from tests.conftest import Cast
from tests.notifications.conftest import reachable, transactional
from tests.notifications.fakes import FakeSmtpServer
from tests.notifications.journey import ask, assign_and_schedule, next_week_at, told

MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def reminder_kinds(c: Cast) -> list[str]:
    kinds = {"volunteer_reminder_day", "volunteer_reminder_hour", "visit_tomorrow"}
    return sorted(
        m.kind for user in (c.volunteer_user, c.relative) for m in told(user) if m.kind in kinds
    )


@transactional
def test_reminders_come_a_day_and_an_hour_before_the_visit_once_each(
    care_cast: Cast, smtp: FakeSmtpServer
) -> None:
    c = care_cast
    reachable(c.relative)
    reachable(c.volunteer_user)
    starts = next_week_at(15)
    assign_and_schedule(c, ask(c), starts)

    with time_machine.travel(starts - DAY - MINUTE, tick=False) as clock:
        run_worker()
        assert reminder_kinds(c) == []

        clock.move_to(starts - DAY)
        run_worker()
        run_worker()  # a second pass sends nothing new
        assert reminder_kinds(c) == ["visit_tomorrow", "volunteer_reminder_day"]
        [tomorrow] = told(c.relative, "visit_tomorrow")
        assert c.volunteer_user.first_name in tomorrow.body and "15:00" in tomorrow.body
        assert tomorrow.status == MessageStatus.SENT

        clock.move_to(starts - HOUR)
        run_worker()
        assert reminder_kinds(c) == [
            "visit_tomorrow",
            "volunteer_reminder_day",
            "volunteer_reminder_hour",
        ]
    [hour] = told(c.volunteer_user, "volunteer_reminder_hour")
    assert hour.status == MessageStatus.SENT
    assert "15:00 you are helping" in hour.body  # local time, Moscow
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects.count("Your visit tomorrow") == 1
    assert subjects.count("Your visit in an hour") == 1
    assert subjects.count("A visit tomorrow") == 1


@transactional
def test_a_moved_visit_reminds_at_the_new_time_only(care_cast: Cast, smtp: FakeSmtpServer) -> None:
    c = care_cast
    reachable(c.relative)
    reachable(c.volunteer_user)
    first = next_week_at(15)
    request = assign_and_schedule(c, ask(c), first)
    moved = first + DAY + 2 * HOUR  # the next day at 17:00
    request_schedule(actor=c.volunteer_user, request=request, starts=moved, ends=moved + HOUR)

    with time_machine.travel(first - DAY, tick=False) as clock:
        run_worker()
        assert reminder_kinds(c) == []
        clock.move_to(first - HOUR)
        run_worker()
        assert reminder_kinds(c) == []

        clock.move_to(moved - DAY)
        run_worker()
        [day] = told(c.volunteer_user, "volunteer_reminder_day")
        assert "17:00" in day.body
        clock.move_to(moved - HOUR)
        run_worker()
    assert reminder_kinds(c) == [
        "visit_tomorrow",
        "volunteer_reminder_day",
        "volunteer_reminder_hour",
    ]


@transactional
def test_a_cancelled_visit_reminds_nobody(care_cast: Cast, smtp: FakeSmtpServer) -> None:
    c = care_cast
    reachable(c.relative)
    reachable(c.volunteer_user)
    starts = next_week_at(15)
    request = assign_and_schedule(c, ask(c), starts)
    request_cancel(actor=c.coord_a, request=request, reason="Выписан")

    with time_machine.travel(starts - DAY, tick=False) as clock:
        run_worker()
        clock.move_to(starts - HOUR)
        run_worker()
    assert reminder_kinds(c) == []
    [cancelled] = told(c.volunteer_user, "request_cancelled")
    assert cancelled.status == MessageStatus.SENT
