from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitlementsConfig(AppConfig):
    name = "ryadom.entitlements"
    label = "entitlements"
    verbose_name = _("Support measures")

    def ready(self) -> None:
        # A payment question goes to the region's named person (care/events.py).
        from ryadom.care import events
        from ryadom.entitlements.services import owner_of_payment_issue

        events.request_owner.subscribe(owner_of_payment_issue)
