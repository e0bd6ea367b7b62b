"""The JSON API at /api/v1/: one NinjaAPI, routers from each app, one error shape."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from ryadom.core.errors import ApplicationError
from ryadom.core.validation import InvalidInput
from ryadom.security.middleware import RATE_LIMITED_POSTS

# The one error body, for every status below.
ERROR_SCHEMAS: dict[str, Any] = {
    "FieldError": {
        "title": "FieldError",
        "type": "object",
        "properties": {
            "field": {"type": "string", "description": "The input the message is about."},
            "message": {"type": "string"},
        },
        "required": ["field", "message"],
    },
    "Error": {
        "title": "Error",
        "type": "object",
        "properties": {
            "detail": {"type": "string", "description": "What went wrong, for people."},
            "errors": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/FieldError"},
                "description": "One entry per input that was refused; may be empty.",
            },
        },
        "required": ["detail", "errors"],
    },
}
ERROR_MEANINGS = {
    400: "The body is not JSON.",
    401: "Not signed in: no valid bearer token or session.",
    403: "Signed in, but this caller may not do this with the object.",
    404: "No such object, or not in the caller's scope (the same answer for both).",
    409: "The object's state changed first (someone else got there first).",
    413: "The body is larger than the server accepts.",
    422: "An input was refused: `errors` names each field with its message.",
    429: "Too many attempts: wait as long as the Retry-After header says.",
}

ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


class RyadomAPI(NinjaAPI):
    """Ninja's API with the error responses of each operation documented in OpenAPI."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                # Codes an operation declares itself (openapi_extra) get the error body too.
                declared = {int(c) for c in responses if int(c) >= 400 and int(c) != 503}
                for code in sorted(_error_codes(path, method, operation) | declared):
                    response = responses.setdefault(code, {"description": ERROR_MEANINGS[code]})
                    response.setdefault("content", ERROR_CONTENT)
        return schema


def _rate_limited(path: str, method: str) -> bool:
    try:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    except Resolver404:
        return False
    return method == "post" and match.view_name in RATE_LIMITED_POSTS


def _error_codes(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it takes and who may call it."""
    codes = set()
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes |= {400, 413}
    if operation.get("security"):
        # A signed-in caller may not be allowed this; a write may lose a race.
        codes |= {401, 403}
        if method != "get":
            codes.add(409)
    if any(p.get("in") == "path" for p in parameters):
        codes.add(404)
    if _rate_limited(path, method):
        codes.add(429)
    return codes


api = RyadomAPI(
    title="Ryadom API",
    version="1",
    description="Coordination of social and household help to veterans in treatment. "
    "Every error has the same body (`Error`): a `detail` for people and, for refused "
    "input, `errors` naming each field.",
    urls_namespace="api",
)


def _errors(
    request: HttpRequest, status: int, detail: str, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if isinstance(exc, InvalidInput):
        errors = [{"field": f, "message": m} for f, ms in exc.errors.items() for m in ms]
    else:
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return _errors(request, exc.status_code, exc.message, errors)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            # ("query", "region") → "region"; ("body", "payload", "skills", 2) → "skills"
            "field": next((str(p) for p in reversed(e.get("loc", ())) if isinstance(p, str)), ""),
            "message": str(e.get("msg", "")),
        }
        for e in exc.errors
    ]
    return _errors(request, 422, "Invalid input.", errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _errors(request, 401, "Authentication required.")


@api.exception_handler(AuthorizationError)
def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _errors(request, 403, gettext("You may not do this."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _errors(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _errors(request, 404, "Not found.")


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _errors(
        request,
        413,
        gettext("The body is larger than %(size)d bytes.")
        % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


def _add_routers() -> None:
    from ryadom.accounts.api import router as accounts_router
    from ryadom.aftercare.api import router as aftercare_router
    from ryadom.care.api import router as care_router
    from ryadom.catalogue.api import router as catalogue_router
    from ryadom.core.api import router as core_router
    from ryadom.dispatch.api import router as dispatch_router
    from ryadom.entitlements.api import public as measures_router
    from ryadom.entitlements.api import router as entitlements_router
    from ryadom.geo.api import router as geo_router
    from ryadom.institutions.api import router as institutions_router
    from ryadom.interop.api import router as hsds_router
    from ryadom.openings.api import router as openings_router
    from ryadom.organisations.api import router as organisations_router
    from ryadom.referrals.api import router as referrals_router
    from ryadom.veterans.api import router as veterans_router
    from ryadom.volunteers.api import router as volunteers_router
    from ryadom.web.api import router as web_router

    api.add_router("", core_router)
    api.add_router("", accounts_router)
    api.add_router("", geo_router)
    api.add_router("", catalogue_router)
    api.add_router("", institutions_router)
    api.add_router("", organisations_router)
    api.add_router("", volunteers_router)
    api.add_router("", web_router)
    api.add_router("", veterans_router)
    api.add_router("", measures_router)
    api.add_router("", entitlements_router)
    # Before care: its POST /requests/{id}/{action} would shadow GET .../recommendations.
    api.add_router("", dispatch_router)
    api.add_router("", care_router)
    api.add_router("", aftercare_router)
    api.add_router("", referrals_router)
    api.add_router("", openings_router)
    api.add_router("/hsds", hsds_router)


_add_routers()
