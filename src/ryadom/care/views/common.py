"""What every care page shares: who is asking, what was posted, where a request lives."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django import forms
from django.http import HttpRequest, QueryDict
from django.urls import reverse

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest
from ryadom.core.pages import attempt


def actor_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # every page here is behind login_required


def posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST (even an empty one, which then fails), else None."""
    return request.POST if request.method == "POST" else None


def detail_url(obj: CareRequest) -> str:
    return reverse("care:request_detail", args=[obj.pk])


def submitted(form: forms.Form, call: Callable[[], object]) -> bool:
    """The form is valid and the service `call` went through; else the reason is on the form."""
    return form.is_valid() and attempt(form, call) is not None
