"""Pages of people signing up from the ward's QR code: the patient links their admission (by
the slip's code, or by asking the ward staff), a relative asks to act for a veteran and the
veteran answers. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ryadom.core.pages import attempt, domain_errors
from ryadom.veterans import claims, proxies, selectors
from ryadom.veterans.forms import ClaimAskForm, ClaimForm, RelativeAskForm
from ryadom.veterans.pages import accepted, actor_of, form_page, told


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
@domain_errors
def claim(request: HttpRequest) -> HttpResponse:
    """A veteran claims their admission with the code on their slip; then asks for help."""
    actor = actor_of(request)
    form = ClaimForm(request.POST or None)
    if accepted(form, lambda: claims.admission_claim(actor=actor, code=form.cleaned_data["code"])):
        messages.success(request, _("Welcome. Your admission is linked to your account."))
        return redirect("care:ask")
    asks = selectors.my_admission_claims(actor=actor)
    query = request.GET.urlencode()  # the ward of the QR code, for asking the staff
    return form_page(request, "veterans/claim.html", form, asks=asks, ask_query=query)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def claim_ask(request: HttpRequest) -> HttpResponse:
    """No code: the veteran names the hospital and themself; the ward staff confirm it."""
    actor = actor_of(request)
    initial = {"institution": request.GET.get("institution")}
    form = ClaimAskForm(request.POST or None, initial=initial)
    if accepted(form, lambda: claims.admission_claim_ask(actor=actor, **form.cleaned_data)):
        messages.success(request, _("Thank you. The ward staff will check and tell you."))
        return redirect("veterans:claim")
    return form_page(request, "veterans/claim_ask.html", form)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def relative_ask(request: HttpRequest) -> HttpResponse:
    """A relative asks to act for a veteran on a ward; the veteran approves."""
    actor = actor_of(request)
    ward = request.GET.get("department")
    form = RelativeAskForm(request.POST or None, initial={"ward": ward}, fixed_ward=bool(ward))
    if form.is_valid():
        # The answer is the same whether or not such a patient is there (None when not).
        attempt(form, lambda: proxies.proxy_ask(actor=actor, **form.values()))
        if not form.errors:
            messages.success(request, _("Thank you. You will get a message when it is answered."))
            return redirect("veterans:relatives")
    return form_page(request, "veterans/relative_ask.html", form)


@login_required
def relatives(request: HttpRequest) -> HttpResponse:
    """For a veteran: relatives waiting for approval. For a relative: their own asks."""
    actor = actor_of(request)
    context = {
        "waiting": selectors.proxies_waiting_for(actor=actor),
        "asks": selectors.my_proxy_asks(actor=actor),
        "mine": selectors.veterans_acting_for(actor=actor),
    }
    return render(request, "veterans/relatives.html", context)


@login_required
@require_POST
@domain_errors
def proxy_decide(request: HttpRequest, proxy_id: int, answer: str) -> HttpResponse:
    """The veteran (or ward staff recording the veteran's spoken answer) approves or refuses."""
    actor = actor_of(request)
    if answer not in ("approve", "refuse"):
        raise Http404
    proxy = selectors.proxy_get_for_decider(actor=actor, proxy_id=proxy_id)
    told(
        request,
        lambda: proxies.proxy_decide(actor=actor, proxy=proxy, approve=answer == "approve"),
        _("Your answer is recorded."),
    )
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/veterans/") else reverse("veterans:relatives"))
