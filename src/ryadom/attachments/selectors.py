"""Reads of attachments: only through a request the actor may see and is responsible for."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from ryadom.accounts.models import User
from ryadom.attachments.models import Attachment
from ryadom.attachments.policy import may_handle_files
from ryadom.care.models import CareRequest
from ryadom.care.selectors import request_list
from ryadom.core.errors import NotFoundError
from ryadom.veterans.reads import audited_read


@audited_read("attachment.viewed", lambda a: (a.request.region_id, a.request.veteran_id))
def attachment_get_for_user(
    *, actor: User | AnonymousUser | None, attachment_id: int
) -> Attachment:
    """One attachment, or NotFoundError when missing, not visible, or not the actor's concern."""
    attachment = (
        Attachment.objects.select_related("request__veteran")
        .filter(pk=attachment_id, request__in=request_list(actor=actor).values("pk"))
        .first()
    )
    if attachment is None or not isinstance(actor, User):
        raise NotFoundError("Not found.")
    if not may_handle_files(actor, attachment.request):
        raise NotFoundError("Not found.")
    return attachment


def attachments_of(*, actor: User | AnonymousUser | None, request: CareRequest) -> list[Attachment]:
    """The files of a request the actor already opened; empty when they are not its concern."""
    if not isinstance(actor, User) or not may_handle_files(actor, request):
        return []
    return list(Attachment.objects.filter(request=request))
