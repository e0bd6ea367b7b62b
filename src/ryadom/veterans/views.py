"""Pages of a veteran's own data: consents, "what matters to me", a copy of the data,
erasure; and the coordinator's list of erasure requests. Thin: parse, call a service or
selector, render."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.audit.services import audit_record
from ryadom.core.pages import domain_errors
from ryadom.veterans import consent, erasure, selectors
from ryadom.veterans.export import veteran_export_data, veteran_export_pdf
from ryadom.veterans.forms import WhatMattersForm
from ryadom.veterans.models import ConsentPurpose, DeletionStatus, Veteran
from ryadom.veterans.pages import accepted, actor_of, form_page, told

CARE_WITHDRAWN = gettext_lazy(
    "Your consent is withdrawn. Requests nobody has taken yet are cancelled; "
    "new requests will not be accepted until you give consent again."
)


class GiveConsentForm(forms.Form):
    veteran = forms.IntegerField(widget=forms.HiddenInput)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=ConsentPurpose.choices)


@login_required
@require_GET
@domain_errors
def consents(request: HttpRequest) -> HttpResponse:
    """Consents of the veteran (and of those a relative acts for): given, withdrawn, to give."""
    actor = actor_of(request)
    rows = []
    for veteran in selectors.veterans_acting_for(actor=actor):
        given = list(selectors.consent_list(actor=actor, veteran_id=veteran.pk))
        active = {c.purpose for c in given if c.withdrawn_at is None}
        missing = [(p.value, p.label) for p in ConsentPurpose if p.value not in active]
        rows.append({"veteran": veteran, "consents": given, "missing": missing})
    return render(request, "veterans/consents.html", {"rows": rows})


@login_required
@require_POST
@domain_errors
def consent_give(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = GiveConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a purpose of consent."))
        return redirect("veterans:consents")
    veteran = selectors.veteran_acting_for_get(actor=actor, veteran_id=form.cleaned_data["veteran"])
    purpose = form.cleaned_data["purpose"]
    given = _("Thank you. Your consent is recorded.")
    told(
        request, lambda: consent.consent_give(actor=actor, veteran=veteran, purpose=purpose), given
    )
    return redirect("veterans:consents")


@login_required
@require_POST
@domain_errors
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    actor = actor_of(request)
    given = selectors.consent_get_for_subject(actor=actor, consent_id=consent_id)
    care = given.purpose == ConsentPurpose.CARE
    done = str(CARE_WITHDRAWN) if care else _("Your consent is withdrawn.")
    told(request, lambda: consent.consent_withdraw(actor=actor, consent=given), done)
    return redirect("veterans:consents")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def what_matters(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """What matters to the veteran; by them, a relative acting for them, or a coordinator."""
    actor = actor_of(request)
    veteran = selectors.veteran_for_what_matters(actor=actor, veteran_id=veteran_id)
    form = WhatMattersForm.of(veteran, request.POST or None)
    if accepted(
        form,
        lambda: consent.what_matters_update(actor=actor, veteran=veteran, **form.cleaned_data),
    ):
        messages.success(request, _("Saved. Thank you."))
        return redirect("veterans:what_matters", veteran_id=veteran.pk)
    return form_page(request, "veterans/what_matters.html", form, veteran=veteran)


@login_required
@require_GET
@domain_errors
def my_data(request: HttpRequest) -> HttpResponse:
    """A copy of all my data, and a way to ask for it to be erased."""
    actor = actor_of(request)
    rows = [
        {
            "veteran": v,
            "asked": v.deletion_requests.filter(status=DeletionStatus.ASKED).first(),
        }
        for v in selectors.veterans_acting_for(actor=actor)
    ]
    return render(request, "veterans/my_data.html", {"rows": rows})


def _exported(request: HttpRequest, veteran_id: int, kind: str) -> tuple[Veteran, dict[str, Any]]:
    actor = actor_of(request)
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
@domain_errors
def export_json(request: HttpRequest, veteran_id: int) -> HttpResponse:
    veteran, data = _exported(request, veteran_id, "json")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _private(response, f"ryadom-data-{veteran.pk}.json")


@login_required
@require_GET
@domain_errors
def export_pdf(request: HttpRequest, veteran_id: int) -> HttpResponse:
    veteran, data = _exported(request, veteran_id, "pdf")
    response = HttpResponse(veteran_export_pdf(data=data), content_type="application/pdf")
    return _private(response, f"ryadom-data-{veteran.pk}.pdf")


@login_required
@require_POST
@domain_errors
def erase_ask(request: HttpRequest, veteran_id: int) -> HttpResponse:
    actor = actor_of(request)
    veteran = selectors.veteran_acting_for_get(actor=actor, veteran_id=veteran_id)
    told(
        request,
        lambda: erasure.deletion_ask(actor=actor, veteran=veteran),
        _("Your request is sent. The coordinator will erase your data and tell you."),
    )
    return redirect("veterans:my_data")


@login_required
@require_GET
@domain_errors
def deletion_list(request: HttpRequest) -> HttpResponse:
    """The coordinator's list of erasure requests in their scope, waiting ones first."""
    actor = actor_of(request)
    if not selectors.is_coordinator(actor):
        raise PermissionDenied
    rows = selectors.deletion_request_list(actor=actor)[:200]
    return render(request, "veterans/deletions.html", {"rows": rows})


@login_required
@require_POST
@domain_errors
def deletion_execute(request: HttpRequest, deletion_id: int) -> HttpResponse:
    actor = actor_of(request)
    deletion = selectors.deletion_request_get_for_coordinator(actor=actor, deletion_id=deletion_id)
    done = _("The personal data is erased.")
    told(request, lambda: erasure.deletion_execute(actor=actor, deletion=deletion), done)
    return redirect("veterans:deletions")
