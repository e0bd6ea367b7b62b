"""Large files are checked and imported by a task; the page shows its progress."""

from __future__ import annotations

from django_tasks import task

from ryadom.imports import runner
from ryadom.imports.models import BatchStatus, ImportBatch


@task()
def check_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.CHECKING).first()
    if batch is None:
        return "not waiting"
    return runner.batch_check(batch).status


@task()
def import_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.IMPORTING).first()
    if batch is None:
        return "not waiting"
    return runner.batch_import(batch).status
