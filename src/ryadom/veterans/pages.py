"""What the veterans' pages share: who asks, a form sent to a service, a form's page, and a
button's outcome told as a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ryadom.accounts.models import User
from ryadom.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from ryadom.core.pages import attempt


def actor_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind login_required


def accepted(form: forms.Form, call: Callable[[], object]) -> bool:
    """The form is valid and the service took it; else the refusal is on the form."""
    return form.is_valid() and attempt(form, call) is not None


def told(request: HttpRequest, call: Callable[[], object], done: str) -> bool:
    """A button without a form: the service's refusal, or `done`, goes to the messages.
    404 and 403 are re-raised for `domain_errors`."""
    try:
        call()
    except ApplicationError as exc:
        if isinstance(exc, NotFoundError | PermissionDeniedError):
            raise
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


def form_page(
    request: HttpRequest, template: str, form: forms.Form, **context: Any
) -> HttpResponse:
    """A page with a form: 400 when the form carries errors, so a refusal is not a success."""
    status = 400 if form.errors else 200
    return render(request, template, {"form": form, **context}, status=status)
