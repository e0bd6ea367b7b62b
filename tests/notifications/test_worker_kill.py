"""A real worker process killed while the mail server holds its message loses nothing, and after a
restart the message arrives exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import pytest
from django.db import connection

from ryadom.notifications.models import Message, MessageStatus
from ryadom.notifications.services import notify, preference_set
from tests.conftest import Cast
from tests.notifications.conftest import reachable, transactional
from tests.notifications.fakes import FakeSmtpServer

RYADOM = Path(sys.executable).with_name("ryadom")
LEASE_SECONDS = 1  # short, so the restarted worker need not wait long to take over


def database_url() -> str:
    """The test database, for a worker process of its own."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # the test database is a file (see settings)
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def start_worker(env: dict[str, str], log: IO[Any]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [str(RYADOM), "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


# A worker process starts Django from scratch; on a machine busy with a parallel suite that
# has taken over 30 seconds. The waits are bounds, not sleeps: a quick start returns at once.
STARTUP_BOUND = 120


def wait_for(condition: Callable[[], bool], what: str, timeout: float = STARTUP_BOUND) -> None:
    """Poll a condition another process makes true (time_machine cannot reach it)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def status_of(message: Message) -> str:
    message.refresh_from_db()
    return message.status


@transactional
@pytest.mark.parametrize(
    "relay_kept_it", [True, False], ids=["after-the-relay-kept-it", "before-the-relay-kept-it"]
)
def test_a_worker_killed_while_sending_loses_nothing_and_the_message_arrives_once(
    smtp: FakeSmtpServer, cast: Cast, settings: Any, tmp_path: Path, relay_kept_it: bool
) -> None:
    # The worst moment: the relay has the message (or not yet) and has not answered.
    smtp.hang_next = 1
    smtp.hang_before_keeping = not relay_kept_it
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "RYADOM_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "RYADOM_EMAIL_HOST": "127.0.0.1",
        "RYADOM_EMAIL_PORT": str(smtp.port),
        "RYADOM_EMAIL_TIMEOUT": "60",  # the first worker must still be waiting when killed
        "RYADOM_EMAIL_FROM": settings.DEFAULT_FROM_EMAIL,
        "RYADOM_NOTIFICATIONS_LEASE": str(LEASE_SECONDS),
        "RYADOM_NOTIFICATIONS_QUEUE": "default",
        "RYADOM_LOG_LEVEL": "WARNING",
    }
    user = reachable(cast.volunteer_user)
    # Real time runs in the worker: no quiet hours, so the message is due now.
    preference_set(actor=user, user=user, channels=["email"], quiet_from=None, quiet_until=None)
    [message] = notify(
        recipient=user,
        kind="request_cancelled",
        context={"number": 7, "service": "Стирка"},
        dedupe_key="request:7:cancelled",
    )

    with (tmp_path / "worker.log").open("w") as log:
        worker = start_worker(env, log)
        try:
            assert smtp.hanging.wait(STARTUP_BOUND), "the worker never reached the mail server"
            worker.kill()  # SIGKILL: no cleanup, no "finally"
            worker.wait(10)

            assert status_of(message) == MessageStatus.SENDING  # claimed, never marked sent
            assert len(smtp.deliveries) == (1 if relay_kept_it else 0)
            smtp.release()

            worker = start_worker(env, log)
            wait_for(lambda: status_of(message) == MessageStatus.SENT, "the message to be sent")
        finally:
            worker.terminate()
            worker.wait(10)

    message.refresh_from_db()
    assert message.attempts == 2
    # What the recipient sees: one message. When the relay already had it, the resend
    # carried the same Message-ID and was dropped as a copy.
    assert [str(m["Message-ID"]) for m in smtp.messages] == [f"<{message.uid}@ryadom.test>"]
    assert len(smtp.deliveries) == (2 if relay_kept_it else 1)
