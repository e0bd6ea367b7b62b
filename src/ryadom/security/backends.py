"""Lockout after repeated failed sign-ins (django-axes), for sign-ins that come with a request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """Refuses locked-out sign-ins; first in AUTHENTICATION_BACKENDS.

    Every sign-in people make (the login page, the back office) passes its request. A call
    without one (the test client's ``login``, a shell) has no address to lock, so it is left
    to the password backend instead of failing.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """The page shown while sign-in is paused for an account at an address (429)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "security/locked_out.html",
        {"cooloff_minutes": max(1, seconds // 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
