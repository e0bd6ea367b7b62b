"""`ryadom notifications_requeue`: a safety net for messages whose delivery task was lost."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ryadom.care.services.intake import requests_announce_waiting
from ryadom.notifications.conf import notification_settings
from ryadom.notifications.digest import digests_ensure
from ryadom.notifications.services import messages_requeue_stale


class Command(BaseCommand):
    help = (
        "Enqueue deliveries for messages long overdue (a process died before enqueueing), "
        "the announcement of new requests whose task was lost (their requester's message), "
        "and make sure the coordinators' daily digests are planned."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = messages_requeue_stale()
        self.stdout.write(f"requeued {count} message(s)")
        announced = requests_announce_waiting(older_than=notification_settings().lease)
        self.stdout.write(f"requeued the announcement of {announced} request(s)")
        planned = digests_ensure()
        self.stdout.write(f"planned {planned} digest day(s)")
