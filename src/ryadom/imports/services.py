"""Uploading a file for import and confirming it: who may, and what happens when."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.accounts.scopes import scope_of
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.imports import runner, tasks
from ryadom.imports.models import BatchStatus, ImportBatch
from ryadom.imports.reader import BadFile, read_table, size_check


def kinds_for(actor: User) -> list[str]:
    """The kinds of file the actor may import, in the order a region brings them."""
    scope = scope_of(actor)
    return [name for name, kind in runner.KINDS.items() if kind.may_import(scope)]


def batch_upload(
    *, actor: User, kind: str, filename: str, content: bytes, size: int | None = None
) -> ImportBatch:
    """Take a file and run its dry run (by a task when it is large). A bad file is refused
    whole, with one message, and nothing is kept of it."""
    if kind not in runner.KINDS:
        raise ApplicationError(_("Choose what the file holds."), field="kind")
    if kind not in kinds_for(actor):
        raise PermissionDeniedError(_("You may not import this kind of data."))
    size_check(len(content) if size is None else size)
    table = read_table(content, filename, runner.KINDS[kind].sheet)
    if not table.rows:
        raise BadFile(_("The file has the template's columns but no rows of data."))
    language = "en" if (get_language() or "ru").startswith("en") else "ru"
    batch = ImportBatch.objects.create(
        kind=kind,
        created_by=actor,
        language=language,
        filename=filename[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        total_rows=len(table.rows),
    )
    if batch.total_rows <= runner.INLINE_ROWS:
        return runner.batch_check(batch, table)
    transaction.on_commit(lambda: tasks.check_batch.enqueue(batch_id=batch.pk), robust=True)
    return batch


def batch_confirm(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Import a file whose dry run found nothing wrong; once."""
    if batch.created_by_id != actor.pk:
        raise PermissionDeniedError(_("Only who uploaded the file confirms its import."))
    moved = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.CHECKED).update(
        status=BatchStatus.IMPORTING, done_rows=0
    )
    if moved != 1:
        raise ConflictError(_("Only a file whose check found no errors is imported, and once."))
    batch.refresh_from_db()
    if batch.total_rows <= runner.INLINE_ROWS:
        return runner.batch_import(batch)
    transaction.on_commit(lambda: tasks.import_batch.enqueue(batch_id=batch.pk), robust=True)
    return batch
