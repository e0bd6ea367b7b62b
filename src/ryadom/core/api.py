"""Health of the service: the database answers, the worker keeps up with its queue."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.http import HttpRequest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from ninja import Router, Schema, Status

router = Router(tags=["health"])


class ComponentHealth(Schema):
    ok: bool
    detail: str


class Health(Schema):
    ok: bool
    database: ComponentHealth
    worker: ComponentHealth


def _database() -> ComponentHealth:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as text
        return ComponentHealth(ok=False, detail=f"{type(exc).__name__}: {exc}")
    return ComponentHealth(ok=True, detail=connection.vendor)


def _worker() -> ComponentHealth:
    """The worker is healthy when no task waits longer than it should to be picked up."""
    now = timezone.now()
    waiting = DBTaskResult.objects.ready()
    # A task is due from when it was enqueued, or from its run_after when it was deferred.
    due_since = [
        waiting.filter(run_after=get_date_max()).aggregate(t=Min("enqueued_at"))["t"],
        waiting.exclude(run_after=get_date_max()).aggregate(t=Min("run_after"))["t"],
    ]
    oldest = min((t for t in due_since if t is not None), default=None)
    if oldest is None:
        return ComponentHealth(ok=True, detail="queue empty")
    age = now - oldest
    stale = age > datetime.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS)
    return ComponentHealth(
        ok=not stale,
        detail=f"{waiting.count()} waiting, oldest {int(age.total_seconds())} s",
    )


@router.get("/health", response={200: Health, 503: Health}, summary="Service health")
def health(request: HttpRequest) -> Status[Health]:
    db = _database()
    worker = _worker() if db.ok else ComponentHealth(ok=False, detail="database down")
    body = Health(ok=db.ok and worker.ok, database=db, worker=worker)
    return Status(200 if body.ok else 503, body)
