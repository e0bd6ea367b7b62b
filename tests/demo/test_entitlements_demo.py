"""The navigator in the small demo: answered through the services, the demo veteran has
measures to apply for, and the demo's payment question reaches Moscow's named person."""

from __future__ import annotations

import pytest
from django.test import Client

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest
from ryadom.demo.accounts import ensure_demo_accounts
from ryadom.entitlements.models import ChecklistItem, Circumstances
from ryadom.entitlements.selectors import open_questions_by_region
from tests.demo.small import TODAY

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("small_demo")
def test_demo_checklists_are_answered_through_the_services() -> None:
    answered = Circumstances.objects.count()
    assert answered >= 3
    recorded = AuditEvent.objects.filter(action="circumstances.recorded").count()
    assert recorded == answered
    marks = ChecklistItem.objects.count()
    assert AuditEvent.objects.filter(action="checklist.marked").count() == marks > 0
    # The plan's requests exactly: payment questions come with the demo accounts.
    assert not CareRequest.objects.filter(service_type__code="benefits.payment_issue").exists()


@pytest.mark.usefixtures("small_demo")
def test_the_demo_veteran_sees_measures_to_apply_for_and_the_coordinator_the_open_question(
    client: Client,
) -> None:
    ensure_demo_accounts(today=TODAY)
    ensure_demo_accounts(today=TODAY)  # twice: nothing doubles
    veteran = User.objects.get(username="veteran")
    client.force_login(veteran)
    checklist = client.get("/my/entitlements/", follow=True)
    page = checklist.content.decode()
    assert page.count('data-testid="to-apply"') >= 2
    assert "Демонстрационный образец, не юридическая консультация" in page
    coordinator = User.objects.get(username="coord-moscow")
    issue = CareRequest.objects.get(
        veteran__user=veteran, service_type__code="benefits.payment_issue"
    )
    assert issue.coordinator == coordinator
    moscow = {q.region.code: q for q in open_questions_by_region(actor=coordinator)}["77"]
    assert moscow.payment_issues >= 1
