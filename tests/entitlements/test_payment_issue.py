""" "A payment is late or wrong": the region's named person owns it, with the deadline of the
service's standard; the open questions per region count it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.care.models import CareRequest
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.core.validation import InvalidInput
from ryadom.entitlements.models import Measure
from ryadom.entitlements.selectors import open_questions_by_region
from ryadom.entitlements.services import (
    checklist_mark,
    circumstances_record,
    payment_contact_set,
)
from ryadom.veterans.stays import stay_discharge
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
def test_a_payment_question_goes_to_the_regions_named_person_with_its_deadline(
    client: Client, care_cast: Cast
) -> None:
    named = f.UserFactory(username="payments_77", first_name="Ольга", last_name="Петрова")
    region = care_cast.institution_a.region
    role_assign(actor=None, user=named, role=Role.REGIONAL_COORDINATOR, scope_id=region.pk)
    payment_contact_set(actor=care_cast.federal, region=region, user=named)

    client.force_login(care_cast.veteran_user)
    response = client.post(
        f"/api/v1/veterans/{care_cast.veteran_a.pk}/payment-issues",
        {"measure": "federal.monthly_payment", "details": "Мартовская выплата не пришла"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    request = CareRequest.objects.get(pk=response.json()["request_id"])
    assert request.coordinator == named  # not coord_a, the region's first coordinator
    assert request.deadline == NOW + datetime.timedelta(hours=72)
    assert response.json()["owner"] == "Ольга Петрова"
    assert request.details.startswith("[federal.monthly_payment] ")
    groceries = request_create(
        actor=care_cast.veteran_user,
        service_type=ServiceType.objects.get(code="purchases.groceries"),
        institution=care_cast.institution_a,
        veteran=care_cast.veteran_a,
        channel="web",
    )
    assert groceries.coordinator == care_cast.coord_a  # other services: the usual owner

    assert [q.payment_issues for q in open_questions_by_region(actor=care_cast.coord_a)] == [1]
    assert open_questions_by_region(actor=care_cast.coord_b) == []
    client.force_login(care_cast.coord_a)
    dashboard = client.get("/dashboard/regions/77/").content.decode()
    shown = dashboard.split('data-testid="entitlement-questions"')[1].split("</dl>")[0]
    assert [cell.split("<")[0] for cell in shown.split('value">')[1:]] == ["1", "0"]


def test_without_a_named_person_the_regions_coordinator_owns_it_from_the_checklist_page(
    client: Client, care_cast: Cast
) -> None:
    client.force_login(care_cast.relative)
    url = f"/veterans/{care_cast.veteran_a.pk}/entitlements/payment-issue/"
    assert client.post(url, {"details": "Выплата меньше, чем раньше"}).status_code == 302
    request = CareRequest.objects.get(service_type__code="benefits.payment_issue")
    assert request.coordinator == care_cast.coord_a
    assert request.deadline - request.created_at == datetime.timedelta(hours=72)
    # Empty details: said on the page, nothing created.
    response = client.post(url, {"details": ""})
    assert response.status_code == 400
    assert CareRequest.objects.count() == 1
    client.force_login(care_cast.coord_b)
    assert client.post(url, {"details": "x"}).status_code == 404


def test_only_a_coordinator_of_the_region_can_be_its_named_person(care_cast: Cast) -> None:
    region = care_cast.institution_a.region
    with pytest.raises(InvalidInput) as refused:
        payment_contact_set(actor=care_cast.federal, region=region, user=care_cast.coord_b)
    assert "coordinator of this region" in refused.value.errors["user"][0]


def test_measures_applied_for_and_not_answered_count_as_open_questions(cast: Cast) -> None:
    kursk = f.region("46")
    circumstances_record(
        actor=cast.veteran_user, veteran=cast.veteran_a, status="svo_participant", region=kursk
    )
    measure = Measure.objects.get(code="regional.46.land_plot")
    checklist_mark(
        actor=cast.veteran_user, veteran=cast.veteran_a, measure=measure, status="applied"
    )
    (row,) = open_questions_by_region(actor=cast.federal)
    assert (row.region.code, row.applied_waiting, row.payment_issues) == ("46", 1, 0)
    checklist_mark(actor=cast.relative, veteran=cast.veteran_a, measure=measure, status="granted")
    assert open_questions_by_region(actor=cast.federal) == []


def test_after_discharge_a_payment_question_goes_to_the_home_regions_named_person(
    client: Client, care_cast: Cast
) -> None:
    c = care_cast
    home = c.veteran_a.home_region
    named = f.UserFactory(username="payments_home", first_name="Ирина", last_name="Смирнова")
    role_assign(actor=None, user=named, role=Role.REGIONAL_COORDINATOR, scope_id=home.pk)
    payment_contact_set(actor=c.federal, region=home, user=named)
    stay_discharge(actor=c.liaison, veteran=c.veteran_a, on=timezone.localdate())

    client.force_login(c.veteran_user)
    response = client.post(
        f"/api/v1/veterans/{c.veteran_a.pk}/payment-issues",
        {"measure": "federal.monthly_payment", "details": "Выплата пришла не полностью"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    request = CareRequest.objects.get(pk=response.json()["request_id"])
    assert (request.region, request.coordinator) == (home, named)
    assert request.deadline == request.created_at + datetime.timedelta(hours=72)
    # Someone with no tie to the veteran cannot ask at home for them.
    client.force_login(c.volunteer_user)
    refused = client.post(
        f"/api/v1/veterans/{c.veteran_a.pk}/payment-issues",
        {"details": "?"},
        content_type="application/json",
    )
    assert refused.status_code in (403, 404)
    assert CareRequest.objects.filter(service_type__code="benefits.payment_issue").count() == 1
