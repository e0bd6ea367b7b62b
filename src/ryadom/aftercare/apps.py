from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    name = "ryadom.aftercare"
    label = "aftercare"
    verbose_name = _("After discharge")

    def ready(self) -> None:
        # A withdrawn hand-over consent stops the hand-over (veterans/events.py).
        from ryadom.aftercare import services
        from ryadom.veterans import events

        events.consent_withdrawn.subscribe(services.handover_consent_withdrawn)
