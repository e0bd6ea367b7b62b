from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.demo.small import MOSCOW, TODAY


@pytest.fixture(autouse=True)
def _on_the_demo_day(time_machine: Any) -> None:
    # The services the generator calls date their rules by the real day (no expiry or
    # opening in the past), so the demo is made on the day it is generated for.
    time_machine.move_to(datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=MOSCOW))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The demo accounts hash their password once per run; PBKDF2 would make that 0.5 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
