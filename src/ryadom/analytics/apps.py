from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ryadom.analytics"
    label = "analytics"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # A changed request refreshes its fact and rollups after commit (care/events.py);
        # so does a discharge, its plan or contacts, and a referral (docs/analytics.md).
        from ryadom.aftercare import events as aftercare
        from ryadom.analytics import hooks
        from ryadom.care import events
        from ryadom.referrals import events as referrals
        from ryadom.veterans import events as veterans

        events.request_changed.subscribe(hooks.request_changed)
        veterans.veteran_discharged.subscribe(hooks.veteran_discharged)
        aftercare.discharge_changed.subscribe(hooks.discharge_changed)
        for event in (
            referrals.referral_sent,
            referrals.referral_answered,
            referrals.referral_cancelled,
        ):
            event.subscribe(hooks.referral_changed)
