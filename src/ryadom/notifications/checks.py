"""`manage.py check`: the delivery queues must be queues the task backend accepts."""

from __future__ import annotations

from typing import Any

from django.core import checks


def delivery_queues_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without this, a delivery enqueued on a queue the backend refuses is only logged: the
    message waits for the safety net (a sign-in code for minutes)."""
    from django_tasks import default_task_backend

    from ryadom.notifications.conf import notification_settings

    config = notification_settings()
    allowed = default_task_backend.queues
    return [
        checks.Error(
            f"Messages are delivered from the task queue {name!r}, which the task backend "
            "does not accept.",
            hint=f"Add {name!r} to TASKS['default']['QUEUES'] (and to RQ_QUEUES with RQ).",
            id="notifications.E001",
        )
        for name in sorted({config.urgent_queue, config.queue})
        if allowed and name not in allowed
    ]
