"""A fake Telegram Bot API that takes every method, not only sendMessage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.notifications.fakes import FakeHttpServer, HttpCall


@dataclass
class FakeBotApi(FakeHttpServer):
    """Keeps each Bot API call as (method, parameters); sendMessage also lands in `telegram`
    as the notifications channel expects."""

    bot_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        prefix = f"/bot{self.telegram_token}/"
        if not path.startswith(prefix):
            return super().answer(path, headers, body)
        method = path[len(prefix) :]
        with self._lock:
            self.calls.append(HttpCall(path, headers, body))
            if self.fail_with is not None:
                return self.fail_with, {"ok": False, "description": "fake failure"}
            self.bot_calls.append((method, body))
            if method == "sendMessage":
                self.telegram.append(body)
                return 200, {"ok": True, "result": {"message_id": len(self.telegram)}}
            return 200, {"ok": True, "result": True}
