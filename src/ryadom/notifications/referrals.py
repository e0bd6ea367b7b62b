"""What referrals tell whom: subscribers of referrals' events (referrals/events.py), run in the
transaction of the referral service that published them.

The partner is reached at its e-mail through an account that only receives messages
(`accounts.services.contact_account_get_or_create`); its messages name no veteran, only the
need and the signed link, which shows the details while the veteran's consent holds.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from ryadom.accounts.models import User
from ryadom.accounts.services import contact_account_get_or_create
from ryadom.notifications.services import notify
from ryadom.referrals.links import partner_url
from ryadom.referrals.models import Need, Referral, Status


def _partner_account(referral: Referral) -> User | None:
    email = referral.partner.email
    return contact_account_get_or_create(address=email) if email else None


def _partner_context(referral: Referral) -> dict[str, object]:
    return {
        "partner": referral.partner.name,
        "need": Need(referral.need).label,
        "due": referral.answer_due,
        "url": partner_url(referral),
    }


def _coordinator_url(referral: Referral) -> str:
    return f"{settings.SITE_URL}{reverse('referrals:detail', args=[referral.pk])}"


def referral_sent(*, referral: Referral) -> None:
    """The partner gets its link."""
    if (account := _partner_account(referral)) is not None:
        notify(
            recipient=account,
            kind="referral_to_partner",
            context=_partner_context(referral),
            dedupe_key=f"referral:{referral.pk}:sent",
        )


def referral_answer_due(*, referral: Referral) -> None:
    """The partner is reminded before the answer is due."""
    if (account := _partner_account(referral)) is not None:
        notify(
            recipient=account,
            kind="referral_reminder",
            context=_partner_context(referral),
            dedupe_key=f"referral:{referral.pk}:reminder",
        )


def referral_cancelled(*, referral: Referral) -> None:
    """A partner who had the referral hears that it is withdrawn."""
    if (account := _partner_account(referral)) is not None:
        context = _partner_context(referral)
        del context["url"], context["due"]
        notify(
            recipient=account,
            kind="referral_withdrawn",
            context=context,
            dedupe_key=f"referral:{referral.pk}:withdrawn",
        )


def _tell_referrer(referral: Referral, *, kind: str, key: str, urgent: bool) -> None:
    coordinator = referral.created_by
    if not coordinator.is_active:
        return
    notify(
        recipient=coordinator,
        kind=kind,
        context={
            "number": f"#{referral.pk}",
            "partner": referral.partner.name,
            "need": Need(referral.need).label,
            "status": Status(referral.status).label,
            "due": referral.answer_due,
            "phone": referral.partner.phone or "—",
            "url": _coordinator_url(referral),
        },
        urgent=urgent,
        dedupe_key=f"referral:{referral.pk}:{key}",
    )


def referral_answered(*, referral: Referral, action: str) -> None:
    """The coordinator who referred hears each answer of the partner."""
    _tell_referrer(referral, kind="referral_answered", key=f"answer:{action}", urgent=False)


def referral_overdue(*, referral: Referral) -> None:
    """No answer by the deadline: the coordinator who referred hears at once."""
    _tell_referrer(referral, kind="referral_overdue", key="overdue", urgent=True)
