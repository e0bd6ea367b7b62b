"""Rate limits count in the cache (Redis in production); while it is down, asking for help
still works and the attempt goes uncounted (tests/faults/ drills the same with processes)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import Cast, make_ready_for_care
from tests.notifications.fakes import free_port


def test_asking_for_help_works_while_the_cache_server_is_down(
    cast: Cast, client: Client, settings: Any
) -> None:
    make_ready_for_care(cast)
    nobody_listens = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": nobody_listens,
        }
    }
    client.force_login(cast.relative)
    body = {
        "service": "laundry.wash",
        "institution": cast.institution_a.pk,
        "veteran": cast.veteran_a.pk,
    }
    response = client.post("/api/v1/requests", body, content_type="application/json")
    assert response.status_code == 201, response.content
