"""The inspection export as CSV lines, streamed: no spreadsheet formula ever handed over."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

from ryadom.audit.models import AuditEvent

CSV_HEADER = [
    "when",
    "actor",
    "action",
    "object_type",
    "object_id",
    "region_id",
    "veteran_id",
    "ip",
]


def _cell(value: object) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: never hand one over.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The header, then one line per event, read from the database in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for e in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(e.created_at.isoformat()),
                _cell(e.actor.username if e.actor else ""),
                _cell(e.action),
                _cell(e.target_type),
                _cell(e.target_id),
                _cell(e.region_id),
                _cell(e.veteran_id),
                _cell(e.ip),
            ]
        )
