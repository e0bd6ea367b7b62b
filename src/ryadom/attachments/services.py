"""Writes on attachments: checked on the way in, removed with the data they belong to."""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.attachments.models import Attachment, FileKind
from ryadom.attachments.policy import may_handle_files
from ryadom.audit.services import audit_record
from ryadom.care.models import CareRequest
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.veterans.models import Veteran

MAX_SIZE = 5 * 1024 * 1024

# The first bytes of each accepted format; the name and the declared type are not trusted.
MAGIC: list[tuple[bytes, FileKind]] = [
    (b"\xff\xd8\xff", FileKind.JPEG),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
    (b"%PDF-", FileKind.PDF),
]


def sniff(head: bytes) -> FileKind | None:
    """The file's kind by its content, or None when it is none of the accepted ones."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


@transaction.atomic
def attachment_add(*, actor: User, request: CareRequest, upload: UploadedFile) -> Attachment:
    """Attach a photo (JPEG, PNG) or a PDF of at most 5 MB to a request."""
    if not may_handle_files(actor, request):
        raise NotFoundError("Not found.")
    size = upload.size or 0
    if size > MAX_SIZE:
        raise ApplicationError(_("The file is larger than 5 MB."), field="file")
    if size == 0:
        raise ApplicationError(_("The file is empty."), field="file")
    content = upload.read(MAX_SIZE + 1)
    if len(content) > MAX_SIZE:
        raise ApplicationError(_("The file is larger than 5 MB."), field="file")
    kind = sniff(content[:16])
    if kind is None:
        raise ApplicationError(_("Only photos (JPEG, PNG) and PDF documents."), field="file")
    attachment = Attachment(
        request=request,
        uploaded_by=actor,
        kind=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(content), save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="attachment.added",
        target=attachment,
        region_id=request.region_id,
        veteran_id=request.veteran_id,
        changes={"request": request.pk, "kind": kind, "size": len(content)},
    )
    return attachment


def attachments_delete_for_veteran(*, veteran: Veteran, account: User | None) -> int:
    """Remove the files and rows of the attachments of all the veteran's requests
    (anonymisation: subscribed to veterans' `veteran_anonymising`)."""
    removed = 0
    for attachment in Attachment.objects.filter(request__veteran=veteran):
        attachment.file.delete(save=False)
        attachment.delete()
        removed += 1
    return removed
