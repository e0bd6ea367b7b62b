"""The small demo discharges veterans with plans, hands them over home and makes contacts."""

from __future__ import annotations

import pytest

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.aftercare.models import ContactAttempt, DischargePlan, PlanStatus
from ryadom.analytics.selectors import Filters, after_ward_measures
from ryadom.analytics.services import rollups_rebuild
from ryadom.audit.models import AuditEvent
from tests import factories as f
from tests.demo.small import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_demo")]


def test_the_demo_hands_veterans_over_home_and_reaches_about_seventy_percent() -> None:
    plans = DischargePlan.objects.all()
    handed = plans.filter(status=PlanStatus.HANDED_OVER)
    pairs = list(handed.values_list("hospital_region__code", "home_region__code"))
    assert ("77", "46") in pairs, pairs
    assert plans.filter(status=PlanStatus.WAITING_CONSENT).exists()
    # Each hand-over went through the service: its audit row and an owner of the home region.
    assert AuditEvent.objects.filter(action="discharge_plan.handed_over").count() == handed.count()
    for plan in handed:
        assert plan.owner is not None
        assert plan.owner.roles.filter(scope_id=plan.home_region_id).exists()
    assert ContactAttempt.objects.exists()
    federal = f.UserFactory(username="aftercare-federal")
    role_assign(actor=None, user=federal, role=Role.FEDERAL_COORDINATOR)
    rollups_rebuild()  # as `ryadom demo-data` does after generating
    period = Filters(start=TODAY.replace(year=TODAY.year - 1), end=TODAY)
    measures = list(after_ward_measures(actor=federal, filters=period).values())
    closed = sum(m.contacts_closed for m in measures)
    reached = sum(m.contacts_reached for m in measures)
    assert closed >= 5 and 0.4 <= reached / closed <= 0.95
    assert any(m.plan_share and 0 < m.plan_share < 1 for m in measures)
