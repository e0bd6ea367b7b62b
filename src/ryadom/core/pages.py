"""The one mapping of domain errors (core/errors.py) onto pages, for every app's views."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from ryadom.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from ryadom.core.validation import InvalidInput

P = ParamSpec("P")
T = TypeVar("T")


def domain_errors(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """ "Not found or not yours" becomes 404 and "not allowed" 403, wherever it is raised."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _error_fields(exc: ApplicationError) -> dict[str, list[str]]:
    if isinstance(exc, InvalidInput):
        return exc.errors
    return {exc.field or NON_FIELD_ERRORS: [exc.message]}


def _shows(form: forms.Form, field: str) -> bool:
    return field in form.fields and not form.fields[field].widget.is_hidden


def form_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: next to its field when the form shows that
    field, else at the top of the form. 404 and 403 are not form errors: re-raised for
    `domain_errors`."""
    if isinstance(exc, NotFoundError | PermissionDeniedError):
        raise exc
    for field, errors in _error_fields(exc).items():
        for message in errors:
            form.add_error(field if _shows(form, field) else None, message)


def forms_error(
    exc: ApplicationError, candidates: Sequence[forms.Form], fallback: forms.Form
) -> forms.Form:
    """`form_error` on the first form that shows the failing field (else on `fallback`)."""
    fields = _error_fields(exc)
    target = next((f for f in candidates if any(_shows(f, n) for n in fields)), fallback)
    form_error(target, exc)
    return target


def attempt(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Run a service call; a refusal becomes the form's error and None is returned."""
    try:
        return call()
    except ApplicationError as exc:
        form_error(form, exc)
        return None


def errors_text(form: forms.Form) -> str:
    """All the form's errors as one sentence, for a message above the page."""
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


def safe_next(request: HttpRequest) -> str | None:
    """The page to return to (`next` in the form or the query), when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
