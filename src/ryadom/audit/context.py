"""Where the current request comes from, for the audit log, without threading it through calls.

A context variable is per request (per thread, per asyncio task), never shared between them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from ryadom.core import http

_client_ip: ContextVar[str | None] = ContextVar("ryadom_audit_client_ip", default=None)


def client_ip() -> str | None:
    """The address of the request being served, or None outside a request (tasks, commands)."""
    return _client_ip.get()


def _address(request: HttpRequest) -> str | None:
    # The one answer to "where from" that lockout and rate limits use too (forwarded headers
    # believed only from our own proxies); anything that is not an address is not stored.
    try:
        return str(ipaddress.ip_address(http.client_ip(request)))
    except ValueError:
        return None


class AuditContextMiddleware:
    """Remembers the client's address for the audit events written while serving the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(_address(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
