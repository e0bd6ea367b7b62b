from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ryadom.analytics"
    label = "analytics"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # A changed request refreshes its fact and rollups after commit (care/events.py).
        from ryadom.analytics import hooks
        from ryadom.care import events

        events.request_changed.subscribe(hooks.request_changed)
