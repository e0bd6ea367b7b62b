"""The referrals' settings (`REFERRALS` in settings.py), with their defaults."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class ReferralSettings:
    answer_within: datetime.timedelta  # the partner's time to accept or decline
    remind_before: datetime.timedelta  # the partner is reminded this long before it ends
    link_max_age: datetime.timedelta  # how long a partner's signed link works
    sweep_every: datetime.timedelta  # how often the answer sweep runs


def referral_settings() -> ReferralSettings:
    values = getattr(settings, "REFERRALS", {})
    return ReferralSettings(
        answer_within=datetime.timedelta(hours=values.get("ANSWER_HOURS", 72)),
        remind_before=datetime.timedelta(hours=values.get("REMIND_BEFORE_HOURS", 24)),
        link_max_age=datetime.timedelta(days=values.get("LINK_MAX_AGE_DAYS", 30)),
        sweep_every=datetime.timedelta(minutes=values.get("SWEEP_MINUTES", 60)),
    )
