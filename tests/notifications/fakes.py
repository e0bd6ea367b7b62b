"""Local stand-ins for the outside world: an SMTP relay, an SMS gateway, the Telegram Bot API.

They listen on 127.0.0.1 on a free port, keep what they receive, and can be stopped, started
again on the same port, made to refuse or made to hang, like the real ones on a bad day.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class FakeSmtpServer:
    """An SMTP relay. `messages` drops a resend with a Message-ID it has seen, as mailboxes do;
    `deliveries` keeps every DATA it accepted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.deliveries: list[EmailMessage] = []
        self.refuse_recipients_with: str | None = None  # e.g. "550 No such user"
        # The next N deliveries hang after the relay has kept the message (or, with
        # hang_before_keeping, before), until release() — a relay that never answers.
        self.hang_next = 0
        self.hang_before_keeping = False
        self.hanging = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            _SmtpHandler(self), hostname=HOST, port=self.port, server_hostname="smtp.test"
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._release.set()
            self._controller.stop()
            self._controller = None

    def release(self) -> None:
        self._release.set()

    @property
    def messages(self) -> list[EmailMessage]:
        seen: dict[str, EmailMessage] = {}
        with self._lock:
            for message in self.deliveries:
                seen.setdefault(str(message["Message-ID"]), message)
        return list(seen.values())

    def _keep(self, message: EmailMessage) -> None:
        with self._lock:
            self.deliveries.append(message)

    def _should_hang(self) -> bool:
        with self._lock:
            if self.hang_next > 0:
                self.hang_next -= 1
                return True
            return False


class _SmtpHandler:
    def __init__(self, fake: FakeSmtpServer) -> None:
        self.fake = fake

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.fake.refuse_recipients_with:
            return self.fake.refuse_recipients_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        hang = self.fake._should_hang()
        if not (hang and self.fake.hang_before_keeping):
            self.fake._keep(message)
        if hang:
            self.fake.hanging.set()
            # Wait without blocking the event loop: other connections are still served.
            while not self.fake._release.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"


@dataclass
class HttpCall:
    path: str
    headers: dict[str, str]  # names in lower case
    body: dict[str, Any]


@dataclass
class FakeHttpServer:
    """The SMS gateway (POST /sms/send) and the Telegram Bot API (POST /bot<token>/sendMessage).

    The gateway answers a repeated Idempotency-Key with its first answer and sends nothing new.
    """

    sms_key: str = "test-sms-key"
    telegram_token: str = "123456:test-token"
    port: int = field(default_factory=free_port)
    calls: list[HttpCall] = field(default_factory=list)
    sms: dict[str, dict[str, Any]] = field(default_factory=dict)  # by idempotency key
    telegram: list[dict[str, Any]] = field(default_factory=list)
    fail_with: int | None = None  # answer every call with this HTTP status
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        server = ThreadingHTTPServer((HOST, self.port), _HttpHandler)
        server.fake = self  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        with self._lock:
            self.calls.append(HttpCall(path, headers, body))
            if self.fail_with is not None:
                return self.fail_with, {"ok": False, "description": "fake failure"}
            if path == "/sms/send":
                if headers.get("x-api-key") != self.sms_key:
                    return 401, {"error": "bad key"}
                key = headers.get("idempotency-key", "")
                if key not in self.sms:
                    self.sms[key] = body
                return 200, {"id": key, "status": "queued"}
            if path == f"/bot{self.telegram_token}/sendMessage":
                self.telegram.append(body)
                return 200, {"ok": True, "result": {"message_id": len(self.telegram)}}
            return 404, {"ok": False, "description": "Not Found"}


class _HttpHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        fake: FakeHttpServer = self.server.fake  # type: ignore[attr-defined]
        status, answer = fake.answer(
            self.path, {k.lower(): v for k, v in self.headers.items()}, body
        )
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output quiet
