"""Pages of the second factor: verify after signing in, set up an authenticator, backup codes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ryadom.accounts.models import User
from ryadom.core.pages import attempt
from ryadom.security.middleware import rate_limited_response
from ryadom.security.ratelimit import RateLimitedError, rate_limit_hit
from ryadom.security.twofactor import (
    backup_codes_issue,
    has_second_factor,
    second_factor_check,
    totp_device_confirm,
    totp_device_pending,
    totp_qr_data_uri,
    totp_secret,
)

T = TypeVar("T")


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _signed_in_with_second_factor(request: HttpRequest, device: object) -> None:
    # A new session key once the second factor is passed: a key seen before it is worth nothing.
    request.session.cycle_key()
    otp_login(request, device)


def _too_many_tries_answered(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Too many codes tried: the rate limit's page instead of the view's."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RateLimitedError as exc:
            return rate_limited_response(request, exc)

    return wrapper


def _code_accepted(
    request: HttpRequest, form: CodeForm, check: Callable[..., T], **known: Any
) -> T | None:
    """What `check(token=..., **known)` answers for the code sent, each try counted against
    the limit; None when no valid form was sent or the code was wrong (said on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    rate_limit_hit(bucket="second_factor", key=f"user:{request.user.pk}")
    return attempt(form, lambda: check(token=form.cleaned_data["token"], **known))


def _must_pass_first(user: User) -> bool:
    """Replacing the authenticator needs the old one (or a backup code) first."""
    return has_second_factor(user) and not user.is_verified()  # type: ignore[attr-defined]


def _backup_codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    return render(request, "security/backup_codes.html", {"codes": codes, "next": next_url})


def _setup_page(request: HttpRequest, form: CodeForm, device: TOTPDevice) -> HttpResponse:
    context = {
        "form": form,
        "qr": totp_qr_data_uri(device),
        "secret": totp_secret(device),
        "next": _next(request),
    }
    return render(request, "security/setup.html", context)


@never_cache
@login_required
@_too_many_tries_answered
def verify(request: HttpRequest) -> HttpResponse:
    """Asks for a code from the authenticator app (or a backup code) after the password."""
    user = cast(User, request.user)
    if not has_second_factor(user):
        return redirect("security:setup")
    form = CodeForm(request.POST or None)
    device = _code_accepted(request, form, second_factor_check, actor=user)
    if device is not None:
        _signed_in_with_second_factor(request, device)
        return redirect(_next(request))
    return render(request, "security/verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
@_too_many_tries_answered
def setup(request: HttpRequest) -> HttpResponse:
    """Shows a new authenticator secret as a QR code; a code from the app confirms it."""
    user = cast(User, request.user)
    if _must_pass_first(user):
        return redirect("security:verify")
    device = totp_device_pending(actor=user)
    form = CodeForm(request.POST or None)
    codes = _code_accepted(request, form, totp_device_confirm, actor=user, device=device)
    if codes is None:
        return _setup_page(request, form, device)
    _signed_in_with_second_factor(request, TOTPDevice.objects.get(pk=device.pk))
    return _backup_codes_page(request, codes, _next(request))


@never_cache
@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, for someone who has passed the second factor in this session."""
    user = cast(User, request.user)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("security:verify")
    return _backup_codes_page(request, backup_codes_issue(actor=user), "/")
