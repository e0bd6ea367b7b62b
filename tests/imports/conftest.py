"""Files for the import tests, made the way a coordinator makes them: from the templates."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ryadom.accounts.models import User
from ryadom.imports.report import template_xlsx
from ryadom.imports.runner import KINDS


def xlsx(kind: str, rows: list[dict[str, str]], language: str = "ru") -> bytes:
    return template_xlsx(KINDS[kind].sheet, language, rows)


def csv_bytes(kind: str, rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    sheet = KINDS[kind].sheet
    out = io.StringIO()
    out.write(";".join(c.header("ru") for c in sheet.columns) + "\n")
    for row in rows:
        out.write(";".join(row.get(c.key, "") for c in sheet.columns) + "\n")
    return out.getvalue().encode(encoding)


def upload(
    client: Client, user: User, kind: str, content: bytes, name: str = "data.xlsx"
) -> object:
    client.force_login(user)
    return client.post(
        reverse("imports:start"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )
