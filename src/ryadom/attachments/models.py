"""Files on a care request (photos of receipts, documents), kept outside the web root."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.care.models import CareRequest


class PrivateStorage(FileSystemStorage):
    """Uploads live under var/, never under STATIC_ROOT: only a view that checks permission
    hands them out (whitenoise and the static files finder never see them). The directory is
    read from the settings on each use, so it follows RYADOM_UPLOADS_DIR wherever it is set."""

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


class FileKind(models.TextChoices):
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    PDF = "pdf", "PDF"


CONTENT_TYPES = {
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.PDF: "application/pdf",
}


class Attachment(models.Model):
    """One file on one request. The stored name is random: a person's file name is theirs."""

    request = models.ForeignKey(
        CareRequest,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("request"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="requests/%Y/%m/")
    kind = models.CharField(_("type"), max_length=10, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["request", "created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[FileKind(self.kind)]
