"""Matching runs are solved here, not in the web request that starts them."""

from __future__ import annotations

from django_tasks import task

from ryadom.dispatch import services


@task()
def solve_run(run_id: int) -> str:
    """Solve one queued run; a run already taken by another delivery is left alone."""
    run = services.matching_run_solve(run_id=run_id)
    return run.status if run is not None else "not queued"
