"""Care continues through transfers: open requests move with the veteran."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ryadom.care.models import Status
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.veterans.stays import stay_transfer
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_open_requests_move_to_the_new_region_and_its_coordinator_with_history_kept(
    care_cast: Cast,
) -> None:
    c = care_cast
    laundry = ServiceType.objects.get(code="laundry.wash")
    waiting = request_create(
        actor=c.relative,
        service_type=laundry,
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel="web",
    )
    assigned = request_create(
        actor=c.relative,
        service_type=laundry,
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel="web",
    )
    request_triage(actor=c.coord_a, request=assigned)
    request_assign(actor=c.coord_a, request=assigned, volunteer=c.volunteer_a)

    stay_transfer(
        actor=c.coord_a, veteran=c.veteran_a, institution=c.institution_b, on=timezone.localdate()
    )

    waiting.refresh_from_db()
    assigned.refresh_from_db()
    for request in (waiting, assigned):
        assert request.institution == c.institution_b
        assert request.region.code == "61"
        assert request.coordinator == c.coord_b
    assert waiting.status == Status.NEW
    assert assigned.status == Status.TRIAGED
    assert assigned.volunteer is None
    assert assigned.wants_previous_volunteer is True
    assert [e.action for e in assigned.events.order_by("at", "pk")] == [
        "create",
        "triage",
        "assign",
        "transfer",
    ]
