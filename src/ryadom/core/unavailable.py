"""The answer to a request that failed because the database could not be reached.

While PostgreSQL restarts or fails over, a request cannot be served; nothing it began was
written (an API write is one transaction, core/middleware.py). Such a failure answers 503
with Retry-After, so clients and proxies know to send the same request again (with the same
Idempotency-Key); any other unhandled error stays Django's 500.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 when the exception being handled is the database being unreachable."""
    if not isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return django_server_error(request)
    detail = _("The service is briefly unavailable. Please try again in a few seconds.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail, "errors": []}, status=503)
    else:
        response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
