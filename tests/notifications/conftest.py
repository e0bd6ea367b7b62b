"""Fake servers, quick retry settings, and the two task backends deliveries are tested on."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command

from ryadom.accounts.models import User
from tests import factories as f
from tests.notifications.fakes import FakeHttpServer, FakeSmtpServer

DELIVER = "ryadom.notifications.tasks.deliver"
REDIS_URL = os.environ.get("RYADOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Deliveries need committed rows (the worker has its own view of the database, and on_commit
# callbacks must run); serialized_rollback brings back the regions the flush removes.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _notification_settings(settings: Any) -> None:
    """Three attempts a minute, two, four apart; a five-minute lease; short network timeouts."""
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "MAX_ATTEMPTS": 3,
        "BACKOFF_SECONDS": 60,
        "BACKOFF_MAX_SECONDS": 3600,
        "LEASE_SECONDS": 300,
        "HTTP_TIMEOUT_SECONDS": 5,
        "QUEUE": "default",
        "URGENT_QUEUE": "urgent",
    }
    # The database backend unless a test asks for Redis, whatever RYADOM_TASKS_BACKEND says.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["urgent", "default"]}
    }
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Рядом <noreply@ryadom.test>"


@pytest.fixture
def smtp(settings: Any) -> Iterator[FakeSmtpServer]:
    server = FakeSmtpServer()
    server.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def gateway(settings: Any) -> Iterator[FakeHttpServer]:
    """One local HTTP server standing in for both the SMS gateway and the Telegram Bot API."""
    server = FakeHttpServer()
    server.start()
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "SMS_GATEWAY_URL": f"{server.url}/sms/send",
        "SMS_GATEWAY_KEY": server.sms_key,
        "TELEGRAM_API_BASE": server.url,
        "TELEGRAM_BOT_TOKEN": server.telegram_token,
    }
    yield server
    server.stop()


def reachable(user: User, *, email: bool = True, phone: bool = True, language: str = "en") -> User:
    """Give a cast member an e-mail address and a phone number; texts are asserted in English
    unless a test asks for Russian."""
    user.email = f"{user.username}@example.org" if email else ""
    user.phone = "+79001234567" if phone else ""
    user.language = language
    user.save(update_fields=["email", "phone", "language"])
    return user


def volunteer_in(code: str, *, language: str = "en") -> User:
    """A reachable volunteer of the region with this code."""
    volunteer = f.VolunteerFactory.create(region=f.region(code))
    return reachable(volunteer.user, language=language)


def _keep_signals(run: Callable[[], object]) -> None:
    """Workers install their own shutdown handlers; give pytest its own back."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {s: signal.getsignal(s) for s in signals}
    try:
        run()
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


@dataclass
class Backend:
    """A task backend and one pass of its real worker: run what is due, then return."""

    name: str
    run_worker: Callable[[], None]
    scheduled: Callable[[], list[Any]]  # run_after of each delivery still waiting


def _database_backend() -> Backend:
    from django_tasks_db.models import DBTaskResult

    def run() -> None:
        _keep_signals(
            lambda: call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--queue-name",
                "*",
                verbosity=0,
            )
        )

    def scheduled() -> list[Any]:
        waiting = DBTaskResult.objects.filter(task_path=DELIVER, status="READY")
        return sorted(t.task_result.task.run_after for t in waiting if t.task_result.task.run_after)

    return Backend("database", run, scheduled)


@pytest.fixture
def redis_backend(settings: Any) -> Iterator[Backend]:
    """The RQ backend on a queue of this test's own, emptied and removed afterwards."""
    import django_rq
    import redis
    from django_tasks.signals import task_enqueued
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError:
        # CI starts Redis (.ci/run), so there a missing server is a failure, never a skip.
        if os.environ.get("CI"):
            raise
        # A developer machine without Redis still runs the database-backend half.
        pytest.skip(f"no Redis at {REDIS_URL}: the RQ-backend variant needs a Redis server")
    queue_name = f"ryadom-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    urgent_name = f"{queue_name}-urgent"
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL} for name in (urgent_name, queue_name)}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [urgent_name, queue_name]}
    }
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "QUEUE": queue_name,
        "URGENT_QUEUE": urgent_name,
    }
    job_ids: list[str] = []
    worker_keys: list[str] = []

    def remember(sender: object, task_result: Any, **kwargs: object) -> None:
        job_ids.append(task_result.id)

    task_enqueued.connect(remember)
    queue = django_rq.get_queue(queue_name, job_class=Job)
    urgent = django_rq.get_queue(urgent_name, job_class=Job)

    def run() -> None:
        # SimpleWorker runs jobs in this process (no fork), on the test's database connection.
        worker = SimpleWorker([urgent, queue], connection=queue.connection, job_class=Job)
        worker_keys.append(worker.key)
        _keep_signals(lambda: worker.work(burst=True, with_scheduler=True, logging_level="WARNING"))

    def scheduled() -> list[Any]:
        registries = [ScheduledJobRegistry(queue=q) for q in (urgent, queue)]
        return sorted(r.get_scheduled_time(i) for r in registries for i in r.get_job_ids())

    yield Backend("redis", run, scheduled)

    task_enqueued.disconnect(remember)
    for job_id in job_ids:
        connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    for key in worker_keys:
        connection.delete(key)
    for key in connection.scan_iter(f"*{queue_name}*"):
        connection.delete(key)
    for name in (urgent_name, queue_name):
        connection.srem("rq:queues", f"rq:queue:{name}")  # RQ's index of known queues
    connection.close()


@pytest.fixture(params=["database", "redis"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each delivery test runs on the database backend and on the Redis (RQ) backend."""
    if request.param == "redis":
        redis_backend: Backend = request.getfixturevalue("redis_backend")
        return redis_backend
    return _database_backend()
