"""Workbooks the pages hand out: the templates (XLSX and CSV, headers in the reader's
language) filled or empty, and the dry run's report with the wrong cells marked."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ryadom.imports.columns import Sheet
from ryadom.imports.models import ImportBatch
from ryadom.imports.reader import read_table
from ryadom.imports.runner import KINDS

WRONG = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
BOLD = Font(bold=True)


def _text_cell(ws: Worksheet, value: object, **style: object) -> WriteOnlyCell:
    """A cell holding text as text: a value starting with "=" never becomes a formula."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_xlsx(sheet: Sheet, language: str, rows: Iterable[dict[str, str]] = ()) -> bytes:
    """The template: the data sheet (headers, and `rows` when filling it) and a sheet that
    says what each column takes."""
    with translation.override(language):
        book = Workbook(write_only=True)
        data = book.create_sheet(sheet.title(language))
        data.append([_text_cell(data, c.header(language), font=BOLD) for c in sheet.columns])
        for row in rows:
            data.append([_text_cell(data, row.get(c.key, "")) for c in sheet.columns])
        help_sheet = book.create_sheet(_("How to fill in"))
        help_sheet.append(
            [
                _text_cell(help_sheet, t, font=BOLD)
                for t in (_("Column"), _("Required"), _("What to write"))
            ]
        )
        for c in sheet.columns:
            help_sheet.append(
                [
                    _text_cell(help_sheet, c.header(language)),
                    _text_cell(help_sheet, _("yes") if c.required else ""),
                    _text_cell(help_sheet, str(c.hint)),
                ]
            )
        return _save(book)


def template_csv(sheet: Sheet, language: str) -> bytes:
    """The empty template as CSV in UTF-8 with a BOM, separated by semicolons (as Excel in
    Russian opens and saves it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header(language) for c in sheet.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def problems_xlsx(batch: ImportBatch) -> bytes:
    """The dry run's report: the list of problems, and the file's rows with each wrong
    cell filled red and its message as the cell's comment."""
    sheet = KINDS[batch.kind].sheet
    language = batch.language
    with translation.override(language):
        book = Workbook(write_only=True)
        listing = book.create_sheet(_("Problems"))
        listing.append(
            [
                _text_cell(listing, t, font=BOLD)
                for t in (_("Row"), _("Column"), _("Value"), _("Problem"))
            ]
        )
        by_cell: dict[tuple[int, str], list[str]] = {}
        for row, column, value, message in batch.problems:
            header = sheet.by_key[column].header(language) if column in sheet.by_key else ""
            listing.append(
                [
                    row,
                    _text_cell(listing, header),
                    _text_cell(listing, value),
                    _text_cell(listing, message),
                ]
            )
            by_cell.setdefault((row, column), []).append(message)
        table = read_table(bytes(batch.content), batch.filename, sheet)
        data = book.create_sheet(sheet.title(language))
        columns = [c for c in sheet.columns if c.key in table.keys]
        data.append(
            [_text_cell(data, c.header(language), font=BOLD) for c in columns]
            + [_text_cell(data, _("Problems with the row"), font=BOLD)]
        )
        wrong_rows = {r for r, _c in by_cell}
        for number, raw in table.rows:
            if number not in wrong_rows:
                continue
            cells = []
            for c in columns:
                cell = _text_cell(data, raw.get(c.key, ""))
                if messages := by_cell.get((number, c.key)):
                    cell.fill = WRONG
                    cell.comment = Comment("\n".join(messages), "Ryadom")
                cells.append(cell)
            row_messages = [m for (r, _c), ms in by_cell.items() if r == number for m in ms]
            data.append(
                [*cells, _text_cell(data, f"{_('Row')} {number}: " + "; ".join(row_messages))]
            )
        return _save(book)
