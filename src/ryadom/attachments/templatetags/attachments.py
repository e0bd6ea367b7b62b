from __future__ import annotations

from typing import Any

from django import template

from ryadom.accounts.models import User
from ryadom.attachments.policy import may_handle_files
from ryadom.attachments.selectors import attachments_of
from ryadom.attachments.views import UploadForm
from ryadom.care.models import CareRequest

register = template.Library()


@register.inclusion_tag("attachments/_section.html", takes_context=True)
def attachments_section(context: Any, obj: CareRequest) -> dict[str, Any]:
    """The request's files and the upload form, for those responsible for the request."""
    user = context["request"].user
    allowed = isinstance(user, User) and may_handle_files(user, obj)
    return {
        "obj": obj,
        "allowed": allowed,
        "files": attachments_of(actor=user, request=obj) if allowed else [],
        "form": UploadForm(),
        "csrf_token": context.get("csrf_token"),
    }
