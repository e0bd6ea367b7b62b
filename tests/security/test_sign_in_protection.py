"""Guessing passwords is slow and noisy: lockout, a rate limit, and rules for passwords."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """Messages are asserted in English; Russian is the default language of pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


PASSWORD = "correct-horse-battery"


def _login(client: Client, username: str, password: str) -> int:
    return client.post("/login/", {"username": username, "password": password}).status_code


def test_five_wrong_passwords_pause_sign_in_for_that_account_from_that_address(
    cast: Cast, client: Client
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            assert _login(client, "coord_a", "wrong-password") == 200
        assert _login(client, "coord_a", "wrong-password") == 429  # the fifth
        paused = client.post("/login/", {"username": "coord_a", "password": PASSWORD})
        assert paused.status_code == 429
        assert "too many wrong passwords" in paused.content.decode()
        assert paused["Retry-After"] == str(15 * 60)
        assert "_auth_user_id" not in client.session

        # Someone else at the same address is not locked out.
        assert _login(Client(HTTP_ACCEPT_LANGUAGE="en"), "volunteer", PASSWORD) == 302

        clock.move_to(start + datetime.timedelta(minutes=16))
        assert _login(client, "coord_a", PASSWORD) == 302


def test_a_right_password_before_the_limit_resets_the_count(cast: Cast, client: Client) -> None:
    for _ in range(4):
        assert _login(client, "volunteer", "wrong-password") == 200
    assert _login(client, "volunteer", PASSWORD) == 302
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(4):
        assert _login(other, "volunteer", "wrong-password") == 200
    assert _login(other, "volunteer", PASSWORD) == 302


def test_trying_many_accounts_from_one_address_is_rate_limited(client: Client) -> None:
    attempts, seconds = settings.RATE_LIMITS["login"]
    for n in range(attempts):
        assert _login(client, f"someone{n}", "password") == 200
    limited = client.post("/login/", {"username": "someone-else", "password": "password"})
    assert limited.status_code == 429
    assert re.search(r"Too many attempts\. Please wait \d+ minutes?", limited.content.decode())
    assert 0 < int(limited["Retry-After"]) <= seconds


def test_a_made_up_forwarded_address_does_not_escape_the_lockout(
    cast: Cast, client: Client
) -> None:
    for n in range(5):
        client.post(
            "/login/",
            {"username": "coord_a", "password": "wrong-password"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )
    assert _login(client, "coord_a", PASSWORD) == 429


def test_behind_a_declared_proxy_the_forwarded_address_is_the_clients(
    cast: Cast, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    one, other = (
        Client(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="en"),
        Client(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="en"),
    )
    for _ in range(5):
        one.post(
            "/login/",
            {"username": "coord_a", "password": "wrong-password"},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
    # The same proxy, another client: not locked out by the first one's guesses.
    signed_in = other.post(
        "/login/",
        {"username": "coord_a", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.8"},
    )
    assert signed_in.status_code == 302


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Short1!x", "too short"),
        ("1234567890123", "entirely numeric"),
        ("password1234", "too common"),
        ("mariya.ivanova.77", "too similar"),
    ],
)
def test_weak_passwords_are_refused(password: str, why: str) -> None:
    user = User(username="mariya.ivanova", first_name="Mariya", last_name="Ivanova")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert why in " ".join(refused.value.messages)


def test_a_long_unusual_password_is_accepted() -> None:
    validate_password("кот-в-сапогах-идёт-на-работу", f.UserFactory.build())
