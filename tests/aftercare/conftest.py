"""A discharge from the Moscow hospital of a veteran who lives in Rostov (the cast's
veteran_a2), and the plan that hands them over home."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ryadom.aftercare.models import DischargePlan, Need
from ryadom.aftercare.services import PlanInput, plan_record
from ryadom.geo.models import Region
from ryadom.veterans.models import Stay
from ryadom.veterans.stays import stay_discharge
from tests.conftest import Cast


def discharge(cast: Cast, days_ago: int = 0) -> Stay:
    return stay_discharge(
        actor=cast.liaison,
        veteran=cast.veteran_a2,
        on=timezone.localdate() - datetime.timedelta(days=days_ago),
    )


def plan_with_consent(cast: Cast, stay: Stay, method: str = "spoken") -> DischargePlan:
    return plan_record(
        actor=cast.liaison,
        stay=stay,
        data=PlanInput(
            home_region=Region.objects.get(code="61"),
            home_settlement=None,
            needs=[Need.HOME_HELP, Need.WORK_STUDY],
            family_name="Анна Петрова",
            family_phone="+7 900 123-45-67",
            consent_method=method,
            witness="Медсестра Иванова" if method != "later" else "",
        ),
    )


@pytest.fixture
def handed_over(care_cast: Cast) -> DischargePlan:
    return plan_with_consent(care_cast, discharge(care_cast))
