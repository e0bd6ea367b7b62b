"""Pages of the ward staff: admission, the veteran's page with consent by code, transfer and
discharge, and people asking to be linked to their admission. Thin: parse, call a service
or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.core.pages import attempt, domain_errors
from ryadom.veterans import claims, selectors, services, stays
from ryadom.veterans.forms import (
    AdmissionForm,
    ClaimConfirmForm,
    ConsentCodeForm,
    DischargeForm,
    TransferForm,
)
from ryadom.veterans.models import Veteran
from ryadom.veterans.pages import accepted, actor_of, form_page, told

CLAIM_CODE_KEY = "admission_claim_code"

# A veteran leaves the ward one of two ways, each one form and one service: the form's
# fields are the service's keyword arguments.
MOVES: dict[str, tuple[type[forms.Form], Callable[..., object], Promise]] = {
    "transfer": (
        TransferForm,
        stays.stay_transfer,
        gettext_lazy("The transfer is recorded; open requests moved with them."),
    ),
    "discharge": (DischargeForm, stays.stay_discharge, gettext_lazy("The discharge is recorded.")),
}


def _page(request: HttpRequest, veteran: Veteran, status: int = 200, **bound: Any) -> HttpResponse:
    actor = actor_of(request)
    stay = selectors.current_stay_of(veteran=veteran)
    context = {
        "veteran": veteran,
        "stay": stay,
        "ward_staff": stay is not None and selectors.may_admit(actor, stay.institution),
        "consents": selectors.consent_list(actor=actor, veteran_id=veteran.pk),
        "proxies": selectors.proxies_of_veteran(actor=actor, veteran=veteran),
        "claim_code": request.session.pop(f"{CLAIM_CODE_KEY}:{veteran.pk}", None),
        "code_form": bound.get("code_form") or ConsentCodeForm(),
        "transfer_form": bound.get("transfer_form") or TransferForm(),
        "discharge_form": bound.get("discharge_form") or DischargeForm(),
    }
    return render(request, "veterans/veteran.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def admission_new(request: HttpRequest) -> HttpResponse:
    """Ward staff register an admission from a phone: name, ward, date, consent."""
    actor = actor_of(request)
    form = AdmissionForm(request.POST or None, request.FILES or None, actor=actor)
    if not form.places:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        done = attempt(form, lambda: services.admission_register(actor=actor, **form.values()))
        if done is not None:
            request.session[f"{CLAIM_CODE_KEY}:{done.veteran.pk}"] = done.claim_code
            messages.success(request, _("The admission is registered."))
            return redirect("veterans:veteran", veteran_id=done.veteran.pk)
    return form_page(request, "veterans/admission_new.html", form)


@login_required
@domain_errors
def veteran_page(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """The veteran's page for staff: stay, consents, relatives; transfer and discharge."""
    veteran = selectors.veteran_get_for_user(actor=actor_of(request), veteran_id=veteran_id)
    return _page(request, veteran)


@login_required
@require_POST
@domain_errors
def consent_by_code(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """The code the veteran received confirms their consent to arranging help."""
    actor = actor_of(request)
    veteran = selectors.veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    form = ConsentCodeForm(request.POST)
    if accepted(
        form,
        lambda: services.consent_confirm_by_code(
            actor=actor, veteran=veteran, code=form.cleaned_data["code"]
        ),
    ):
        messages.success(request, _("The veteran's consent is recorded."))
        return redirect("veterans:veteran", veteran_id=veteran.pk)
    return _page(request, veteran, status=400, code_form=form)


@login_required
@require_POST
@domain_errors
def consent_code_resend(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """Another consent code to the veteran's phone (the first was lost or expired)."""
    actor = actor_of(request)
    veteran = selectors.veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    told(
        request,
        lambda: services.consent_code_resend(actor=actor, veteran=veteran),
        _("A new code is sent to the veteran's phone."),
    )
    return redirect("veterans:veteran", veteran_id=veteran.pk)


def _after_move(request: HttpRequest, veteran: Veteran) -> HttpResponse:
    """Back to the veteran's page, or to the queue when they have left the actor's sight."""
    if selectors.veteran_list(actor=actor_of(request)).filter(pk=veteran.pk).exists():
        return redirect("veterans:veteran", veteran_id=veteran.pk)
    return redirect("care:queue")


@login_required
@require_POST
@domain_errors
def stay_move(request: HttpRequest, veteran_id: int, move: str) -> HttpResponse:
    """Transfer (open requests follow) or discharge (requests not under way are cancelled)."""
    actor = actor_of(request)
    veteran = selectors.veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    form_class, service, done = MOVES[move]
    form = form_class(request.POST)
    if accepted(form, lambda: service(actor=actor, veteran=veteran, **form.cleaned_data)):
        messages.success(request, str(done))
        return _after_move(request, veteran)
    return _page(request, veteran, status=400, **{f"{move}_form": form})


# --- people asking to be linked to their admission -----------------------------------------


def _claims_page(
    request: HttpRequest, status: int = 200, bound: ClaimConfirmForm | None = None
) -> HttpResponse:
    actor = actor_of(request)
    if not selectors.is_ward_staff(actor):
        raise PermissionDenied
    cards = [
        bound if bound is not None and bound.claim.pk == claim.pk else ClaimConfirmForm(claim=claim)
        for claim in selectors.admission_claims_waiting(actor=actor)[:100]
    ]
    return render(request, "veterans/admission_claims.html", {"forms": cards}, status=status)


@login_required
@require_GET
@domain_errors
def admission_claims(request: HttpRequest) -> HttpResponse:
    """Ward staff: people asking to be matched to their admission; confirm or refuse each."""
    return _claims_page(request)


@login_required
@require_POST
@domain_errors
def admission_claim_confirm(request: HttpRequest, claim_id: int) -> HttpResponse:
    """This person is our patient: their account becomes the patient's own."""
    actor = actor_of(request)
    claim = selectors.admission_claim_get_for_staff(actor=actor, claim_id=claim_id)
    form = ClaimConfirmForm(request.POST, claim=claim)
    if accepted(
        form,
        lambda: claims.admission_claim_confirm(
            actor=actor, claim=claim, veteran=form.cleaned_data["veteran"]
        ),
    ):
        messages.success(request, _("Confirmed. The patient can now ask for help; they are told."))
        return redirect("veterans:admission_claims")
    return _claims_page(request, status=400, bound=form)


@login_required
@require_POST
@domain_errors
def admission_claim_refuse(request: HttpRequest, claim_id: int) -> HttpResponse:
    """No patient of ours is this person: they are told plainly."""
    actor = actor_of(request)
    claim = selectors.admission_claim_get_for_staff(actor=actor, claim_id=claim_id)
    told(
        request,
        lambda: claims.admission_claim_refuse(actor=actor, claim=claim),
        _("Refused. The person is told."),
    )
    return redirect("veterans:admission_claims")
