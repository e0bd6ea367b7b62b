"""The NOTIFICATIONS settings, typed; read on every use so overrides take effect at once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class NotificationSettings:
    sms_gateway_url: str
    sms_gateway_key: str
    telegram_api_base: str
    telegram_bot_token: str
    http_timeout: float
    max_attempts: int
    backoff: datetime.timedelta
    backoff_max: datetime.timedelta
    lease: datetime.timedelta
    queue: str
    # Urgent messages (sign-in codes among them) go to this queue, served first.
    urgent_queue: str
    # At most this many volunteers are told of one open request.
    alerts_per_need: int
    # A volunteer hears of at most this many new requests a day (their local day).
    alerts_per_volunteer_per_day: int
    # How long the status link in a requester's message stays valid.
    status_link_max_age: datetime.timedelta
    # When coordinators get the daily digest, in their region's local time.
    digest_at: datetime.time


def notification_settings() -> NotificationSettings:
    raw: dict[str, Any] = settings.NOTIFICATIONS
    return NotificationSettings(
        sms_gateway_url=str(raw["SMS_GATEWAY_URL"]),
        sms_gateway_key=str(raw["SMS_GATEWAY_KEY"]),
        telegram_api_base=str(raw["TELEGRAM_API_BASE"]).rstrip("/"),
        telegram_bot_token=str(raw["TELEGRAM_BOT_TOKEN"]),
        http_timeout=float(raw["HTTP_TIMEOUT_SECONDS"]),
        max_attempts=int(raw["MAX_ATTEMPTS"]),
        backoff=datetime.timedelta(seconds=float(raw["BACKOFF_SECONDS"])),
        backoff_max=datetime.timedelta(seconds=float(raw["BACKOFF_MAX_SECONDS"])),
        lease=datetime.timedelta(seconds=float(raw["LEASE_SECONDS"])),
        queue=str(raw["QUEUE"]),
        urgent_queue=str(raw.get("URGENT_QUEUE") or raw["QUEUE"]),
        alerts_per_need=int(raw.get("ALERTS_PER_NEED", 5)),
        alerts_per_volunteer_per_day=int(raw.get("ALERTS_PER_VOLUNTEER_PER_DAY", 3)),
        status_link_max_age=datetime.timedelta(days=float(raw.get("STATUS_LINK_DAYS", 30))),
        digest_at=datetime.time.fromisoformat(str(raw.get("DIGEST_AT", "08:00"))),
    )
