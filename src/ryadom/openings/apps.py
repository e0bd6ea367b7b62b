from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpeningsConfig(AppConfig):
    name = "ryadom.openings"
    label = "openings"
    verbose_name = _("Openings for volunteers")

    def ready(self) -> None:
        # Shifts count towards the weekly hour limit care checks (care/events.py).
        from ryadom.care import events
        from ryadom.openings.selectors import shift_hours

        events.other_planned_hours.subscribe(shift_hours)
