"""The Bot API, called for the bot's answers (sendMessage, answerCallbackQuery, setWebhook).

Answers in a conversation are sent at once, not through the outbox: a reply that arrives an
hour later answers nothing. If Telegram cannot be reached the reply is logged and dropped; what
the person did has been done, and every message the system owes them goes through the outbox.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ryadom.telegram.conf import telegram_settings

logger = logging.getLogger(__name__)


class BotApiError(Exception):
    """Telegram did not accept the call."""


@dataclass(frozen=True)
class Call:
    """One Bot API method with its parameters."""

    method: str
    payload: dict[str, Any] = field(default_factory=dict)


def bot_call(call: Call) -> dict[str, Any]:
    """POST the call as JSON and return Telegram's `result`, or raise BotApiError."""
    config = telegram_settings()
    url = f"{config.api_base}/bot{config.token}/{call.method}"
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise BotApiError("the Bot API base URL is not http(s)")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(call.payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=config.http_timeout) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        # Never the URL in an error: the token is part of it.
        raise BotApiError(f"{call.method}: HTTP {exc.code}") from exc
    except (OSError, ValueError) as exc:
        raise BotApiError(f"{call.method}: {type(exc).__name__}") from exc
    if not isinstance(answer, dict) or answer.get("ok") is not True:
        raise BotApiError(f"{call.method}: not confirmed")
    result: dict[str, Any] = {"result": answer.get("result")}
    return result


def send_all(calls: Iterable[Call]) -> None:
    """Send the bot's answers in order; one that fails is logged and the rest still go."""
    for call in calls:
        try:
            bot_call(call)
        except BotApiError as exc:
            logger.warning("Telegram answer not sent: %s", exc)
