"""Pages of admission, transfer and discharge on the ward, of signing up as a veteran or a
relative, and of "what matters to me". Thin: parse, call a service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from ryadom.veterans import selectors, services, signup
from ryadom.veterans.forms import (
    AdmissionForm,
    ClaimAskForm,
    ClaimConfirmForm,
    ClaimForm,
    ConsentCodeForm,
    DischargeForm,
    RelativeAskForm,
    TransferForm,
    WhatMattersForm,
)
from ryadom.veterans.models import Veteran
from ryadom.veterans.views import _actor, _attempt, _domain, _succeeds

CLAIM_CODE_KEY = "admission_claim_code"


def _page(request: HttpRequest, veteran: Veteran, status: int = 200, **forms: Any) -> HttpResponse:
    actor = _actor(request)
    stay = selectors.current_stay_of(veteran=veteran)
    context = {
        "veteran": veteran,
        "stay": stay,
        "ward_staff": stay is not None and selectors.may_admit(actor, stay.institution),
        "consents": selectors.consent_list(actor=actor, veteran_id=veteran.pk),
        "proxies": selectors.proxies_of_veteran(actor=actor, veteran=veteran),
        "claim_code": request.session.pop(f"{CLAIM_CODE_KEY}:{veteran.pk}", None),
        "code_form": forms.get("code_form") or ConsentCodeForm(),
        "transfer_form": forms.get("transfer_form") or TransferForm(),
        "discharge_form": forms.get("discharge_form") or DischargeForm(),
    }
    return render(request, "veterans/veteran.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@_domain
def admission_new(request: HttpRequest) -> HttpResponse:
    """Ward staff register an admission from a phone: name, ward, date, consent."""
    actor = _actor(request)
    form = AdmissionForm(request.POST or None, request.FILES or None, actor=actor)
    if not form.places:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        done = _attempt(form, lambda: services.admission_register(actor=actor, **form.values()))
        if done is not None:
            request.session[f"{CLAIM_CODE_KEY}:{done.veteran.pk}"] = done.claim_code
            messages.success(request, _("The admission is registered."))
            return redirect("veterans:veteran", veteran_id=done.veteran.pk)
    status = 400 if form.errors else 200
    return render(request, "veterans/admission_new.html", {"form": form}, status=status)


@login_required
@_domain
def veteran_page(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """The veteran's page for staff: stay, consents, relatives; transfer and discharge."""
    veteran = selectors.veteran_get_for_user(actor=_actor(request), veteran_id=veteran_id)
    return _page(request, veteran)


@login_required
@require_POST
@_domain
def consent_by_code(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """The code the veteran received confirms their consent to arranging help."""
    actor = _actor(request)
    veteran = selectors.veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    form = ConsentCodeForm(request.POST)
    if form.is_valid() and _succeeds(
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
@_domain
def consent_code_resend(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """Another consent code to the veteran's phone (the first was lost or expired)."""
    actor = _actor(request)
    veteran = selectors.veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    _told(
        request,
        lambda: services.consent_code_resend(actor=actor, veteran=veteran),
        _("A new code is sent to the veteran's phone."),
    )
    return redirect("veterans:veteran", veteran_id=veteran.pk)


def _told(request: HttpRequest, call: Callable[[], object], done: str) -> None:
    """A button without a form: the service's refusal, or `done`, goes to the messages."""
    try:
        call()
    except ApplicationError as exc:
        if isinstance(exc, NotFoundError | PermissionDeniedError):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


def _after_move(request: HttpRequest, veteran: Veteran) -> HttpResponse:
    """Back to the veteran's page, or to the queue when they have left the actor's sight."""
    if selectors.veteran_list(actor=_actor(request)).filter(pk=veteran.pk).exists():
        return redirect("veterans:veteran", veteran_id=veteran.pk)
    return redirect("care:queue")


@login_required
@require_POST
@_domain
def transfer(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """Move the veteran to another institution; open requests follow."""
    actor = _actor(request)
    veteran = selectors.veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    form = TransferForm(request.POST)
    if form.is_valid() and _succeeds(
        form, lambda: services.stay_transfer(actor=actor, veteran=veteran, **form.cleaned_data)
    ):
        messages.success(request, _("The transfer is recorded; open requests moved with them."))
        return _after_move(request, veteran)
    return _page(request, veteran, status=400, transfer_form=form)


@login_required
@require_POST
@_domain
def discharge(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """End the current stay; requests there not yet under way are cancelled."""
    actor = _actor(request)
    veteran = selectors.veteran_get_for_ward(actor=actor, veteran_id=veteran_id)
    form = DischargeForm(request.POST)
    if form.is_valid() and _succeeds(
        form, lambda: services.stay_discharge(actor=actor, veteran=veteran, **form.cleaned_data)
    ):
        messages.success(request, _("The discharge is recorded."))
        return _after_move(request, veteran)
    return _page(request, veteran, status=400, discharge_form=form)


# --- people signing up ---------------------------------------------------------------------


def start(request: HttpRequest) -> HttpResponse:
    """Who are you? The patient, a relative, or ward staff: each goes on to their way in."""
    ward = {k: request.GET[k] for k in ("institution", "department") if request.GET.get(k)}
    relative = f"{reverse('veterans:relative_ask')}?{urlencode(ward)}"
    claim = f"{reverse('veterans:claim')}?{urlencode(ward)}"
    ways = {
        "claim": f"{reverse('join')}?{urlencode({'next': claim})}",
        "relative": f"{reverse('join')}?{urlencode({'next': relative})}",
        "sign_in": f"{reverse('login')}?{urlencode({'next': request.GET.get('next', '/')})}",
    }
    return render(request, "veterans/start.html", {"ways": ways})


@login_required
@require_http_methods(["GET", "POST"])
@_domain
def claim(request: HttpRequest) -> HttpResponse:
    """A veteran claims their admission with the code on their slip; then asks for help."""
    actor = _actor(request)
    form = ClaimForm(request.POST or None)
    if form.is_valid() and _succeeds(
        form, lambda: signup.admission_claim(actor=actor, code=form.cleaned_data["code"])
    ):
        messages.success(request, _("Welcome. Your admission is linked to your account."))
        return redirect("care:ask")
    asks = selectors.my_admission_claims(actor=actor)
    context = {"form": form, "asks": asks, "ask_query": request.GET.urlencode()}
    return render(request, "veterans/claim.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@_domain
def claim_ask(request: HttpRequest) -> HttpResponse:
    """No code: the veteran names the hospital and themself; the ward staff confirm it."""
    actor = _actor(request)
    initial = {"institution": request.GET.get("institution")}
    form = ClaimAskForm(request.POST or None, initial=initial)
    if form.is_valid() and _succeeds(
        form, lambda: signup.admission_claim_ask(actor=actor, **form.cleaned_data)
    ):
        messages.success(request, _("Thank you. The ward staff will check and tell you."))
        return redirect("veterans:claim")
    status = 400 if form.errors else 200
    return render(request, "veterans/claim_ask.html", {"form": form}, status=status)


def _claims_page(
    request: HttpRequest, status: int = 200, bound: ClaimConfirmForm | None = None
) -> HttpResponse:
    actor = _actor(request)
    if not selectors.is_ward_staff(actor):
        raise PermissionDenied
    forms = [
        bound if bound is not None and bound.claim.pk == claim.pk else ClaimConfirmForm(claim=claim)
        for claim in selectors.admission_claims_waiting(actor=actor)[:100]
    ]
    return render(request, "veterans/admission_claims.html", {"forms": forms}, status=status)


@login_required
@require_GET
@_domain
def admission_claims(request: HttpRequest) -> HttpResponse:
    """Ward staff: people asking to be matched to their admission; confirm or refuse each."""
    return _claims_page(request)


@login_required
@require_POST
@_domain
def admission_claim_confirm(request: HttpRequest, claim_id: int) -> HttpResponse:
    """This person is our patient: their account becomes the patient's own."""
    actor = _actor(request)
    claim = selectors.admission_claim_get_for_staff(actor=actor, claim_id=claim_id)
    form = ClaimConfirmForm(request.POST, claim=claim)
    if form.is_valid() and _succeeds(
        form,
        lambda: signup.admission_claim_confirm(
            actor=actor, claim=claim, veteran=form.cleaned_data["veteran"]
        ),
    ):
        messages.success(request, _("Confirmed. The patient can now ask for help; they are told."))
        return redirect("veterans:admission_claims")
    return _claims_page(request, status=400, bound=form)


@login_required
@require_POST
@_domain
def admission_claim_refuse(request: HttpRequest, claim_id: int) -> HttpResponse:
    """No patient of ours is this person: they are told plainly."""
    actor = _actor(request)
    claim = selectors.admission_claim_get_for_staff(actor=actor, claim_id=claim_id)
    _told(
        request,
        lambda: signup.admission_claim_refuse(actor=actor, claim=claim),
        _("Refused. The person is told."),
    )
    return redirect("veterans:admission_claims")


@login_required
@require_http_methods(["GET", "POST"])
@_domain
def relative_ask(request: HttpRequest) -> HttpResponse:
    """A relative asks to act for a veteran on a ward; the veteran approves."""
    actor = _actor(request)
    ward = request.GET.get("department")
    form = RelativeAskForm(request.POST or None, initial={"ward": ward}, fixed_ward=bool(ward))
    if form.is_valid():
        _attempt(form, lambda: services.proxy_ask(actor=actor, **form.values()))
        if not form.errors:
            messages.success(request, _("Thank you. You will get a message when it is answered."))
            return redirect("veterans:relatives")
    status = 400 if form.errors else 200
    return render(request, "veterans/relative_ask.html", {"form": form}, status=status)


@login_required
def relatives(request: HttpRequest) -> HttpResponse:
    """For a veteran: relatives waiting for approval. For a relative: their own asks."""
    actor = _actor(request)
    context = {
        "waiting": selectors.proxies_waiting_for(actor=actor),
        "asks": selectors.my_proxy_asks(actor=actor),
        "mine": selectors.veterans_acting_for(actor=actor),
    }
    return render(request, "veterans/relatives.html", context)


@login_required
@require_POST
@_domain
def proxy_decide(request: HttpRequest, proxy_id: int, answer: str) -> HttpResponse:
    """The veteran (or ward staff recording the veteran's spoken answer) approves or refuses."""
    actor = _actor(request)
    if answer not in ("approve", "refuse"):
        raise Http404
    proxy = selectors.proxy_get_for_decider(actor=actor, proxy_id=proxy_id)
    _told(
        request,
        lambda: services.proxy_decide(actor=actor, proxy=proxy, approve=answer == "approve"),
        _("Your answer is recorded."),
    )
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/veterans/") else reverse("veterans:relatives"))


@login_required
@require_http_methods(["GET", "POST"])
@_domain
def what_matters(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """What matters to the veteran; by them, a relative acting for them, or a coordinator."""
    actor = _actor(request)
    veteran = selectors.veteran_for_what_matters(actor=actor, veteran_id=veteran_id)
    form = WhatMattersForm.of(veteran, request.POST or None)
    if form.is_valid() and _succeeds(
        form,
        lambda: services.what_matters_update(actor=actor, veteran=veteran, **form.cleaned_data),
    ):
        messages.success(request, _("Saved. Thank you."))
        return redirect("veterans:what_matters", veteran_id=veteran.pk)
    status = 400 if form.errors else 200
    return render(
        request, "veterans/what_matters.html", {"form": form, "veteran": veteran}, status=status
    )
