"""Shared steps of the openings tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.openings import services
from ryadom.openings.models import Opening
from tests.conftest import Cast


def next_saturday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)


def post_opening(c: Cast, *, actor: User | None = None, **fields: Any) -> Opening:
    values: dict[str, Any] = {
        "title": "Saturday reading for the neurology ward",
        "institution": c.institution_a,
        "starts_on": next_saturday(),
        "start_time": datetime.time(11),
        "end_time": datetime.time(13),
        "needed": 2,
        **fields,
    }
    return services.opening_create(actor=actor or c.liaison, **values)


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages are asserted in English
    return client


def post_json(client: Client, path: str, body: dict[str, object] | None = None) -> tuple[int, Any]:
    response = client.post(path, body or {}, content_type="application/json")
    return response.status_code, response.json()
