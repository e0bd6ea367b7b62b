"""Deployment checks of our own, run by `ryadom check --deploy` beside Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_required_in_production(**kwargs: Any) -> list[CheckMessage]:
    """Staff without a second factor is a setting for a local demo, never for production."""
    if settings.PRODUCTION and not settings.TWO_FACTOR_REQUIRED:
        return [
            Warning(
                "RYADOM_2FA_REQUIRED is off: staff sign in with a password only.",
                hint="Unset RYADOM_2FA_REQUIRED in production.",
                id="ryadom.security.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def shared_cache_for_several_processes(**kwargs: Any) -> list[CheckMessage]:
    """Rate limits counted in one process's memory let a client spread over the others."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PRODUCTION and backend.endswith("LocMemCache"):
        return [
            Warning(
                "Rate limits are counted in each web process's own memory.",
                hint="Set RYADOM_CACHE_URL=redis://… when more than one process serves the site.",
                id="ryadom.security.W002",
            )
        ]
    return []
