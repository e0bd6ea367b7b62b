"""Referrals follow the veteran's record (veterans/events.py): anonymising blanks what was
written about the person, and the export of the veteran's data lists their referrals."""

from __future__ import annotations

from typing import Any

from ryadom.accounts.models import User
from ryadom.referrals.lifecycle import OPEN_STATES
from ryadom.referrals.models import Referral, ReferralEvent, Status
from ryadom.veterans.models import Veteran


def veteran_anonymising(*, veteran: Veteran, account: User | None) -> None:
    """Open referrals stop (nobody is left to help) and the notes about the person go;
    the rows loop closure counts stay."""
    referrals = Referral.objects.filter(veteran=veteran)
    ReferralEvent.objects.filter(referral__in=referrals).update(note="")
    referrals.filter(status__in=OPEN_STATES).update(status=Status.CANCELLED, link_key="")
    referrals.update(note="", answer_note="", share_phone=False)


def veteran_data(*, veteran: Veteran) -> dict[str, Any]:
    """The veteran's referrals with their timelines, for the export of the veteran's data."""
    referrals = (
        Referral.objects.filter(veteran=veteran)
        .select_related("partner")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    return {
        "referrals": [
            {
                "id": r.pk,
                "partner": r.partner.name,
                "need": str(r.get_need_display()),
                "status": str(r.get_status_display()),
                "outcome": str(r.get_outcome_display()) if r.outcome else "",
                "sent_at": r.created_at.isoformat(),
                "note": r.note,
                "timeline": [
                    {"at": e.at.isoformat(), "action": e.action, "to": e.to_status}
                    for e in r.events.all()
                ],
            }
            for r in referrals
        ]
    }
