"""A bad file gets one clear message on the page and changes nothing."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook

from ryadom.imports.models import ImportBatch
from ryadom.institutions.models import Institution
from tests.imports.conftest import csv_bytes, upload, xlsx
from tests.imports.test_imports import HOSPITAL

pytestmark = pytest.mark.django_db


def _book(title: str, rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A valid-looking XLSX whose worksheet unpacks to 60 MB of nothing."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    return out.getvalue()


HEADERS = ["Код учреждения", "Название", "Тип", "Ведомство", "Регион", "Адрес"]
CASES = {
    "wrong sheet": (
        lambda: _book("Лист1", [HEADERS, ["77-1", "Б", "Хоспис", "mod", "77", "ул."]]),
        "data.xlsx",
        "В файле нет листа «Учреждения» (есть: Лист1).",
    ),
    "wrong columns": (
        lambda: "Код;Имя;Что-то\n77-1;Б;В\n".encode(),
        "data.csv",
        "Столбцы не совпадают с шаблоном «Учреждения»",
    ),
    "broken encoding": (
        lambda: csv_bytes("institutions", [HOSPITAL], encoding="cp1251"),
        "data.csv",
        "Файл CSV не в кодировке UTF-8",
    ),
    "formula": (
        lambda: _book("Учреждения", [HEADERS, ["77-1", "=A1&B1", "Хоспис", "mod", "77", "ул."]]),
        "data.xlsx",
        "В ячейке B2 формула.",
    ),
    "50 MB": (
        lambda: xlsx("institutions", [HOSPITAL]) + b"\0" * (50 * 1024 * 1024),
        "data.xlsx",
        "Файл весит 50.0 МБ, а за раз можно импортировать не больше 20 МБ.",
    ),
    "zip bomb": (_zip_bomb, "data.xlsx", "отклонён как небезопасный"),
    "not a spreadsheet": (lambda: b"\xd0\xcf\x11\xe0old excel", "data.xls", "Это не файл XLSX."),
    "headers only": (lambda: xlsx("institutions", []), "data.xlsx", "нет строк с данными"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_gets_one_clear_message(cast: Any, client: Client, case: str) -> None:
    make, name, message = CASES[case]
    response = upload(client, cast.coord_a, "institutions", make(), name=name)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    # One message: the error summary lists it once (and the field repeats it beside itself).
    [summary] = re.findall(
        r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S
    )
    assert summary.count("<li>") == 1 and message in summary
    assert not ImportBatch.objects.exists()
    assert not Institution.objects.exclude(
        pk__in=[cast.institution_a.pk, cast.institution_b.pk]
    ).exists()
