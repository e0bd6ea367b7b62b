from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "ryadom.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        # A veteran's data export includes who saw their data (veterans/events.py).
        from ryadom.privacy.selectors import access_log_section
        from ryadom.veterans import events

        events.veteran_data_requested.subscribe(access_log_section)
