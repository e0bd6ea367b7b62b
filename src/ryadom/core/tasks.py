"""Tasks of the service itself."""

from __future__ import annotations

from django_tasks import task


@task()
def ping() -> str:
    """A no-op that shows the worker picks up work (used by the health check's tests)."""
    return "pong"
