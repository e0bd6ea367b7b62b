"""Channels: e-mail (SMTP), SMS (an HTTP gateway) and Telegram (Bot API), one interface.

A channel's `send` either returns (the other side accepted the message) or raises
TemporaryFailure (try again later) or PermanentFailure (retrying will not help).
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from ryadom.accounts.models import User
from ryadom.notifications import events
from ryadom.notifications.conf import notification_settings
from ryadom.notifications.models import ChannelName, Message, Preference


class DeliveryError(Exception):
    """The channel did not accept the message."""


class TemporaryFailure(DeliveryError):
    """Worth another try later: the server is down, busy, slow, or misconfigured on our side."""


class PermanentFailure(DeliveryError):
    """Retrying will not help: the address does not exist or refuses our messages."""


class Channel(Protocol):
    def address_of(self, user: User, preference: Preference) -> str:
        """Where this person gets messages on this channel; empty if nowhere."""

    def send(self, message: Message) -> None:
        """Hand the message over, or raise TemporaryFailure / PermanentFailure."""


def message_id_header(message: Message) -> str:
    """The same Message-ID on every attempt, so a relay or a mailbox can drop a resend."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "ryadom.local"
    return f"<{message.uid}@{domain}>"


class EmailChannel:
    """SMTP through Django's backend, configured with the EMAIL_* settings."""

    def address_of(self, user: User, preference: Preference) -> str:
        return user.email

    def send(self, message: Message) -> None:
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=settings.EMAIL_HOST,
            port=settings.EMAIL_PORT,
            username=settings.EMAIL_HOST_USER,
            password=settings.EMAIL_HOST_PASSWORD,
            use_tls=settings.EMAIL_USE_TLS,
            use_ssl=settings.EMAIL_USE_SSL,
            timeout=settings.EMAIL_TIMEOUT,
            fail_silently=False,
        )
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"Message-ID": message_id_header(message)},
            connection=connection,
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _reply in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {codes}") from exc
            raise TemporaryFailure(f"recipient deferred: {codes}") from exc
        except smtplib.SMTPDataError as exc:
            # 5xx after DATA: the message itself was rejected; 4xx: try later.
            failure = PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure
            raise failure(f"message refused: {exc.smtp_code}") from exc
        except OSError as exc:
            # Connection refused, timeouts, disconnects and every other SMTP error (our
            # credentials or sender address included): the server or our settings will mend.
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def _post_json(
    url: str, payload: dict[str, Any], *, headers: dict[str, str], permanent: set[int]
) -> dict[str, Any]:
    """POST JSON and return the JSON answer; HTTP statuses in `permanent` are final."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise TemporaryFailure("the gateway URL is not set or is not http(s)")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    timeout = notification_settings().http_timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        # Never put the URL in the error: the Telegram token is part of it.
        failure = PermanentFailure if exc.code in permanent else TemporaryFailure
        raise failure(f"HTTP {exc.code}: {exc.read(300).decode(errors='replace')}") from exc
    except OSError as exc:  # URLError, refused connections and timeouts are all OSErrors
        reason = getattr(exc, "reason", exc)
        raise TemporaryFailure(f"{type(exc).__name__}: {reason}") from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    return answer if isinstance(answer, dict) else {}


class SmsChannel:
    """An HTTP SMS gateway: POST {"to", "text"} as JSON, the API key in a header."""

    def address_of(self, user: User, preference: Preference) -> str:
        return user.phone

    def send(self, message: Message) -> None:
        config = notification_settings()
        _post_json(
            config.sms_gateway_url,
            {"to": message.address, "text": message.body},
            headers={
                "X-Api-Key": config.sms_gateway_key,
                # The gateway answers a repeated key with the first result instead of sending
                # again, which makes a resend after a crash safe.
                "Idempotency-Key": str(message.uid),
            },
            permanent={400, 422},
        )


class TelegramChannel:
    """The Telegram Bot API's sendMessage to the chat the person linked.

    The Bot API has no idempotency key: a worker killed after Telegram accepted the message
    but before it was marked sent makes the next attempt send it again (a rare duplicate).
    """

    def address_of(self, user: User, preference: Preference) -> str:
        return preference.telegram_chat_id

    def send(self, message: Message) -> None:
        config = notification_settings()
        payload: dict[str, Any] = {
            "chat_id": message.address,
            "text": f"{message.subject}\n\n{message.body}",
        }
        # The bot's buttons, if the app that runs the bot has any for this message.
        for markup in events.telegram_markup.publish(
            kind=message.kind, dedupe_key=message.dedupe_key, language=message.recipient.language
        ):
            if markup is not None:
                payload["reply_markup"] = markup
                break
        answer = _post_json(
            f"{config.telegram_api_base}/bot{config.telegram_bot_token}/sendMessage",
            payload,
            headers={},
            # 400: no such chat; 403: the person blocked the bot.
            permanent={400, 403},
        )
        if answer.get("ok") is not True:
            raise TemporaryFailure(f"Telegram did not confirm: {str(answer)[:300]}")


# Adding a channel: a class with address_of() and send(), a ChannelName, an entry here.
CHANNELS: dict[str, Callable[[], Channel]] = {
    ChannelName.EMAIL: EmailChannel,
    ChannelName.SMS: SmsChannel,
    ChannelName.TELEGRAM: TelegramChannel,
}


def channel_get(name: str) -> Channel:
    """A channel object; it reads the settings when it sends, so nothing is cached."""
    return CHANNELS[name]()
