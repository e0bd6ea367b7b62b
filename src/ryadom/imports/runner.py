"""The work on one uploaded file: the dry run, then the import. Small files are worked on
while the page waits; large ones by a task (tasks.py), which reports its progress on the
batch row as it goes."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ryadom.imports import parsed
from ryadom.imports.base import UNCHANGED, Kind, Outcome, check_table, plan_rows
from ryadom.imports.checks import CheckImport
from ryadom.imports.institutions import InstitutionImport
from ryadom.imports.measures import MeasureImport
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
    "measures": MeasureImport,
    "partner_services": PartnerImport,
}
# Up to this many rows a file is checked and imported while the page waits, in one
# transaction; a larger one goes to a task that commits as it goes and shows progress.
INLINE_ROWS = 2000
# Rows written per transaction by a task: its progress moves with each.
APPLY_CHUNK = {"volunteers": 5000}
DEFAULT_CHUNK = 200
# What a check or an import changes on the batch (its content is never written again).
OUTCOME_FIELDS = ["counts", "problems", "problem_count", "status", "done_rows", "finished_at"]


def _new_kind(batch: ImportBatch) -> Kind:
    kind = KINDS[batch.kind](batch.created_by)
    kind.batch_id = batch.pk
    return kind


def _kind(batch: ImportBatch, table: Table | None = None) -> tuple[Kind, Table]:
    kind = _new_kind(batch)
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
    batch.save(update_fields=[*OUTCOME_FIELDS, "parsed", "message"])


def batch_check(batch: ImportBatch, table: Table | None = None) -> ImportBatch:
    """The dry run: every row planned, nothing written; the batch keeps the report."""
    with translation.override(batch.language):
        kind, table = _kind(batch, table)
        outcome = check_table(kind, table, progress=lambda n: _progress(batch, n))
        status = BatchStatus.FAILED_CHECK if outcome.problem_count else BatchStatus.CHECKED
        if status == BatchStatus.CHECKED:
            batch.parsed = parsed.pack(batch.sha256, outcome.keys, outcome.parsed)
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
            batch.save(update_fields=["status", "message", "finished_at"])
    return batch


def _replan(batch: ImportBatch) -> tuple[Kind, Outcome]:
    """Every row planned again against the database as it is now: from the rows the dry run
    read when they were kept, else (or to report a problem with its cell's value) from
    the file."""
    stored = parsed.unpack(bytes(batch.parsed), batch.sha256)
    if stored is not None:
        kind = _new_kind(batch)
        outcome = plan_rows(kind, *stored)
        if not outcome.problem_count:
            return kind, outcome
    kind, table = _kind(batch)
    return kind, check_table(kind, table)


def _import(batch: ImportBatch) -> None:
    kind, outcome = _replan(batch)
    if outcome.problem_count:
        batch.message = _("The data changed since the check: the file was not imported.")
        batch.parsed = b""
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
    batch.parsed = b""
    _record_outcome(batch, outcome, BatchStatus.DONE)
