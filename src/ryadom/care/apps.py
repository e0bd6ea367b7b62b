from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "ryadom.care"
    label = "care"
    verbose_name = _("Care requests")

    def ready(self) -> None:
        # Care follows the veteran's record (veterans/events.py).
        from ryadom.care import veteran_events
        from ryadom.care.services.coordination import requests_follow_veteran
        from ryadom.veterans import events

        events.veteran_moved.subscribe(requests_follow_veteran)
        events.veteran_discharged.subscribe(veteran_events.veteran_discharged)
        events.care_consent_withdrawn.subscribe(veteran_events.consent_withdrawn)
        events.help_under_way.subscribe(veteran_events.help_under_way)
        events.veteran_anonymising.subscribe(veteran_events.veteran_anonymising)
        events.veterans_still_served.subscribe(veteran_events.veterans_still_served)
        events.veteran_data_requested.subscribe(veteran_events.veteran_data)
