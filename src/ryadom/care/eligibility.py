"""May this volunteer take this request: the institution's access rules plus the service's."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from ryadom.care.models import CareRequest
from ryadom.catalogue.models import Category
from ryadom.veterans.models import HelperGender
from ryadom.volunteers.eligibility import REQUIRED_CHECKS, MissingStep, missing_steps
from ryadom.volunteers.models import CheckKind, Volunteer


def request_missing_steps(
    *, volunteer: Volunteer, request: CareRequest, on: datetime.date
) -> list[MissingStep]:
    """What stops the volunteer from taking the request (empty: nothing does)."""
    missing = missing_steps(volunteer=volunteer, institution=request.institution, on=on)
    service = request.service_type
    institution_needs_screening = (
        CheckKind.SCREENING in REQUIRED_CHECKS[request.institution.access_level]
    )
    if service.needs_security_screening and not institution_needs_screening:
        if not any(
            c.kind == CheckKind.SCREENING
            and c.status == "passed"
            and (c.valid_until is None or c.valid_until >= on)
            for c in volunteer.checks.all()
        ):
            missing.append(MissingStep(CheckKind.SCREENING, _("Security screening is needed.")))
    veteran = request.veteran
    if veteran is not None:
        wants = veteran.preferred_helper_gender
        personal_care = service.same_gender_helper or service.category == Category.HYGIENE
        if personal_care and service.same_gender_helper and volunteer.gender != veteran.gender:
            missing.append(
                MissingStep("gender", _("This help is given by a helper of the same gender."))
            )
        elif personal_care and wants != HelperGender.ANY and volunteer.gender != wants:
            missing.append(
                MissingStep("gender", _("The veteran asked for a helper of another gender."))
            )
    return missing
