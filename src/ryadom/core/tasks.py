"""Tasks of the service itself, and whether code is running inside a task."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django_tasks import task

_inside_task: ContextVar[bool] = ContextVar("inside_task", default=False)


def in_task() -> bool:
    """Whether this code runs as part of a task a worker is executing (not in a web request):
    an event hook may then do small follow-up work at once rather than enqueue another task,
    which would cost the worker a job of its own."""
    return _inside_task.get()


def task_started(**kwargs: Any) -> None:
    """django-tasks' `task_started` signal: every backend's worker sends it before a task."""
    _inside_task.set(True)


def task_finished(**kwargs: Any) -> None:
    """django-tasks' `task_finished` signal: sent after a task, whether it failed or not."""
    _inside_task.set(False)


@task()
def ping() -> str:
    """A no-op that shows the worker picks up work (used by the health check's tests)."""
    return "pong"
