"""Rate limits on Django's cache: fixed windows, shared by every process that shares the cache.

Limits live in one setting, ``RATE_LIMITS`` (bucket → (attempts, seconds)). A window is
counted with ``cache.add`` + ``cache.incr``, which are atomic on Redis and per process on the
local-memory cache, so several web processes need the Redis cache (see docs/security.md).
While the cache's server is down nothing is counted (a warning is logged): asking for help
must not wait on it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

from ryadom.core.errors import ApplicationError
from ryadom.core.http import client_ip

logger = logging.getLogger(__name__)


class RateLimitedError(ApplicationError):
    """Too many attempts of one kind from one person or address; try again later."""

    status_code = 429

    def __init__(self, *, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            ngettext(
                "Too many attempts. Please wait %(minutes)d minute and try again.",
                "Too many attempts. Please wait %(minutes)d minutes and try again.",
                minutes,
            )
            % {"minutes": minutes}
        )
        self.retry_after = retry_after


def client_key(request: HttpRequest) -> str:
    """Who is asking: the signed-in user, or else the address the request came from."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def rate_limit_hit(*, bucket: str, key: str) -> None:
    """Count one attempt in `bucket` by `key`; raise RateLimitedError once the limit is used up."""
    limit = settings.RATE_LIMITS.get(bucket)
    if not limit:
        return
    attempts, seconds = limit
    now = time.time()
    window = int(now // seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # addresses are personal data
    cache_key = f"ratelimit:{bucket}:{digest}:{window}"
    try:
        hits = _count(cache_key, seconds)
    except Exception:  # the cache's server is down: the limit waits, the service does not
        logger.warning("rate limit %s not counted: the cache is unavailable", bucket, exc_info=True)
        return
    if hits > attempts:
        raise RateLimitedError(retry_after=max(1, int((window + 1) * seconds - now)))


def _count(cache_key: str, seconds: int) -> int:
    cache.add(cache_key, 0, timeout=seconds + 1)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # the window expired between add and incr
        cache.set(cache_key, 1, timeout=seconds + 1)
        return 1
