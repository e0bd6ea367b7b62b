"""The user's own profile (roles, API tokens). Signing up with a code: volunteers/join.py."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ryadom.accounts.models import User
from ryadom.accounts.scopes import uses_api_tokens
from ryadom.accounts.services import api_token_issue, api_token_revoke


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
