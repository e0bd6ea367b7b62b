"""Rollup upkeep. Both tasks are idempotent: each recomputes from the raw tables."""

from __future__ import annotations

from django_tasks import task

from ryadom.analytics import services


@task()
def refresh_request(request_id: int) -> str:
    """Bring one request's fact, its rollup cells and its volunteers up to date."""
    changed = services.request_rollups_refresh(request_id=request_id)
    return "changed" if changed else "unchanged"


@task()
def rebuild_rollups() -> dict[str, int]:
    """The nightly rebuild of every fact, rollup and volunteer snapshot from raw tables."""
    return services.rollups_rebuild()
