"""The production settings pass Django's deployment checklist without a single warning."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

RYADOM = Path(sys.executable).parent / "ryadom"


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Only what production has: none of ours, and none the test run sets for itself.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("RYADOM_") and k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    }
    env.update(
        RYADOM_PRODUCTION="1",
        RYADOM_SECRET_KEY=secrets.token_urlsafe(60),
        RYADOM_ALLOWED_HOSTS="ryadom.example.ru",
        RYADOM_CACHE_URL="redis://127.0.0.1:6379/1",
        RYADOM_VAR_DIR=str(tmp_path),
    )
    env.update(extra)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [RYADOM, "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        ({"RYADOM_2FA_REQUIRED": "0"}, "ryadom.security.W001"),
        ({"RYADOM_CACHE_URL": ""}, "ryadom.security.W002"),
        ({"RYADOM_HTTPS": "0"}, "security.W004"),
    ],
)
def test_check_deploy_warns_when_production_is_weakened(
    tmp_path: Path, change: dict[str, str], warning: str
) -> None:
    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [RYADOM, "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path, **change),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert warning in result.stderr + result.stdout


@pytest.mark.parametrize("setting", ["RYADOM_SECRET_KEY"])
def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path, setting: str) -> None:
    env = _production_env(tmp_path)
    env.pop(setting)
    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [RYADOM, "check"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0
    assert "RYADOM_SECRET_KEY must be set in production" in result.stderr


def test_production_settings_turn_on_https_only_cookies_and_hsts(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.DEBUG)"
    )
    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [RYADOM, "shell", "--no-imports", "-c", code],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "True", "31536000", "False"]
