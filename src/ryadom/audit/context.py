"""Where the current request comes from, for the audit log, without threading it through calls.

A context variable is per request (per thread, per asyncio task), never shared between them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_client_ip: ContextVar[str | None] = ContextVar("ryadom_audit_client_ip", default=None)


def client_ip() -> str | None:
    """The address of the request being served, or None outside a request (tasks, commands)."""
    return _client_ip.get()


class AuditContextMiddleware:
    """Remembers the client's address for the audit events written while serving the request.

    REMOTE_ADDR only: behind a proxy, the proxy is configured to set it (a forwarded header
    is whatever the client wants it to be).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
