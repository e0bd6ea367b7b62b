"""The partner's signed link to one referral: no account needed, expires, and stops working
when the referral's link key changes."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.referrals.conf import referral_settings
from ryadom.referrals.models import Referral

SALT = "ryadom.referrals.partner-link"


class LinkExpired(ApplicationError):
    """A genuine link, too old: the partner asks the coordinator for a new one."""

    status_code = 410

    def __init__(self) -> None:
        super().__init__("This link has expired.")


def partner_token(referral: Referral) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"r": referral.pk, "k": referral.link_key}
    )


def partner_url(referral: Referral) -> str:
    """The full address the partner's e-mail carries."""
    path = reverse("referrals:partner", args=[partner_token(referral)])
    return f"{settings.SITE_URL}{path}"


def partner_link_open(*, token: str) -> Referral:
    """The referral of a valid token; NotFoundError for a forged or revoked one, LinkExpired
    for one older than the setting."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token, max_age=referral_settings().link_max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError):
        raise NotFoundError("Not found.") from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        raise NotFoundError("Not found.")
    referral = (
        Referral.objects.select_related("veteran", "partner", "region")
        .filter(pk=data["r"], link_key=data.get("k"))
        .first()
    )
    if referral is None:
        raise NotFoundError("Not found.")
    return referral
