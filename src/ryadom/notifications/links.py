"""Signed, expiring status links: a requester follows a request without signing in.

The token names the request and the person it was sent to, signed with the site's secret
(django.core.signing.TimestampSigner) and a salt of its own, so it opens nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest
from ryadom.care.parties import Party, parties_of
from ryadom.core.errors import NotFoundError
from ryadom.notifications.conf import notification_settings

SALT = "ryadom.notifications.status-link"


class LinkExpired(Exception):
    """The link was genuine but is too old: the person should sign in instead."""


@dataclass(frozen=True)
class StatusLink:
    request: CareRequest
    person: User


def status_token(*, request: CareRequest, person: User) -> str:
    """A token for this request and this person, valid for STATUS_LINK_DAYS."""
    signer = signing.TimestampSigner(salt=SALT)
    return signer.sign_object({"r": request.pk, "u": person.pk})


def status_url(*, request: CareRequest, person: User) -> str:
    return f"{settings.SITE_URL}/s/{status_token(request=request, person=person)}/"


def status_link_open(*, token: str) -> StatusLink:
    """The request and person of a valid token; NotFoundError for anything forged or stale
    (including a person who no longer speaks for the request), LinkExpired for an old one."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token, max_age=notification_settings().status_link_max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError):
        raise NotFoundError("Not found.") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "ru"):
        raise NotFoundError("Not found.")
    request_id, person_id = int(data["r"]), int(data["u"])
    request = (
        CareRequest.objects.select_related(
            "service_type", "institution__region", "department", "volunteer__user", "organisation"
        )
        .filter(pk=request_id)
        .first()
    )
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if request is None or person is None or Party.REQUESTER not in parties_of(person, request):
        raise NotFoundError("Not found.")
    return StatusLink(request=request, person=person)
