"""API authentication: a bearer token for integrations, the session for our own pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from ryadom.accounts.models import User
from ryadom.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token, request=request)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return super().authenticate(request, key)


# Either is enough; the first that succeeds sets request.user.
AUTH = [BearerToken(), Session()]
