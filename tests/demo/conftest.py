from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from tests.demo.small import MOSCOW, TODAY, make_small


@pytest.fixture(autouse=True)
def _on_the_demo_day(time_machine: Any) -> None:
    # The services the generator calls date their rules by the real day (no expiry or
    # opening in the past), so the demo is made on the day it is generated for.
    time_machine.move_to(datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=MOSCOW))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The demo accounts hash their password once per run; PBKDF2 would make that 0.5 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def small_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The small demo, made once for the tests of a module that ask for it.

    Generating it takes seconds, and most tests only read it; so it is made in a transaction
    that the module's tests run inside (each in a savepoint of its own, rolled back after
    it) and that is rolled back when the module ends. A module that asks for it must not
    hold a test that needs an empty database (those are in test_demo_commands.py).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(
            datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=MOSCOW), tick=False
        ):
            make_small()
        yield
        transaction.set_rollback(True)
