"""A sign-in starts the session's clock and says whether a second factor is due."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from ryadom.accounts.models import User
from ryadom.security.middleware import LAST_SEEN, SECOND_FACTOR_DUE, SIGNED_IN_AT
from ryadom.security.twofactor import has_second_factor


@receiver(user_logged_in, dispatch_uid="ryadom.security.session_clock")
def session_start(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Start the session's clock; whoever has a second factor (staff must, anyone may) owes it."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now
        if has_second_factor(user):
            request.session[SECOND_FACTOR_DUE] = True
