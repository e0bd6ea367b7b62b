"""Checks about to expire are warned of 30 days ahead; expired ones block work at once."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_claim
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError
from ryadom.institutions.models import AccessLevel, InstitutionKind
from ryadom.notifications.models import Message
from ryadom.veterans.stays import stay_transfer
from ryadom.volunteers.models import CheckKind, CheckStatus, ExpiryWarningRun
from ryadom.volunteers.services import check_record
from ryadom.volunteers.tasks import next_sweep_at, warn_expiring_checks
from tests import factories as f
from tests.conftest import Cast, make_ready_for_care
from tests.notifications.conftest import reachable

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
MORNING = datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)


def screening_until(cast: Cast, until: datetime.date) -> None:
    for status in (CheckStatus.REQUESTED, CheckStatus.IN_PROGRESS):
        check_record(
            actor=cast.ngo_manager,
            volunteer=cast.volunteer_a,
            kind=CheckKind.SCREENING,
            status=status,
        )
    check_record(
        actor=cast.ngo_manager,
        volunteer=cast.volunteer_a,
        kind=CheckKind.SCREENING,
        status=CheckStatus.PASSED,
        valid_until=until,
    )


def warnings() -> list[tuple[str, str]]:
    return sorted(
        Message.objects.filter(kind__in=["check_expiring", "member_check_expiring"]).values_list(
            "recipient__username", "kind"
        )
    )


@time_machine.travel(MORNING, tick=False)
def test_the_volunteer_and_the_ngo_manager_hear_30_days_ahead_once(cast: Cast) -> None:
    reachable(cast.volunteer_user)
    reachable(cast.ngo_manager)
    screening_until(cast, TODAY + datetime.timedelta(days=31))
    assert warn_expiring_checks.call() == "2026-06-01: warned about 0 checks"
    assert warnings() == []

    with time_machine.travel(MORNING + datetime.timedelta(days=1), tick=False):
        assert warn_expiring_checks.call() == "2026-06-02: warned about 1 checks"
        assert warn_expiring_checks.call() == "2026-06-02: already swept"
    assert warnings() == [
        ("ngo_manager", "member_check_expiring"),
        ("volunteer", "check_expiring"),
    ]
    mail = Message.objects.get(kind="member_check_expiring")
    assert mail.body.startswith("The “Security screening” of ")
    assert "2 July 2026" in mail.body and "/ngo/members/" in mail.body

    # The next days' sweeps find the same check and expiry: nothing new is sent.
    with time_machine.travel(MORNING + datetime.timedelta(days=2), tick=False):
        warn_expiring_checks.call()
    assert len(warnings()) == 2
    assert list(ExpiryWarningRun.objects.values_list("day", "warned")) == [
        (TODAY, 0),
        (TODAY + datetime.timedelta(days=1), 1),
        (TODAY + datetime.timedelta(days=2), 1),
    ]

    # Renewed for a year and, eleven months later, warned about again.
    screening_until(cast, TODAY + datetime.timedelta(days=400))
    with time_machine.travel(MORNING + datetime.timedelta(days=375), tick=False):
        warn_expiring_checks.call()
    assert len(warnings()) == 4


def test_an_expired_screening_refuses_claims_and_assignments_the_day_after_with_what_is_missing(
    cast: Cast,
) -> None:
    make_ready_for_care(cast)
    hospital = f.InstitutionFactory(
        kind=InstitutionKind.MILITARY_HOSPITAL, access_level=AccessLevel.SCREENING
    )
    f.AgreementFactory(institution=hospital, organisation=cast.ngo_a)
    for weekday in range(7):
        hospital.visiting_hours.create(
            weekday=weekday, starts=datetime.time(0), ends=datetime.time(23, 59)
        )
    today = timezone.localdate()
    stay_transfer(actor=None, veteran=cast.veteran_a, institution=hospital, on=today)
    last_valid_day = today + datetime.timedelta(days=10)
    screening_until(cast, last_valid_day)
    request = request_create(
        actor=cast.relative,
        service_type=ServiceType.objects.get(code="leisure.conversation"),
        institution=hospital,
        veteran=cast.veteran_a,
        channel="web",
    )
    request_triage(actor=cast.coord_a, request=request)

    day_after = timezone.make_aware(datetime.datetime.combine(last_valid_day, datetime.time(10)))
    with time_machine.travel(day_after + datetime.timedelta(days=1), tick=False):
        with pytest.raises(ApplicationError) as assign:
            request_assign(actor=cast.coord_a, request=request, volunteer=cast.volunteer_a)
        with pytest.raises(ApplicationError) as claim:
            request_claim(actor=cast.volunteer_user, request=request)
    for refused in (assign.value, claim.value):
        assert refused.message == "Not yet possible: Security screening has expired."
    with time_machine.travel(day_after, tick=False):  # its last day still counts
        assert (
            request_claim(actor=cast.volunteer_user, request=request).volunteer == cast.volunteer_a
        )


@time_machine.travel(MORNING, tick=False)
def test_the_command_sweeps_today_once_and_the_next_sweep_is_due_tomorrow_morning(
    db: None,
) -> None:
    out = io.StringIO()
    call_command("warn_expiring_checks", "--now", stdout=out)
    call_command("warn_expiring_checks", "--now", stdout=out)
    assert out.getvalue().splitlines() == [
        "2026-06-01: warned about 0 checks",
        "2026-06-01: already swept",
    ]
    assert next_sweep_at(TODAY).isoformat() == "2026-06-02T09:00:00+03:00"
