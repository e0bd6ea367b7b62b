"""A clean dry run's rows, as read, kept with the batch: the import plans them again
against the database without reading and parsing the file a second time (for 100,000
volunteers that reading is most of the check's time).

Kept as compressed JSON, one list per column: text, numbers, yes/no, dates and lists of
text (a choice, a str, comes back as its plain value, which compares and saves the same).
A kind whose cells read into anything else is not kept, and its import reads the
file again. The packed rows name the file's SHA-256 and a format version; rows of another
file or format are not used.
"""

from __future__ import annotations

import datetime
import json
import zlib
from typing import Any

VERSION = 1
_SCALARS = (str, int, float)  # and their subclasses: bool, a choice
Rows = list[tuple[int, dict[str, Any]]]


def pack(sha256: str, keys: list[str], rows: Rows) -> bytes:
    """The rows, compressed; b"" when a cell holds something JSON would not bring back
    as it was."""
    names = list(rows[0][1]) if rows else []
    columns: dict[str, list[Any]] = {}
    dates: list[str] = []
    for name in names:
        values = [values[name] for _number, values in rows]
        kinds = {type(v) for v in values}
        if kinds <= {datetime.date, type(None)} and datetime.date in kinds:
            values = [v.isoformat() if v is not None else None for v in values]
            dates.append(name)
        elif not all(k is list or _scalar(k) for k in kinds):
            return b""
        elif list in kinds and not all(
            _scalar(type(x)) for v in values if type(v) is list for x in v
        ):
            return b""
        columns[name] = values
    document = {
        "version": VERSION,
        "sha256": sha256,
        "keys": keys,
        "numbers": [number for number, _values in rows],
        "columns": columns,
        "dates": dates,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode(), 1)


def _scalar(kind: type) -> bool:
    return kind is type(None) or issubclass(kind, _SCALARS)


def unpack(data: bytes, sha256: str) -> tuple[list[str], Rows] | None:
    """The file's column keys and its rows as `pack` got them; None when `data` is empty
    or not of this file and format."""
    if not data:
        return None
    document = json.loads(zlib.decompress(data))
    if document.get("version") != VERSION or document.get("sha256") != sha256:
        return None
    columns: dict[str, list[Any]] = document["columns"]
    for name in document["dates"]:
        columns[name] = [
            datetime.date.fromisoformat(v) if v is not None else None for v in columns[name]
        ]
    names = list(columns)
    rows = [
        (number, dict(zip(names, values, strict=True)))
        for number, values in zip(
            document["numbers"], zip(*columns.values(), strict=True), strict=True
        )
    ]
    if not names:
        rows = [(number, {}) for number in document["numbers"]]
    return document["keys"], rows
