"""Pages of a veteran's own data: consents, a copy of the data, erasure; and the coordinator's
list of erasure requests. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from ryadom.core.validation import InvalidInput
from ryadom.veterans import selectors, services
from ryadom.veterans.export import veteran_export_data, veteran_export_pdf
from ryadom.veterans.models import ConsentPurpose, DeletionStatus, Veteran

P = ParamSpec("P")
T = TypeVar("T")


def _domain(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """404 for "not found or not yours", 403 for "not allowed"."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _attempt(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Run a service; a refusal goes on the form (by field where the form has it)."""
    try:
        return call()
    except (NotFoundError, PermissionDeniedError):
        raise
    except InvalidInput as exc:
        for field, errors in exc.errors.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return None


def _succeeds(form: forms.Form, call: Callable[[], object]) -> bool:
    """`_attempt` for a page that only needs to know whether the service accepted."""
    return _attempt(form, call) is not None


class GiveConsentForm(forms.Form):
    veteran = forms.IntegerField(widget=forms.HiddenInput)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=ConsentPurpose.choices)


@login_required
@require_GET
@_domain
def consents(request: HttpRequest) -> HttpResponse:
    """Consents of the veteran (and of those a relative acts for): given, withdrawn, to give."""
    actor = _actor(request)
    rows = []
    for veteran in selectors.veterans_acting_for(actor=actor):
        given = list(selectors.consent_list(actor=actor, veteran_id=veteran.pk))
        active = {c.purpose for c in given if c.withdrawn_at is None}
        missing = [(p.value, p.label) for p in ConsentPurpose if p.value not in active]
        rows.append({"veteran": veteran, "consents": given, "missing": missing})
    return render(request, "veterans/consents.html", {"rows": rows})


@login_required
@require_POST
@_domain
def consent_give(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = GiveConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a purpose of consent."))
        return redirect("veterans:consents")
    veteran = selectors.veteran_acting_for_get(actor=actor, veteran_id=form.cleaned_data["veteran"])
    try:
        services.consent_give(actor=actor, veteran=veteran, purpose=form.cleaned_data["purpose"])
    except ApplicationError as exc:
        if isinstance(exc, NotFoundError | PermissionDeniedError):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you. Your consent is recorded."))
    return redirect("veterans:consents")


@login_required
@require_POST
@_domain
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    actor = _actor(request)
    consent = selectors.consent_get_for_subject(actor=actor, consent_id=consent_id)
    try:
        services.consent_withdraw(actor=actor, consent=consent)
    except ApplicationError as exc:
        if isinstance(exc, NotFoundError | PermissionDeniedError):
            raise
        messages.error(request, exc.message)
    else:
        if consent.purpose == ConsentPurpose.CARE:
            messages.success(
                request,
                _(
                    "Your consent is withdrawn. Requests nobody has taken yet are cancelled; "
                    "new requests will not be accepted until you give consent again."
                ),
            )
        else:
            messages.success(request, _("Your consent is withdrawn."))
    return redirect("veterans:consents")


@login_required
@require_GET
@_domain
def my_data(request: HttpRequest) -> HttpResponse:
    """A copy of all my data, and a way to ask for it to be erased."""
    actor = _actor(request)
    rows = [
        {
            "veteran": v,
            "asked": v.deletion_requests.filter(status=DeletionStatus.ASKED).first(),
        }
        for v in selectors.veterans_acting_for(actor=actor)
    ]
    return render(request, "veterans/my_data.html", {"rows": rows})


def _exported(request: HttpRequest, veteran_id: int, kind: str) -> tuple[Veteran, dict[str, Any]]:
    actor = _actor(request)
    veteran = selectors.veteran_acting_for_get(actor=actor, veteran_id=veteran_id)
    audit_record(
        actor=actor,
        action="veteran.exported",
        target=veteran,
        region_id=veteran.home_region_id,
        veteran_id=veteran.pk,
        changes={"format": kind},
    )
    return veteran, veteran_export_data(veteran=veteran)


def _private(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@_domain
def export_json(request: HttpRequest, veteran_id: int) -> HttpResponse:
    veteran, data = _exported(request, veteran_id, "json")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _private(response, f"ryadom-data-{veteran.pk}.json")


@login_required
@require_GET
@_domain
def export_pdf(request: HttpRequest, veteran_id: int) -> HttpResponse:
    veteran, data = _exported(request, veteran_id, "pdf")
    response = HttpResponse(veteran_export_pdf(data=data), content_type="application/pdf")
    return _private(response, f"ryadom-data-{veteran.pk}.pdf")


@login_required
@require_POST
@_domain
def erase_ask(request: HttpRequest, veteran_id: int) -> HttpResponse:
    actor = _actor(request)
    veteran = selectors.veteran_acting_for_get(actor=actor, veteran_id=veteran_id)
    try:
        services.deletion_ask(actor=actor, veteran=veteran)
    except ApplicationError as exc:
        if isinstance(exc, NotFoundError | PermissionDeniedError):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Your request is sent. The coordinator will erase your data and tell you."),
        )
    return redirect("veterans:my_data")


@login_required
@require_GET
@_domain
def deletion_list(request: HttpRequest) -> HttpResponse:
    """The coordinator's list of erasure requests in their scope, waiting ones first."""
    actor = _actor(request)
    if not selectors.is_coordinator(actor):
        raise PermissionDenied
    rows = selectors.deletion_request_list(actor=actor)[:200]
    return render(request, "veterans/deletions.html", {"rows": rows})


@login_required
@require_POST
@_domain
def deletion_execute(request: HttpRequest, deletion_id: int) -> HttpResponse:
    actor = _actor(request)
    deletion = selectors.deletion_request_get_for_coordinator(actor=actor, deletion_id=deletion_id)
    try:
        services.deletion_execute(actor=actor, deletion=deletion)
    except ApplicationError as exc:
        if isinstance(exc, NotFoundError | PermissionDeniedError):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The personal data is erased."))
    return redirect("veterans:deletions")
