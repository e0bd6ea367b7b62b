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
        from django.core import checks

        from ryadom.notifications import tasks  # noqa: F401
        from ryadom.notifications.checks import delivery_queues_check

        checks.register(delivery_queues_check)
        self._subscribe()

    def _subscribe(self) -> None:
        """Who hears what when the apps below change (their events.py lists the payloads)."""
        from ryadom.accounts import events as accounts
        from ryadom.aftercare import events as aftercare
        from ryadom.care import events as care
        from ryadom.notifications import after_discharge, people, producers, referrals
        from ryadom.referrals import events as referral_events
        from ryadom.veterans import events as veterans
        from ryadom.volunteers import events as volunteers

        accounts.account_created.subscribe(people.account_created)
        accounts.code_created.subscribe(people.code_created)
        volunteers.membership_requested.subscribe(people.membership_requested)
        volunteers.membership_decided.subscribe(people.membership_decided)
        volunteers.check_expiring.subscribe(people.check_expiring)

        care.request_received.subscribe(producers.request_received)
        care.request_opened.subscribe(producers.request_opened)
        care.request_assigned.subscribe(producers.request_assigned)
        care.volunteer_assigned.subscribe(producers.volunteer_assigned)
        care.volunteer_released_by_move.subscribe(producers.volunteer_released_by_move)
        care.visit_scheduled.subscribe(producers.visit_scheduled)
        care.request_done.subscribe(producers.request_done)
        care.request_cancelled.subscribe(producers.request_cancelled)
        care.request_escalated.subscribe(producers.request_escalated)
        care.complaint_made.subscribe(producers.complaint_made)
        care.debrief_upset.subscribe(producers.debrief_upset)
        referral_events.referral_sent.subscribe(referrals.referral_sent)
        referral_events.referral_answer_due.subscribe(referrals.referral_answer_due)
        referral_events.referral_cancelled.subscribe(referrals.referral_cancelled)
        referral_events.referral_answered.subscribe(referrals.referral_answered)
        referral_events.referral_overdue.subscribe(referrals.referral_overdue)
        veterans.person_to_be_told.subscribe(people.person_to_be_told)
        veterans.erasure_asked.subscribe(people.erasure_asked)
        veterans.veteran_anonymising.subscribe(people.veteran_anonymising)
        aftercare.handover_received.subscribe(after_discharge.handover_received)
        aftercare.first_contact_overdue.subscribe(after_discharge.first_contact_overdue)
        aftercare.contact_escalated.subscribe(after_discharge.contact_escalated)
        aftercare.contact_due.subscribe(after_discharge.contact_due)
        aftercare.help_asked.subscribe(after_discharge.help_asked)
