"""Pages of the second factor: verify after signing in, set up an authenticator, backup codes."""

from __future__ import annotations

from typing import cast

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
from ryadom.core.validation import InvalidInput
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


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Asks for a code from the authenticator app (or a backup code) after the password."""
    user = cast(User, request.user)
    if not has_second_factor(user):
        return redirect("security:setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate_limit_hit(bucket="second_factor", key=f"user:{user.pk}")
            device = second_factor_check(actor=user, token=form.cleaned_data["token"])
        except RateLimitedError as exc:
            return rate_limited_response(request, exc)
        except InvalidInput as exc:
            form.add_error("token", exc.message)
        else:
            _signed_in_with_second_factor(request, device)
            return redirect(_next(request))
    return render(request, "security/verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Shows a new authenticator secret as a QR code; a code from the app confirms it."""
    user = cast(User, request.user)
    if has_second_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
        # Replacing the authenticator needs the old one (or a backup code) first.
        return redirect("security:verify")
    device = totp_device_pending(actor=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate_limit_hit(bucket="second_factor", key=f"user:{user.pk}")
            codes = totp_device_confirm(actor=user, device=device, token=form.cleaned_data["token"])
        except RateLimitedError as exc:
            return rate_limited_response(request, exc)
        except InvalidInput as exc:
            form.add_error("token", exc.message)
        else:
            confirmed = TOTPDevice.objects.get(pk=device.pk)
            _signed_in_with_second_factor(request, confirmed)
            return render(
                request, "security/backup_codes.html", {"codes": codes, "next": _next(request)}
            )
    return render(
        request,
        "security/setup.html",
        {
            "form": form,
            "qr": totp_qr_data_uri(device),
            "secret": totp_secret(device),
            "next": _next(request),
        },
    )


@never_cache
@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, for someone who has passed the second factor in this session."""
    user = cast(User, request.user)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("security:verify")
    codes = backup_codes_issue(actor=user)
    return render(request, "security/backup_codes.html", {"codes": codes, "next": "/"})
