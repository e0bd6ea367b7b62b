"""An API call that changes something is one transaction: all of it is written, or none."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# API writes that are one service call answered from what the service returned, with nothing
# read or written after it: its own transaction is the whole write, and wrapping it would
# only add a savepoint (two statements) to the busiest write. Asking for help
# (care/api.py create_request): its reads run outside the write transaction, and a client
# left without an answer retries with its Idempotency-Key and gets the same request.
ONE_SERVICE_WRITES = frozenset({("POST", "/api/v1/requests")})


class ApiWriteTransactionMiddleware:
    """Wraps the API's writes in one transaction and rolls it back on a server error.

    Services commit their own work; without this, a failure after a service returned (the
    re-read of what it wrote, say) would answer 500 yet leave the write in place. Reads stay
    outside, so on SQLite they never wait for the write lock.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in SAFE_METHODS
            or not request.path.startswith("/api/")
            or (request.method, request.path) in ONE_SERVICE_WRITES
        ):
            return self.get_response(request)
        with transaction.atomic():
            # Django has already turned an exception below into its 500 response here.
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response
