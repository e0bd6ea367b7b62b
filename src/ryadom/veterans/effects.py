"""The one place where a change of a veteran causes work in the apps above (care,
notifications). Each function here is to become a published event that those apps subscribe
to; until then the imports stay inside the functions, so veterans does not import them at load.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.institutions.models import Department, Institution
from ryadom.veterans.models import Stay, Veteran


def veteran_moved(
    *, actor: User | None, veteran: Veteran, institution: Institution, department: Department | None
) -> None:
    """Open requests follow the veteran to the new place (event: "veteran moved")."""
    from ryadom.care.services import requests_follow_veteran

    requests_follow_veteran(
        actor=actor, veteran=veteran, institution=institution, department=department
    )


def veteran_discharged(*, actor: User, stay: Stay) -> None:
    """Requests at the place the veteran left, not yet under way, are cancelled (event:
    "veteran discharged"); the requester side is told by care, as for any cancellation."""
    from ryadom.care.models import CareRequest, Status
    from ryadom.care.services import request_cancel

    waiting = CareRequest.objects.filter(
        veteran_id=stay.veteran_id,
        institution_id=stay.institution_id,
        status__in=[Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.SCHEDULED],
    ).order_by("pk")
    for request in waiting:
        request_cancel(actor=actor, request=request, reason=_("The veteran has been discharged."))


def person_told(*, recipient: User, kind: str, context: dict[str, Any], key: str) -> None:
    """A person hears of something through the outbox (event: "person to be told")."""
    from ryadom.notifications.services import notify

    notify(recipient=recipient, kind=kind, context=context, dedupe_key=key)
