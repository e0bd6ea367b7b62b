"""What referrals tell the apps above it (docs/architecture.md, "Events")."""

from __future__ import annotations

from ryadom.core.events import Event

referral_sent = Event("referral_sent", referral="the new Referral (status sent)")
referral_answered = Event(
    "referral_answered",
    referral="the Referral after the partner's move (accepted, declined, in progress, done)",
    action="the lifecycle Action taken",
)
referral_cancelled = Event(
    "referral_cancelled", referral="the Referral just cancelled (by a coordinator or consent)"
)
referral_answer_due = Event(
    "referral_answer_due", referral="a Referral still waiting for the partner's answer"
)
referral_overdue = Event(
    "referral_overdue", referral="a Referral the partner did not answer by its deadline"
)
