"""An erasure request does not wait unseen: the coordinators of where the veteran is now are
told (by the usual outbox, channels and quiet hours), and their queue says how many wait."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.veterans import erasure
from ryadom.veterans.models import DeletionRequest
from tests import factories as f
from tests.care.test_deadlines import run_worker
from tests.conftest import Cast
from tests.notifications.conftest import reachable, transactional
from tests.notifications.conftest import smtp as smtp  # the fake relay, for the delivery test
from tests.notifications.fakes import FakeSmtpServer
from tests.notifications.journey import MOSCOW, next_week_at, told
from tests.security.privacy_helpers import as_user

pytestmark = pytest.mark.django_db

KIND = "erasure_asked"


def test_the_veteran_asking_tells_the_coordinator_of_their_region_once_and_names_no_one(
    cast: Cast, client: Client
) -> None:
    c = cast
    for person in (c.coord_a, c.coord_b, c.federal):
        reachable(person)
    with time_machine.travel(next_week_at(12), tick=False):
        response = as_user(client, c.veteran_user).post(
            f"/my/data/{c.veteran_a.pk}/erase/", follow=True
        )
        assert "The coordinator will erase your data" in response.content.decode()
        as_user(client, c.relative).post(f"/my/data/{c.veteran_a.pk}/erase/")  # asked again

    deletion = DeletionRequest.objects.get(veteran=c.veteran_a)
    [message] = told(c.coord_a, KIND)
    assert message.subject == "A request to erase personal data"
    assert f"erasure request #{deletion.pk}" in message.body
    assert message.body.endswith("/privacy/deletions/")
    assert message.channel == "email" and message.address == "coord_a@example.org"
    assert c.veteran_a.addressed_as not in f"{message.subject} {message.body}"
    # Not the other region's coordinator, and not federal staff while the region has its own.
    assert told(c.coord_b, KIND) == [] and told(c.federal, KIND) == []


def test_the_coordinators_told_are_those_of_the_region_the_veteran_is_treated_in(
    cast: Cast,
) -> None:
    c = cast  # veteran A2 comes from Rostov (B) and is treated in Moscow (A)
    second = reachable(f.UserFactory(username="coord_a_night_shift"))
    reachable(c.coord_a)
    reachable(c.coord_b)
    role_assign(
        actor=None,
        user=second,
        role=Role.REGIONAL_COORDINATOR,
        scope_id=c.institution_a.region_id,
    )
    f.ProxyFactory(veteran=c.veteran_a2, user=c.stranger)

    erasure.deletion_ask(actor=c.stranger, veteran=c.veteran_a2)

    assert len(told(c.coord_a, KIND)) == 1 and len(told(second, KIND)) == 1
    assert told(c.coord_b, KIND) == []


def test_in_a_region_without_a_coordinator_federal_staff_are_told(cast: Cast) -> None:
    c = cast
    for person in (c.coord_a, c.coord_b, c.federal):
        reachable(person)
    elsewhere = f.InstitutionFactory(region=f.region("50"), name="Госпиталь В")
    veteran = f.VeteranFactory(user=f.UserFactory(username="far_away"), home_region=f.region("50"))
    f.StayFactory(veteran=veteran, institution=elsewhere)
    assert veteran.user is not None

    erasure.deletion_ask(actor=veteran.user, veteran=veteran)

    assert len(told(c.federal, KIND)) == 1
    assert told(c.coord_a, KIND) == [] and told(c.coord_b, KIND) == []


def test_a_request_made_at_night_reaches_the_coordinator_in_the_morning(cast: Cast) -> None:
    c = cast
    reachable(c.coord_a)
    late = next_week_at(23)
    with time_machine.travel(late, tick=False):
        erasure.deletion_ask(actor=c.veteran_user, veteran=c.veteran_a)

    [message] = told(c.coord_a, KIND)
    assert not message.urgent
    morning = datetime.datetime.combine(late.date() + datetime.timedelta(days=1), datetime.time(8))
    assert message.due_at == morning.replace(tzinfo=MOSCOW)


@transactional
def test_the_message_goes_out_by_e_mail_through_the_worker(
    cast: Cast, smtp: FakeSmtpServer
) -> None:
    c = cast
    reachable(c.coord_a)
    with time_machine.travel(next_week_at(12), tick=False):
        erasure.deletion_ask(actor=c.veteran_user, veteran=c.veteran_a)
        run_worker()

    [message] = told(c.coord_a, KIND)
    assert message.status == "sent"
    [mail] = smtp.messages
    assert mail["Subject"] == "A request to erase personal data"
    assert mail["To"] == "coord_a@example.org"


def test_the_queue_says_how_many_erasure_requests_wait_and_links_to_them(
    cast: Cast, client: Client
) -> None:
    c = cast
    erasure.deletion_ask(actor=c.veteran_user, veteran=c.veteran_a)
    f.ProxyFactory(veteran=c.veteran_a2, user=c.stranger)
    erasure.deletion_ask(actor=c.stranger, veteran=c.veteran_a2)

    page = as_user(client, c.coord_a).get("/queue/").content.decode()
    assert "2 erasure requests are waiting to be carried out." in page
    assert 'href="/privacy/deletions/"' in page
    # Rostov's coordinator sees the one of veteran A2, whose home is Rostov.
    page = as_user(client, c.coord_b).get("/queue/").content.decode()
    assert "1 erasure request is waiting to be carried out." in page
    assert "erasure request" not in as_user(client, c.liaison).get("/queue/").content.decode()

    deletion = DeletionRequest.objects.get(veteran=c.veteran_a)
    as_user(client, c.coord_a).post(f"/privacy/deletions/{deletion.pk}/execute/")
    page = as_user(client, c.coord_a).get("/queue/").content.decode()
    assert "1 erasure request is waiting to be carried out." in page

    deletion = DeletionRequest.objects.get(veteran=c.veteran_a2)
    as_user(client, c.coord_a).post(f"/privacy/deletions/{deletion.pk}/execute/")
    assert "erasure request" not in as_user(client, c.coord_a).get("/queue/").content.decode()
