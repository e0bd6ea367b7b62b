"""A sign-in starts the session's clock (see SessionLifetimeMiddleware)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from ryadom.security.middleware import LAST_SEEN, SIGNED_IN_AT


@receiver(user_logged_in, dispatch_uid="ryadom.security.session_clock")
def session_clock_start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now
