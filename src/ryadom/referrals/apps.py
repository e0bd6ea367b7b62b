from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "ryadom.referrals"
    label = "referrals"
    verbose_name = _("Referrals to partner services")

    def ready(self) -> None:
        # Define the sweep task against the configured backend at start-up; withdrawing the
        # consent to share with partners stops the sharing (veterans/events.py); a partner's
        # staff are staff for signing in (accounts/events.py).
        from ryadom.accounts import events as accounts_events
        from ryadom.referrals import tasks, veteran_events  # noqa: F401
        from ryadom.referrals.selectors import staff_duty
        from ryadom.referrals.services import referrals_stop_sharing
        from ryadom.veterans import events

        accounts_events.staff_duty_asked.subscribe(staff_duty)
        events.consent_withdrawn.subscribe(referrals_stop_sharing)
        events.veteran_anonymising.subscribe(veteran_events.veteran_anonymising)
        events.veteran_data_requested.subscribe(veteran_events.veteran_data)
