"""Pages of referrals: the coordinator's (list, refer, one referral with its timeline, the
partner directory, loop closure), the partner's page behind a signed link, and the pages of
a regular partner's staff signed in with an account (the same answers)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.accounts.models import User
from ryadom.core.pages import attempt, domain_errors, errors_text
from ryadom.referrals import page_context, selectors, services
from ryadom.referrals.forms import MoveForm, ReferralForm
from ryadom.referrals.links import LinkExpired, partner_link_open


def _actor(request: HttpRequest) -> User:
    user = cast(User, request.user)  # behind login_required
    if not selectors.is_referrer(user):
        raise PermissionDenied
    return user


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals the coordinator follows, by status."""
    context = page_context.list_context(actor=_actor(request), status=request.GET.get("status"))
    return render(request, "referrals/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def referral_new(request: HttpRequest) -> HttpResponse:
    """Refer a veteran (from the veteran's page, or choosing them here)."""
    actor = _actor(request)
    veteran = page_context.veteran_from(actor=actor, raw=request.GET.get("veteran"))
    form = ReferralForm(request.POST or None, actor=actor, veteran=veteran)
    if request.method == "POST" and form.is_valid():
        made = attempt(form, lambda: services.referral_create(actor=actor, **form.cleaned_data))
        if made is not None:
            messages.success(request, _("The referral is sent; the partner has its link."))
            return redirect("referrals:detail", made.pk)
    return render(request, "referrals/new.html", {"form": form, "veteran": veteran}, status=200)


@login_required
@require_GET
@domain_errors
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One referral: the veteran, the partner, the timeline and what can be done now."""
    referral = selectors.referral_get_for_user(actor=_actor(request), referral_id=pk)
    return render(request, "referrals/detail.html", page_context.detail_context(referral))


@login_required
@require_POST
@domain_errors
def referral_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The coordinator moves the referral (an answer the partner gave by phone, or cancel)."""
    actor = _actor(request)
    referral = selectors.referral_get_for_user(actor=actor, referral_id=pk)
    form = MoveForm(request.POST)
    if not page_context.move(form, actor=actor, referral=referral, action=action):
        messages.error(request, errors_text(form))
    return redirect("referrals:detail", pk)


@login_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    """The directory of partner services, by region and kind."""
    context = page_context.partners_context(actor=_actor(request), params=request.GET)
    return render(request, "referrals/partners.html", context)


@login_required
@require_GET
def closure(request: HttpRequest) -> HttpResponse:
    """Loop closure by region: answered referrals among those sent, and their outcomes."""
    rows = selectors.loop_closure(actor=_actor(request))
    return render(request, "referrals/closure.html", page_context.closure_context(rows))


@never_cache
@require_http_methods(["GET", "POST"])
@domain_errors
def partner_page(request: HttpRequest, token: str) -> HttpResponse:
    """The partner's page behind its signed link: the minimum to help, and the answers."""
    try:
        referral = partner_link_open(token=token)
    except LinkExpired:
        return render(request, "referrals/partner_expired.html", status=410)
    form = MoveForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and page_context.move(
        form, actor=None, referral=referral, action=action
    ):
        return redirect("referrals:partner", token)
    context = page_context.partner_context(referral, form)
    return render(request, "referrals/partner.html", context, status=422 if form.errors else 200)


@login_required
@never_cache
@require_GET
@domain_errors
def member_list(request: HttpRequest) -> HttpResponse:
    """A partner's staff member: the referrals to their services, open ones first."""
    user = cast(User, request.user)
    context = page_context.member_list_context(actor=user, status=request.GET.get("status"))
    return render(request, "referrals/member_list.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@domain_errors
def member_referral(request: HttpRequest, pk: int) -> HttpResponse:
    """One referral to the member's service, answered as on the signed-link page."""
    actor = cast(User, request.user)
    referral = selectors.partner_referral_get(actor=actor, referral_id=pk)
    form = MoveForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and page_context.move(
        form, actor=actor, referral=referral, action=action
    ):
        return redirect("referrals:member_referral", pk)
    context = page_context.partner_context(referral, form)
    return render(
        request, "referrals/member_referral.html", context, status=422 if form.errors else 200
    )
