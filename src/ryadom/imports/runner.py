"""The work on one uploaded file: the dry run, then the import. Small files are worked on
while the page waits; large ones by a task (tasks.py), which reports its progress on the
batch row as it goes."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ryadom.imports.base import UNCHANGED, Kind, Outcome, check_table
from ryadom.imports.checks import CheckImport
from ryadom.imports.institutions import InstitutionImport
from ryadom.imports.models import BatchStatus, ImportBatch
from ryadom.imports.organisations import AgreementImport, OrganisationImport
from ryadom.imports.partners import PartnerImport
from ryadom.imports.reader import Table, read_table
from ryadom.imports.volunteers import VolunteerImport

logger = logging.getLogger(__name__)

KINDS: dict[str, type[Kind]] = {
    "institutions": InstitutionImport,
    "organisations": OrganisationImport,
    "agreements": AgreementImport,
    "volunteers": VolunteerImport,
    "checks": CheckImport,
    "partner_services": PartnerImport,
}
# Up to this many rows a file is checked and imported while the page waits, in one
# transaction; a larger one goes to a task that commits as it goes and shows progress.
INLINE_ROWS = 2000
# Rows written per transaction by a task: its progress moves with each.
APPLY_CHUNK = {"volunteers": 5000}
DEFAULT_CHUNK = 200


def _kind(batch: ImportBatch, table: Table | None = None) -> tuple[Kind, Table]:
    kind = KINDS[batch.kind](batch.created_by)
    kind.batch_id = batch.pk
    return kind, table or read_table(bytes(batch.content), batch.filename, kind.sheet)


def _progress(batch: ImportBatch, done: int) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(done_rows=done)


def _record_outcome(batch: ImportBatch, outcome: Outcome, status: str) -> None:
    batch.counts = outcome.counts()
    batch.problems = outcome.problems
    batch.problem_count = outcome.problem_count
    batch.status = status
    batch.done_rows = batch.total_rows
    batch.finished_at = timezone.now()
    batch.save()


def batch_check(batch: ImportBatch, table: Table | None = None) -> ImportBatch:
    """The dry run: every row planned, nothing written; the batch keeps the report."""
    with translation.override(batch.language):
        kind, table = _kind(batch, table)
        outcome = check_table(kind, table, progress=lambda n: _progress(batch, n))
        status = BatchStatus.FAILED_CHECK if outcome.problem_count else BatchStatus.CHECKED
        _record_outcome(batch, outcome, status)
    return batch


def batch_import(batch: ImportBatch) -> ImportBatch:
    """Import a checked file. It is planned again first: should the database have changed
    since the dry run and a row no longer fit, nothing is written and the report says why."""
    with translation.override(batch.language):
        try:
            _import(batch)
        except Exception as exc:
            logger.exception("import %s stopped", batch.pk)
            batch.status = BatchStatus.FAILED
            batch.message = _(
                "The import stopped (%(error)s). Rows already imported stay; importing the "
                "same file again completes it and leaves those rows unchanged."
            ) % {"error": exc.__class__.__name__}
            batch.finished_at = timezone.now()
            batch.save()
    return batch


def _import(batch: ImportBatch) -> None:
    kind, table = _kind(batch)
    outcome = check_table(kind, table)
    if outcome.problem_count:
        batch.message = _("The data changed since the check: the file was not imported.")
        _record_outcome(batch, outcome, BatchStatus.FAILED_CHECK)
        return
    todo = [p for p in outcome.planned if p.action != UNCHANGED]
    done = len(outcome.planned) - len(todo)
    if batch.total_rows <= INLINE_ROWS:
        with transaction.atomic():
            kind.apply(todo)
    else:
        size = APPLY_CHUNK.get(batch.kind, DEFAULT_CHUNK)
        _progress(batch, done)
        for start in range(0, len(todo), size):
            with transaction.atomic():
                kind.apply(todo[start : start + size])
                _progress(batch, done + min(start + size, len(todo)))
    _record_outcome(batch, outcome, BatchStatus.DONE)
