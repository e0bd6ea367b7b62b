from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "ryadom.interop"
    label = "interop"
    verbose_name = _("Data exchange")

    def ready(self) -> None:
        # An anonymised veteran's hospital identifiers go (veterans/events.py).
        from ryadom.interop.fhir.services import referrals_forget_patient
        from ryadom.veterans import events

        events.veteran_anonymising.subscribe(referrals_forget_patient)
