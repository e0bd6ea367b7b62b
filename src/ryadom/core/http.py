"""Where a request comes from: one answer for rate limits, the sign-in lockout and the audit
log."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address a request came from, for rate limits and the sign-in lockout.

    X-Forwarded-For is whatever the client wants it to be, so it is read only when
    TRUSTED_PROXY_COUNT proxies of ours stand in front: the address the outermost of them
    saw is that many entries from the right.
    """
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
