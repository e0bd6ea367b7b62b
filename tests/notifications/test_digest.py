"""The coordinators' daily digest: planned by tasks (no cron), one per regional coordinator
at 08:00 of their region, with the new, overdue and waiting requests of their regions."""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.care.models import CareRequest
from ryadom.care.services.coordination import request_triage
from ryadom.notifications.digest import digests_ensure
from ryadom.notifications.models import DigestDay, MessageStatus
from tests import factories as f
from tests.care.test_deadlines import run_worker
from tests.conftest import Cast
from tests.notifications.conftest import reachable, transactional
from tests.notifications.fakes import FakeSmtpServer
from tests.notifications.journey import MOSCOW, ask, next_week_at, told

UTC = datetime.UTC


def plans(day: datetime.date) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path="ryadom.notifications.tasks.digests_plan",
            args_kwargs__kwargs__day=day.isoformat(),
        )
    )


@transactional
def test_each_regional_coordinator_gets_the_digest_at_eight_in_their_region_once(
    care_cast: Cast, smtp: FakeSmtpServer
) -> None:
    c = care_cast
    far_east = f.UserFactory(username="coord_far_east")
    role_assign(
        actor=None, user=far_east, role=Role.REGIONAL_COORDINATOR, scope_id=f.region("25").pk
    )
    for user in (c.coord_a, c.coord_b, far_east, c.federal):
        reachable(user)
    yesterday = next_week_at(10, days=6)  # 10:00 Moscow the day before
    day = yesterday.date() + datetime.timedelta(days=1)

    with time_machine.travel(yesterday, tick=False) as clock:
        waiting = ask(c)
        late = ask(c)
        request_triage(actor=c.coord_a, request=late)
        CareRequest.objects.filter(pk=late.pk).update(
            deadline=yesterday + datetime.timedelta(hours=2)
        )
        digests_ensure()
        call_command("notifications_requeue", stdout=io.StringIO())  # run twice: no harm
        assert len(plans(day)) == 1

        clock.move_to(datetime.datetime.combine(yesterday.date(), datetime.time(12), tzinfo=UTC))
        run_worker()  # plans the day: a digest task per coordinator
        assert DigestDay.objects.get(day=day).dispatched_at is not None
        assert told(far_east, "daily_digest") == []

        # 08:00 in Vladivostok (UTC+10) is 22:00 UTC the evening before.
        clock.move_to(datetime.datetime.combine(day, datetime.time(8), tzinfo=f.region("25").zone))
        run_worker()
        [far] = told(far_east, "daily_digest")
        assert "New requests: 0. Overdue: 0. Waiting for a helper: 0." in far.body
        assert told(c.coord_a, "daily_digest") == []

        clock.move_to(datetime.datetime.combine(day, datetime.time(7, 59), tzinfo=MOSCOW))
        run_worker()
        assert told(c.coord_a, "daily_digest") == []
        clock.move_to(datetime.datetime.combine(day, datetime.time(8), tzinfo=MOSCOW))
        run_worker()
        run_worker()

    [digest] = told(c.coord_a, "daily_digest")
    assert digest.status == MessageStatus.SENT
    assert "New requests: 2. Overdue: 1. Waiting for a helper: 2." in digest.body
    assert digest.subject == f"Requests on {day.day} {day:%B} {day.year}"
    [rostov] = told(c.coord_b, "daily_digest")
    assert "New requests: 0." in rostov.body
    assert told(c.federal, "daily_digest") == []  # federal staff have dashboards
    assert waiting.pk != late.pk
    # The next day is planned by the same chain, once.
    assert DigestDay.objects.filter(day=day + datetime.timedelta(days=1)).count() == 1
    assert len(plans(day + datetime.timedelta(days=1))) == 1
    mailed = [m["To"] for m in smtp.messages if m["Subject"].startswith("Requests on")]
    assert sorted(mailed) == [
        "coord_a@example.org",
        "coord_b@example.org",
        "coord_far_east@example.org",
    ]
