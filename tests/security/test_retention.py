"""Retention: a veteran's personal data is anonymised a set time after discharge and the last
closed request, statistics kept; the database holds the name nowhere afterwards. Erasure on
request: the veteran asks, a coordinator in scope carries it out."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from ryadom.attachments.models import Attachment
from ryadom.attachments.services import attachment_add
from ryadom.care.models import CareRequest, Channel, Status
from ryadom.care.services.coordination import request_cancel
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.veterans.models import DeletionRequest, DeletionStatus, Stay, Veteran
from ryadom.veterans.tasks import anonymise_expired
from tests import factories as f
from tests.admin_forms import admin_form, admin_post
from tests.conftest import Cast
from tests.security.privacy_helpers import as_user, ask

pytestmark = pytest.mark.django_db

NAME = "Святогор"
SURNAME = "Непомнящий"
PHONE = "+79990001122"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _places_holding(*needles: str) -> list[str]:
    """Every (table.column) of every table whose text contains one of the needles."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            for column in connection.introspection.get_table_description(cursor, table):
                col = connection.ops.quote_name(column.name)
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quoted} WHERE CAST({col} AS TEXT) LIKE %s",  # noqa: S608 - names from introspection
                        [f"%{needle}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.append(f"{table}.{column.name} ∋ {needle}")
    return found


def _a_life_in_care(c: Cast, tmp_path: object) -> CareRequest:
    """The veteran, named everywhere a name can go, with requests, notes and a file."""
    veteran_user = c.veteran_user
    veteran_user.first_name, veteran_user.last_name = NAME, SURNAME
    veteran_user.email, veteran_user.phone = "svyatogor@example.org", PHONE
    veteran_user.save()
    c.veteran_a.addressed_as = NAME
    c.veteran_a.phone = PHONE
    c.veteran_a.what_matters = f"{NAME} любит крепкий чай"
    c.veteran_a.communication_needs = f"{NAME} плохо слышит"
    c.veteran_a.save()
    done = ask(c, details=f"{NAME} просит постирать форму")
    request_cancel(actor=c.coord_a, request=done, reason=f"{NAME} выписан")
    phoned = request_create(
        actor=c.coord_a,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        veteran=c.veteran_a,
        details=f"Позвонила мать: {NAME} {SURNAME}",
        requester_name=f"Мать {SURNAME}",
        channel=Channel.PHONE,
    )
    attachment_add(
        actor=c.coord_a,
        request=phoned,
        upload=SimpleUploadedFile(f"чек {SURNAME}.png", PNG, content_type="image/png"),
    )
    request_cancel(actor=c.coord_a, request=phoned, reason=f"Мать {SURNAME} отменила")
    return phoned


def _discharge(veteran: Veteran, on: datetime.date) -> None:
    Stay.objects.filter(veteran=veteran, discharged_on__isnull=True).update(discharged_on=on)


def test_an_anonymised_veterans_name_appears_nowhere_in_the_database(
    care_cast: Cast, client: Client, settings: object, tmp_path: object, admin_user: object
) -> None:
    settings.RYADOM_UPLOADS_DIR = tmp_path  # type: ignore[attr-defined]
    c = care_cast
    _a_life_in_care(c, tmp_path)
    as_user(client, c.coord_a).get(f"/api/v1/veterans/{c.veteran_a.pk}")  # an audited read
    # A back-office edit of the veteran and their relative: Django admin's history names them.
    staff = Client()
    staff.force_login(admin_user)  # type: ignore[arg-type]
    path = f"/admin/veterans/veteran/{c.veteran_a.pk}/change/"
    data = admin_form(staff, path)
    data["mobility_needs"] = [f"{NAME} на коляске"]
    data = {k: v for k, v in data.items() if not k.endswith("-DELETE")}
    admin_post(staff, path, data)
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_repr=NAME).exists()
    # A sign-in under a username that is the person's name leaves traces in the lockout records.
    c.veteran_user.username = NAME
    c.veteran_user.save()
    Client().post("/login/", {"username": c.veteran_user.username, "password": "wrong"})
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username=NAME).exists()
    _discharge(c.veteran_a, timezone.localdate())
    assert _places_holding(NAME, SURNAME, PHONE)  # the scan does find them before
    requests_before = CareRequest.objects.filter(veteran=c.veteran_a).count()

    with time_machine.travel(timezone.now() + datetime.timedelta(days=366)):
        assert anonymise_expired.call() == 1

    assert _places_holding(NAME, SURNAME, PHONE) == []
    # Statistics keep their rows: the requests, their statuses, the stays.
    assert CareRequest.objects.filter(veteran=c.veteran_a).count() == requests_before
    assert set(
        CareRequest.objects.filter(veteran=c.veteran_a).values_list("status", flat=True)
    ) == {Status.CANCELLED}
    assert Stay.objects.filter(veteran=c.veteran_a).exists()
    assert Attachment.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))  # type: ignore[attr-defined]
    c.veteran_user.refresh_from_db()
    assert not c.veteran_user.is_active and not c.veteran_user.has_usable_password()


def test_the_retention_period_counts_from_discharge_and_the_last_closed_request(
    care_cast: Cast, settings: object
) -> None:
    settings.RYADOM_RETENTION_DAYS = 30  # type: ignore[attr-defined]
    c = care_cast
    now, today = timezone.now(), timezone.localdate()
    long_ago = f.VeteranFactory(created_at=now - datetime.timedelta(days=250))
    f.StayFactory(
        veteran=long_ago,
        institution=c.institution_b,
        admitted_on=today - datetime.timedelta(days=230),
        discharged_on=today - datetime.timedelta(days=200),
    )
    # veteran_b left hospital long ago too, but a request of theirs closed only today.
    closed_today = request_create(
        actor=c.coord_b,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_b,
        veteran=c.veteran_b,
        channel=Channel.PHONE,
    )
    request_cancel(actor=c.coord_b, request=closed_today)
    Stay.objects.filter(veteran=c.veteran_b).update(
        admitted_on=today - datetime.timedelta(days=230),
        discharged_on=today - datetime.timedelta(days=200),
    )
    Veteran.objects.filter(pk=c.veteran_b.pk).update(created_at=now - datetime.timedelta(days=250))
    _discharge(c.veteran_a, today)  # discharged today, nothing else

    assert anonymise_expired.call() == 1  # only the one with nothing recent
    with time_machine.travel(now + datetime.timedelta(days=29)):
        assert anonymise_expired.call() == 0
    with time_machine.travel(now + datetime.timedelta(days=31)):
        assert anonymise_expired.call() == 2  # veteran_a and veteran_b
        assert anonymise_expired.call() == 0  # safe to run twice
    # veteran_a2 is still in hospital.
    assert set(Veteran.objects.filter(anonymised_at__isnull=True).values_list("pk", flat=True)) == {
        c.veteran_a2.pk
    }


def test_an_open_request_keeps_the_data(care_cast: Cast) -> None:
    c = care_cast
    ask(c)
    _discharge(c.veteran_a, timezone.localdate())
    with time_machine.travel(timezone.now() + datetime.timedelta(days=400)):
        anonymise_expired.call()
    c.veteran_a.refresh_from_db()
    assert c.veteran_a.anonymised_at is None


def test_the_veteran_asks_for_erasure_and_a_coordinator_in_scope_carries_it_out(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    as_user(client, c.veteran_user)
    response = client.post(f"/my/data/{c.veteran_a.pk}/erase/", follow=True)
    assert "The coordinator will erase your data" in response.content.decode()
    deletion = DeletionRequest.objects.get(veteran=c.veteran_a)
    assert client.post(f"/my/data/{c.veteran_a.pk}/erase/", follow=True).status_code == 200
    assert DeletionRequest.objects.filter(veteran=c.veteran_a).count() == 1  # asked once

    # The outsider neither sees it nor may carry it out; the volunteer has no such page.
    as_user(client, c.coord_b)
    assert str(c.veteran_a.addressed_as) not in client.get("/privacy/deletions/").content.decode()
    assert client.post(f"/privacy/deletions/{deletion.pk}/execute/").status_code == 404
    assert as_user(client, c.volunteer_user).get("/privacy/deletions/").status_code == 403

    as_user(client, c.coord_a)
    assert c.veteran_a.addressed_as in client.get("/privacy/deletions/").content.decode()
    response = client.post(f"/privacy/deletions/{deletion.pk}/execute/", follow=True)
    assert "The personal data is erased." in response.content.decode()
    deletion.refresh_from_db()
    c.veteran_a.refresh_from_db()
    assert deletion.status == DeletionStatus.DONE and deletion.executed_by == c.coord_a
    assert c.veteran_a.anonymised_at is not None and c.veteran_a.addressed_as == "—"
    # The account is closed: signing in no longer works.
    assert not Client().login(username=c.veteran_user.username, password="correct-horse-battery")
