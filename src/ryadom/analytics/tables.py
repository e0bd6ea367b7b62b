"""Tables: what every chart shows, readable without the chart, and exportable."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.safestring import SafeString

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
Cell = str | int | float | None


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: SafeString | None = None
    note: str = ""


def fmt(value: Cell) -> str:
    """How a cell reads on a page: shares as percentages are made by the caller."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows([["" if c is None else c for c in row] for row in table.rows])
    # A byte-order mark, so that spreadsheet programs read Cyrillic as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        # Sheet titles: at most 31 characters, none of []:*?/\
        name = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or table.slug
        sheet = book.create_sheet(name)
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        for column, header in zip(sheet.columns, table.headers, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = max(12, len(header) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(title: str, subtitle: str, tables: list[Table]) -> bytes:
    """A plain report: the title, then each table (landscape A4, DejaVu Sans for Cyrillic)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
    for table in tables:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(text_align="LEFT", first_row_as_headings=True) as grid:
            for row in [table.headers, *([fmt(c) for c in r] for r in table.rows)]:
                line = grid.row()
                for cell in row:
                    line.cell(str(cell))
        if table.note:
            pdf.set_font("DejaVu", "", 8)
            pdf.multi_cell(0, 5, table.note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_response(
    kind: str, title: str, subtitle: str, tables: list[Table], filename: str
) -> Any:
    """A whole report as one file (`kind` "pdf" or "xlsx"), with its title on the PDF."""
    from django.http import HttpResponse

    if kind == "pdf":
        response = HttpResponse(to_pdf(title, subtitle, tables), content_type="application/pdf")
    else:
        response = HttpResponse(to_xlsx(tables), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response


def export_response(tables: list[Table], slug: str, kind: str, filename: str) -> Any:
    """The HTTP answer for `?export=<slug>&format=csv|xlsx` (slug "all": every table)."""
    from django.http import Http404, HttpResponse

    chosen = tables if slug == "all" else [t for t in tables if t.slug == slug]
    if not chosen or kind not in ("csv", "xlsx") or (kind == "csv" and len(chosen) != 1):
        raise Http404("export")
    if kind == "csv":
        response = HttpResponse(to_csv(chosen[0]), content_type="text/csv; charset=utf-8")
        name = f"{filename}-{chosen[0].slug}.csv"
    else:
        response = HttpResponse(to_xlsx(chosen), content_type=XLSX)
        name = f"{filename}-{slug}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
