"""The JSON API at /api/v1/: one NinjaAPI, routers from each app, one error shape."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ryadom.core.errors import ApplicationError
from ryadom.core.validation import InvalidInput

api = NinjaAPI(
    title="Ryadom API",
    version="1",
    description="Coordination of social and household help to veterans in treatment.",
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
            # ("query", "region") → "region"; ("body", "payload", "inn") → "inn"
            "field": ".".join(str(p) for p in e.get("loc", ())[-1:]),
            "message": str(e.get("msg", "")),
        }
        for e in exc.errors
    ]
    return _errors(request, 422, "Invalid input.", errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _errors(request, 401, "Authentication required.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _errors(request, exc.status_code, str(exc))


def _add_routers() -> None:
    from ryadom.accounts.api import router as accounts_router
    from ryadom.care.api import router as care_router
    from ryadom.catalogue.api import router as catalogue_router
    from ryadom.core.api import router as core_router
    from ryadom.dispatch.api import router as dispatch_router
    from ryadom.geo.api import router as geo_router
    from ryadom.institutions.api import router as institutions_router
    from ryadom.interop.api import router as hsds_router
    from ryadom.openings.api import router as openings_router
    from ryadom.organisations.api import router as organisations_router
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
    # Before care: its POST /requests/{id}/{action} would shadow GET .../recommendations.
    api.add_router("", dispatch_router)
    api.add_router("", care_router)
    api.add_router("", openings_router)
    api.add_router("/hsds", hsds_router)


_add_routers()
