"""Many checks recorded at once follow the same rules as one, with one audit row a step."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ryadom.audit.models import AuditEvent
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.volunteers.models import Check, CheckKind, CheckStatus
from ryadom.volunteers.services import CheckStep, check_record, checks_record
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

K, S = CheckKind, CheckStatus


def _screening(cast: Cast, volunteer: object, until: datetime.date) -> list[CheckStep]:
    manager = cast.ngo_manager
    return [
        CheckStep(manager, volunteer, K.SCREENING, S.REQUESTED),  # type: ignore[arg-type]
        CheckStep(manager, volunteer, K.SCREENING, S.IN_PROGRESS),  # type: ignore[arg-type]
        CheckStep(manager, volunteer, K.SCREENING, S.PASSED, until),  # type: ignore[arg-type]
    ]


def test_a_batch_records_each_step_in_order_with_its_audit_row(cast: Cast) -> None:
    year = timezone.localdate() + datetime.timedelta(days=365)
    others = [f.VolunteerFactory(region=cast.volunteer_a.region) for _ in range(20)]
    for volunteer in others:
        f.MembershipFactory(volunteer=volunteer, organisation=cast.ngo_a)
    steps = [
        CheckStep(cast.ngo_manager, v, K.IDENTITY, S.PASSED) for v in [cast.volunteer_a, *others]
    ]
    steps.append(CheckStep(cast.liaison, cast.volunteer_a, K.TRAINING, S.PASSED, year, "Курс"))
    steps += _screening(cast, cast.volunteer_a, year)

    with CaptureQueriesContext(connection) as queries:
        checks_record(steps)

    # A handful of queries for 25 steps of 21 volunteers, not a few per step.
    assert len(queries) < 15
    held = {c.kind: c for c in Check.objects.filter(volunteer=cast.volunteer_a)}
    assert held[K.SCREENING].status == S.PASSED and held[K.SCREENING].valid_until == year
    assert held[K.TRAINING].verified_by == cast.liaison and held[K.TRAINING].detail == "Курс"
    assert Check.objects.filter(kind=K.IDENTITY, status=S.PASSED).count() == 21
    audit = AuditEvent.objects.filter(action="check.recorded")
    assert audit.count() == len(steps)
    screening = audit.filter(target_id=str(held[K.SCREENING].pk)).order_by("id")
    assert [e.changes["status"] for e in screening] == [
        [S.REQUESTED, S.REQUESTED],
        [S.REQUESTED, S.IN_PROGRESS],
        [S.IN_PROGRESS, S.PASSED],
    ]


def test_a_batch_continues_checks_recorded_one_at_a_time(cast: Cast) -> None:
    check_record(
        actor=cast.ngo_manager,
        volunteer=cast.volunteer_a,
        kind=K.SCREENING,
        status=S.REQUESTED,
    )
    year = timezone.localdate() + datetime.timedelta(days=365)

    checks_record(_screening(cast, cast.volunteer_a, year)[1:])

    check = Check.objects.get(volunteer=cast.volunteer_a, kind=K.SCREENING)
    assert check.status == S.PASSED
    assert AuditEvent.objects.filter(action="check.recorded", target_id=str(check.pk)).count() == 3


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ("outsider", PermissionDeniedError, "You may not record checks of this volunteer."),
        ("past", ApplicationError, "The expiry date is in the past."),
        ("order", ConflictError, "A screening that is"),
    ],
)
def test_one_refused_step_records_nothing_of_the_batch(
    cast: Cast, bad: str, error: type[Exception], message: str
) -> None:
    year = timezone.localdate() + datetime.timedelta(days=365)
    steps = [CheckStep(cast.ngo_manager, cast.volunteer_a, K.IDENTITY, S.PASSED)]
    steps += _screening(cast, cast.volunteer_a, year)
    if bad == "outsider":  # a member of another NGO
        steps.append(CheckStep(cast.ngo_manager, cast.volunteer_b, K.IDENTITY, S.PASSED))
    elif bad == "past":
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        steps.append(CheckStep(cast.ngo_manager, cast.volunteer_a, K.MEDICAL, S.PASSED, yesterday))
    else:  # passed straight from nothing
        other = cast.volunteer_a
        steps = [steps[0], CheckStep(cast.ngo_manager, other, K.SCREENING, S.PASSED, year)]

    with pytest.raises(error, match=message):
        checks_record(steps)

    assert not Check.objects.exists()
    assert not AuditEvent.objects.filter(action="check.recorded").exists()
