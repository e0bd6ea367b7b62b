"""May this volunteer do this opening: the institution's rule, plus what the opening asks."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from ryadom.openings.models import Opening
from ryadom.volunteers.eligibility import REQUIRED_CHECKS, MissingStep, missing_steps
from ryadom.volunteers.models import CheckKind, CheckStatus, Volunteer

MISSING_SKILLS = "skills"


def opening_missing_steps(
    *, volunteer: Volunteer, opening: Opening, on: datetime.date
) -> list[MissingStep]:
    """What stops the volunteer from doing the opening on that day (empty: nothing does).

    The institution's part is `missing_steps`, the one rule; an opening adds the skills it
    needs and, through its kind of help, a security screening where the service asks for one.
    """
    missing = missing_steps(volunteer=volunteer, institution=opening.institution, on=on)
    service = opening.service_type
    if (
        service is not None
        and service.needs_security_screening
        and CheckKind.SCREENING not in REQUIRED_CHECKS[opening.institution.access_level]
        and not any(
            c.kind == CheckKind.SCREENING
            and c.status == CheckStatus.PASSED
            and (c.valid_until is None or c.valid_until >= on)
            for c in volunteer.checks.all()
        )
    ):
        missing.append(MissingStep(CheckKind.SCREENING, _("Security screening is needed.")))
    have = {s.pk for s in volunteer.skills.all()}
    lacking = [s for s in opening.required_skills.all() if s.pk not in have]
    if lacking:
        missing.append(
            MissingStep(
                MISSING_SKILLS,
                _("This opening needs: %(skills)s.")
                % {"skills": ", ".join(str(s) for s in lacking)},
            )
        )
    return missing
