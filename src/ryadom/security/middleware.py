"""The two checks every request passes: the second factor, and the rate limits of a few forms."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from ryadom.accounts.models import TokenKind
from ryadom.accounts.services import api_token_find_once
from ryadom.interop.fhir.codes import Outcome
from ryadom.interop.fhir.http import outcome_answer
from ryadom.security.ratelimit import RateLimitedError, client_key, rate_limit_hit
from ryadom.security.twofactor import has_second_factor, second_factor_required

# Pages a signed-in person who still owes the second factor may open.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "security:verify",
        "security:setup",
        "security:backup_codes",
    }
)

# POSTs that are rate limited: URL name → bucket of settings.RATE_LIMITS. The API's URL
# names are its first operation's function name (`list_requests` serves GET and POST).
# Coordinators' phone entry (`care:request_new`) is not limited: a busy morning of calls
# must not lock the person taking them out. An integration client's POSTs to the API count
# in INTEGRATION_BUCKET instead, per client: a hospital's system posts for all its wards.
RATE_LIMITED_POSTS = {
    "login": "login",
    "admin:login": "login",
    "join": "signup",
    "accounts:join": "signup",
    "onboarding:join": "signup",
    "care:ask": "intake",
    "care:ward": "intake",
    "api:list_requests": "intake",
    # FHIR referrals (interop/fhir): integration clients only, so always their own bucket.
    "fhir:transaction": "integration",
    "fhir:task": "integration",
}
INTEGRATION_BUCKET = "integration"


SIGNED_IN_AT = "ryadom_signed_in_at"
SECOND_FACTOR_DUE = "ryadom_second_factor_due"
LAST_SEEN = "ryadom_last_seen"
# How often activity moves a session's end forward: a write on every request would cost a
# database write on every page.
SEEN_EVERY_SECONDS = 60


def _verified(user: Any) -> bool:
    """Whether django-otp's middleware found a second factor passed in this session."""
    return bool(user.is_verified())


def _is_api(request: HttpRequest) -> bool:
    """The JSON API or the FHIR endpoint: programs calling with a bearer token."""
    match = request.resolver_match
    return match is not None and bool({"api", "fhir"} & set(match.namespaces))


class SessionLifetimeMiddleware:
    """Signed-in sessions end after SESSION_COOKIE_AGE idle seconds, and in any case
    SESSION_MAX_AGE seconds after signing in (a shared ward computer left signed in).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_MAX_AGE:
                logout(request)
            elif now - session.get(LAST_SEEN, 0) >= SEEN_EVERY_SECONDS:
                session[LAST_SEEN] = now  # saved by SessionMiddleware with a new expiry
        return self.get_response(request)


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: staff who signed in with a password only (and anyone
    who has set up a second factor) are sent to verify or set it up before any page; to the
    JSON API their session counts as signed out (a bearer token is its own credential).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or _verified(user):
            return None
        # Staff always; anyone else who chose to set up a second factor, once they have.
        if not (request.session.get(SECOND_FACTOR_DUE) or second_factor_required(user)):
            return None
        if _is_api(request):
            request.user = AnonymousUser()
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        where = "security:verify" if has_second_factor(user) else "security:setup"
        response = redirect(where)
        response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response


class RateLimitMiddleware:
    """Counts the POSTs of sign-in, sign-up and request intake per person (or address)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None:
            return None
        bucket = RATE_LIMITED_POSTS.get(match.view_name)
        if bucket is None:
            return None
        try:
            rate_limit_hit(**_counted_as(request, bucket))
        except RateLimitedError as exc:
            return rate_limited_response(request, exc)
        return None


def _counted_as(request: HttpRequest, bucket: str) -> dict[str, str]:
    """The bucket and key a limited POST counts in. Ninja reads a bearer token only after
    this middleware, so an API request's token is looked up here (the one query that reads
    it, POSTs only).
    """
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if _is_api(request) and scheme.lower() == "bearer":
        token = api_token_find_once(request, key.strip())
        if token is not None and token.kind == TokenKind.INTEGRATION:
            return {"bucket": INTEGRATION_BUCKET, "key": f"client:{token.user_id}"}
        if token is not None:
            return {"bucket": bucket, "key": f"user:{token.user_id}"}
    return {"bucket": bucket, "key": client_key(request)}


def rate_limited_response(request: HttpRequest, exc: RateLimitedError) -> HttpResponse:
    """429 with Retry-After: the API's error shape, or a page that says when to come back."""
    response: HttpResponse
    match = request.resolver_match
    if match is not None and "fhir" in match.namespaces:
        response = outcome_answer(Outcome(429, "throttled", exc.message)).response()
    elif _is_api(request):
        response = JsonResponse({"detail": exc.message, "errors": []}, status=429)
    else:
        response = render(
            request, "security/rate_limited.html", {"message": exc.message}, status=429
        )
    response["Retry-After"] = str(exc.retry_after)
    return response
