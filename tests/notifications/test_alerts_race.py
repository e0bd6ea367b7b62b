"""Alert tasks for different requests running at the same moment keep the daily cap.

Real threads, each with its own database connection, as in tests/care/test_claim_race.py.
The race needs PostgreSQL: on SQLite every write transaction begins with the database's
write lock (transaction_mode=IMMEDIATE), so two alert tasks never overlap there and the test
could not fail whatever the code did.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from ryadom.notifications.alerts import volunteers_alert
from ryadom.notifications.models import Message, VolunteerAlert
from tests.conftest import Cast
from tests.notifications.test_alerts import cleared_volunteers, open_need

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        # SQLite lets one transaction write at a time (BEGIN IMMEDIATE), so the tasks cannot
        # overlap and there is no race to lose; CI runs this on PostgreSQL.
        reason="needs concurrent writers: SQLite runs one write transaction at a time",
    ),
]

ROUNDS = 5
TASKS = 4


@pytest.fixture(autouse=True)
def _one_alert_a_day(settings: Any) -> None:
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "ALERTS_PER_NEED": 5,
        "ALERTS_PER_VOLUNTEER_PER_DAY": 1,
    }


def _at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run every call in its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            with translation.override("en"):
                barrier.wait(timeout=30)
                results[index] = call()
        except BaseException as exc:  # handed to the main thread to assert on
            results[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an alert task is still running"
    return results


def test_alert_tasks_of_several_requests_at_once_tell_each_volunteer_at_most_the_daily_cap(
    care_cast: Cast,
) -> None:
    c = care_cast
    c.volunteer_user.email = "volunteer@example.org"
    c.volunteer_user.save(update_fields=["email"])
    volunteers = [c.volunteer_a, *cleared_volunteers(c, 1)]  # two fit, one alert a day each
    with time_machine.travel(timezone.now(), tick=True) as clock:
        for _round in range(ROUNDS):
            needs = [open_need(c) for _ in range(TASKS)]
            started = timezone.now()

            results = _at_once(
                [lambda pk=need.pk: volunteers_alert(request_id=pk) for need in needs]
            )

            assert not [r for r in results if isinstance(r, BaseException)], results
            today = VolunteerAlert.objects.filter(created_at__gte=started)
            per_volunteer = Counter(today.values_list("volunteer_id", flat=True))
            assert per_volunteer == {v.pk: 1 for v in volunteers}, per_volunteer
            told = Message.objects.filter(kind="volunteer_new_request", created_at__gte=started)
            assert told.count() == len(volunteers)
            clock.shift(datetime.timedelta(hours=24, minutes=1))  # the next day, a fresh cap
