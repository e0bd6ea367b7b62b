from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "ryadom.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Define the deliver task at start-up, against the configured task backend, not at
        # the first enqueue (when a test's or a request's settings may differ).
        from ryadom.notifications import tasks  # noqa: F401
