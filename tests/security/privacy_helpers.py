"""Small helpers shared by the privacy tests (audit, consent, retention, export, uploads)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest, Channel
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.veterans.models import Veteran
from tests.conftest import Cast


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ask(
    c: Cast, *, veteran: Veteran | None = None, actor: User | None = None, details: str = ""
) -> CareRequest:
    """A request for a veteran of hospital A, asked by its liaison unless said otherwise."""
    return request_create(
        actor=actor or c.liaison,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        veteran=veteran or c.veteran_a,
        details=details,
        channel=Channel.WARD,
    )
