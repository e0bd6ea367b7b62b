"""Files people upload, kept outside the web root and checked by their content."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from ryadom.core.errors import ApplicationError

MAX_SIZE = 5 * 1024 * 1024

# The first bytes of each accepted format; the name and the declared type are not trusted.
MAGIC: list[tuple[bytes, str]] = [
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF-", "pdf"),
]


class PrivateStorage(FileSystemStorage):
    """Under RYADOM_UPLOADS_DIR (else var/uploads), read from the settings on each use; only
    views that check permission hand the files out."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        configured = getattr(settings, "RYADOM_UPLOADS_DIR", None)
        return str(configured or Path(settings.VAR_DIR) / "uploads")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def private_storage() -> Storage:
    return PrivateStorage()


def upload_read(upload: UploadedFile, *, field: str = "file") -> tuple[bytes, str]:
    """The content and kind (jpeg, png, pdf) of a photo or PDF of at most 5 MB, or a refusal."""
    size = upload.size or 0
    if size == 0:
        raise ApplicationError(_("The file is empty."), field=field)
    content = upload.read(MAX_SIZE + 1)
    if len(content) > MAX_SIZE:
        raise ApplicationError(_("The file is larger than 5 MB."), field=field)
    kind = next((k for magic, k in MAGIC if content.startswith(magic)), None)
    if kind is None:
        raise ApplicationError(_("Only photos (JPEG, PNG) and PDF documents."), field=field)
    return content, kind
