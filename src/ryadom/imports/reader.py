"""Reading an uploaded XLSX or CSV into rows of text, refusing a bad file as a whole.

A file is refused with one message, before anything is checked row by row: too large, not
XLSX or CSV, a zip that would unpack to far more than it weighs, no sheet of the expected
name, headers that are not the template's, a formula in a cell, a CSV not in UTF-8.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext as _

from ryadom.core.errors import ApplicationError
from ryadom.imports import xlsx
from ryadom.imports.columns import Sheet, current, fold

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
# An XLSX is a zip: what it unpacks to is bounded in total and in ratio to its size.
MAX_UNPACKED = 400 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 200

Row = tuple[int, dict[str, str]]  # (row number as the spreadsheet shows it, key -> text)


@dataclass
class Table:
    keys: list[str]  # the template's column keys, in the file's order
    rows: list[Row]


class BadFile(ApplicationError):
    """The file as a whole cannot be imported; nothing was read from it."""


def size_check(size: int) -> None:
    """Refuse a file over MAX_BYTES before reading it."""
    if size > MAX_BYTES:
        raise BadFile(
            _("The file is %(size)s MB; at most %(max)d MB can be imported at once. Split it.")
            % {"size": f"{size / 1024 / 1024:.1f}", "max": MAX_BYTES // 1024 // 1024}
        )


def read_table(content: bytes, filename: str, sheet: Sheet) -> Table:
    """The rows of the file, or BadFile with one clear message."""
    size_check(len(content))
    if not content:
        raise BadFile(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        return _xlsx(content, sheet)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")) or content.startswith(
        b"\xd0\xcf\x11\xe0"
    ):
        raise BadFile(_("This is not an XLSX file. Save it as “Excel workbook (.xlsx)” or CSV."))
    return _csv(content, sheet)


def _zip_guard(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise BadFile(_("The XLSX file is damaged: it cannot be opened.")) from None
    members = archive.infolist()
    unpacked = sum(m.file_size for m in members)
    ratio_bad = any(
        m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED or ratio_bad:
        raise BadFile(
            _(
                "The XLSX file would unpack to far more than it weighs (%(size)s MB): it is "
                "refused as unsafe. Save the data again from your spreadsheet program."
            )
            % {"size": f"{unpacked / 1024 / 1024:.0f}"}
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise BadFile(_("The XLSX file is damaged: it has no workbook inside."))


def _xlsx(content: bytes, sheet: Sheet) -> Table:
    _zip_guard(content)
    archive = zipfile.ZipFile(io.BytesIO(content))
    try:
        names = xlsx.sheet_names(archive)
        titles = sheet.titles()
        found = next((n for n in names if fold(n) in titles), None)
        if found is None:
            raise BadFile(
                _("There is no sheet “%(name)s” in the file (it has: %(sheets)s).")
                % {"name": sheet.title(current()), "sheets": ", ".join(names)}
            )
        lines = iter(xlsx.rows(archive, names[found]))
    except xlsx.FormulaFound as exc:
        raise BadFile(
            _(
                "Cell %(cell)s holds a formula. Formulas are not imported: copy the sheet and "
                "paste values only."
            )
            % {"cell": exc.cell}
        ) from None
    except (KeyError, ValueError, expat.ExpatError, zipfile.BadZipFile):
        raise BadFile(_("The XLSX file is damaged: it cannot be opened.")) from None
    first = next(lines, None)
    if first is None or first[0] != 1:
        raise BadFile(_("The sheet “%(name)s” has no headers in its first row.") % {"name": found})
    keys = _header_keys(first[1], sheet)
    rows: list[Row] = []
    for number, texts in lines:
        _add_row(rows, number, keys, texts[: len(keys)])
    return Table(keys=[k for k in keys if k], rows=rows)


def _csv(content: bytes, sheet: Sheet) -> Table:
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(
            _(
                "The CSV file is not in UTF-8 (a broken character at byte %(at)d). Save it as "
                "“CSV UTF-8” and try again."
            )
            % {"at": exc.start}
        ) from None
    first = decoded.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        lines = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise BadFile(_("The CSV file is damaged: %(error)s.") % {"error": exc}) from None
    if not lines:
        raise BadFile(_("The file is empty."))
    keys = _header_keys([c.strip() for c in lines[0]], sheet)
    rows: list[Row] = []
    for number, cells in enumerate(lines[1:], 2):
        _add_row(rows, number, keys, [c.strip() for c in cells[: len(keys)]])
    return Table(keys=[k for k in keys if k], rows=rows)


def _add_row(rows: list[Row], number: int, keys: list[str], texts: list[str]) -> None:
    if not any(texts):
        return  # blank lines between blocks of data are not rows
    if len(rows) >= MAX_ROWS:
        raise BadFile(
            _("The file has more than %(max)s rows; split it into parts.")
            % {"max": f"{MAX_ROWS:,}".replace(",", " ")}
        )
    rows.append((number, {k: t for k, t in zip(keys, texts, strict=False) if k}))


def _header_keys(headers: list[str], sheet: Sheet) -> list[str]:
    """The column key under each header ("" for blank trailing headers); refuses unknown,
    repeated or missing required columns."""
    while headers and not headers[-1]:
        headers.pop()
    by_header = {h: c.key for c in sheet.columns for h in c.headers()}
    keys = [by_header.get(fold(h), "") for h in headers]
    unknown = [f"«{h}»" for h, k in zip(headers, keys, strict=True) if not k]
    repeated = sorted({k for k in keys if k and keys.count(k) > 1})
    missing = [c.header(current()) for c in sheet.columns if c.required and c.key not in keys]
    if unknown or repeated or missing:
        parts = []
        if unknown:
            parts.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
        if repeated:
            names = ", ".join(sheet.by_key[k].header(current()) for k in repeated)
            parts.append(_("repeated columns: %(names)s") % {"names": names})
        if missing:
            parts.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        raise BadFile(
            _(
                "The columns are not those of the template “%(sheet)s” (%(problems)s). "
                "Download the template and copy the data into it."
            )
            % {"sheet": sheet.title(current()), "problems": "; ".join(parts)}
        )
    return keys
