"""The user's own profile (roles, API tokens), and signing up with a one-time code."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ryadom.accounts.forms import AddressForm, CodeForm
from ryadom.accounts.models import User
from ryadom.accounts.scopes import uses_api_tokens
from ryadom.accounts.services import api_token_issue, api_token_revoke, code_send, code_verify
from ryadom.core.errors import ApplicationError


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_(
            "E.g. a spreadsheet of yours. A hospital's or a region's system gets an "
            "integration client's token from the back office."
        ),
    )


def _render(request: HttpRequest, form: TokenForm, new_key: str | None = None) -> HttpResponse:
    user = cast(User, request.user)
    tokens = user.api_tokens.order_by("-created_at")
    return render(
        request,
        "accounts/profile.html",
        {
            "roles": user.roles.order_by("role"),
            "tokens": tokens,
            # Others see the section only to revoke a token they still hold.
            "uses_tokens": uses_api_tokens(user),
            "shows_tokens": uses_api_tokens(user)
            or tokens.filter(revoked_at__isnull=True).exists(),
            "form": form,
            "new_key": new_key,
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Shows the profile; a POST issues a token whose key is shown on this page only once."""
    if request.method == "POST":
        if not uses_api_tokens(request.user):
            raise PermissionDenied
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, key = api_token_issue(
                actor=cast(User, request.user),
                user=cast(User, request.user),
                name=form.cleaned_data["name"],
            )
            return _render(request, TokenForm(), new_key=key)
        return _render(request, form)
    return _render(request, TokenForm())


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = cast(User, request.user)
    token = user.api_tokens.filter(pk=token_id).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=user, token=token)
    return redirect("profile")


# --- /join/: sign up (or back in) with a code sent to an e-mail or a phone -----------------

JOIN_SESSION_KEY = "join_address"


def _after_sign_in(user: User) -> str:
    from ryadom.volunteers.models import Volunteer

    if Volunteer.objects.filter(user=user).exists():
        return reverse("volunteer-checklist")
    return reverse("join-profile")


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def join(request: HttpRequest) -> HttpResponse:
    """Step 1: the address; a code goes there (at most a few an hour)."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request) or _after_sign_in(request.user))
    form = AddressForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            one_time = code_send(
                address=form.cleaned_data["address"], language=get_language() or "ru"
            )
        except ApplicationError as exc:
            form.add_error("address", exc.message)
            status = exc.status_code
        else:
            request.session[JOIN_SESSION_KEY] = one_time.address
            target = reverse("join-code")
            if nxt := _safe_next(request):
                target += "?" + urlencode({"next": nxt})
            return redirect(target)
    return render(
        request, "accounts/join.html", {"form": form, "next": _safe_next(request)}, status=status
    )


def join_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the message signs the person in."""
    address = request.session.get(JOIN_SESSION_KEY)
    if not address:
        return redirect("join")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = code_verify(address=address, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            # An explicit backend: the code, not a password, proved who this is.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(JOIN_SESSION_KEY, None)
            return redirect(_safe_next(request) or _after_sign_in(user))
    return render(
        request,
        "accounts/join_code.html",
        {"form": form, "address": address, "next": _safe_next(request)},
    )
