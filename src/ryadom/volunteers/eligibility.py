"""The one answer to "may this volunteer work in this institution now, and if not, why not".

Used by pages, the API, claims and the matching engine alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ryadom.institutions.models import AccessLevel, Institution
from ryadom.organisations.models import Agreement
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, MembershipStatus, Volunteer

# What each access level asks of a volunteer, beyond an NGO with a valid agreement.
REQUIRED_CHECKS: dict[str, tuple[str, ...]] = {
    AccessLevel.OPEN: (CheckKind.IDENTITY,),
    AccessLevel.PASS: (
        CheckKind.IDENTITY,
        CheckKind.AGREEMENT,
        CheckKind.TRAINING,
        CheckKind.MEDICAL,
    ),
    AccessLevel.SCREENING: (
        CheckKind.IDENTITY,
        CheckKind.AGREEMENT,
        CheckKind.TRAINING,
        CheckKind.MEDICAL,
        CheckKind.SCREENING,
    ),
}

NGO_AGREEMENT = "ngo_agreement"


@dataclass(frozen=True)
class MissingStep:
    code: str  # a CheckKind value, or NGO_AGREEMENT
    message: str | Promise


def _check_holds(check: Check | None, on: datetime.date) -> bool:
    return (
        check is not None
        and check.status == CheckStatus.PASSED
        and (check.valid_until is None or check.valid_until >= on)
    )


def missing_steps(
    *, volunteer: Volunteer, institution: Institution, on: datetime.date
) -> list[MissingStep]:
    """What the volunteer still lacks to work in the institution on that day (empty: may)."""
    missing: list[MissingStep] = []
    has_agreement = (
        Agreement.objects.valid_on(on)
        .filter(
            institution=institution,
            organisation__memberships__volunteer=volunteer,
            organisation__memberships__status=MembershipStatus.APPROVED,
        )
        .exists()
    )
    if not has_agreement:
        missing.append(
            MissingStep(
                NGO_AGREEMENT,
                _("Join an NGO that has a valid agreement with this institution."),
            )
        )
    checks = {c.kind: c for c in volunteer.checks.all()}
    for kind in REQUIRED_CHECKS[institution.access_level]:
        check = checks.get(kind)
        if not _check_holds(check, on):
            label = CheckKind(kind).label
            if check is not None and check.status == CheckStatus.PASSED:
                message = _("%(check)s has expired.") % {"check": label}
            else:
                message = _("%(check)s is needed.") % {"check": label}
            missing.append(MissingStep(kind, message))
    return missing


# What each step means for someone starting out, in the order they are usually done.
STEP_HELP: dict[str, Promise] = {
    NGO_AGREEMENT: _(
        "Join one of the NGOs below that has an agreement with this institution; "
        "its manager approves you."
    ),
    CheckKind.IDENTITY: _("Show your passport to the NGO manager, who records it."),
    CheckKind.AGREEMENT: _("Sign the volunteer agreement with the NGO."),
    CheckKind.TRAINING: _("Complete the training course the institution asks for."),
    CheckKind.MEDICAL: _("Get a medical clearance (the NGO tells you where)."),
    CheckKind.SCREENING: _(
        "Pass the security screening: the NGO submits the request, the result comes back "
        "in a few weeks."
    ),
}


def steps_to_start(access_level: str) -> list[MissingStep]:
    """The steps, in order, that a newcomer takes to work in an institution of this level."""
    kinds = [NGO_AGREEMENT, *REQUIRED_CHECKS[access_level]]
    return [MissingStep(kind, STEP_HELP[kind]) for kind in kinds]
