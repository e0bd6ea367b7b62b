"""Upload a file to a request; download it through the same permission check."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ryadom.accounts.models import User
from ryadom.attachments.selectors import attachment_get_for_user
from ryadom.attachments.services import attachment_add
from ryadom.care.selectors import request_get_for_user
from ryadom.core.errors import NotFoundError
from ryadom.core.pages import attempt, domain_errors, errors_text


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Photo of a receipt or a document (JPEG, PNG or PDF, up to 5 MB)")
    )


@login_required
@require_POST
@domain_errors
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to a request; the reason for a refusal is shown on the request's page."""
    actor = cast(User, request.user)
    obj = request_get_for_user(actor=actor, request_id=pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        attempt(form, lambda: attachment_add(actor=actor, request=obj, upload=file))
    if form.errors:
        messages.error(request, errors_text(form))
    else:
        messages.success(request, _("The file is attached."))
    return redirect("care:request_detail", pk)


@login_required
@require_GET
def download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """The file itself, to those who may see it; never cached by shared caches."""
    try:
        attachment = attachment_get_for_user(actor=request.user, attachment_id=attachment_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.kind == "pdf",
        filename=f"request-{attachment.request_id}-{attachment.pk}.{attachment.kind}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
