"""The dashboards' figures after the ward come from rollups kept by refresh tasks: after
discharges, plans, contacts and referrals made through the services, the pages and their
exports show what a count over the live tables gives, scoped by role; a rebuild agrees."""

from __future__ import annotations

import csv
import datetime
import io
import statistics
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ryadom.accounts.models import User
from ryadom.aftercare.contacts import contact_attempt_record
from ryadom.aftercare.models import DischargePlan
from ryadom.analytics.models import REFERRAL_OUTCOMES, AfterWardDay, DischargeFact, ReferralFact
from ryadom.analytics.services import after_ward_refresh, rollups_rebuild
from ryadom.analytics.tables import hours, pct
from ryadom.referrals.models import Outcome, PartnerService, Referral
from ryadom.referrals.selectors import loop_closure
from ryadom.referrals.services import referral_create, referral_move
from ryadom.veterans.stays import stay_discharge
from tests.aftercare.conftest import discharge, plan_with_consent
from tests.analytics.conftest import direct_after_ward, run_refreshes
from tests.conftest import Cast
from tests.referrals.conftest import consent, refer

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _csv(client: Client, path: str, table: str) -> list[list[str]]:
    response = client.get(path, {"export": table, "format": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _life_after_the_ward(c: Cast, capture: Any) -> DischargePlan:
    """Two discharges (Moscow's hospital to a Rostov home, with a plan handed over; Rostov's
    hospital, no plan), one contact reached, one given up after three attempts; referrals
    to a Moscow partner done, declined, cancelled and still open, and one in Rostov."""
    with capture(execute=True):
        plan = plan_with_consent(c, discharge(c, days_ago=3))
        stay_discharge(
            actor=c.coord_b,
            veteran=c.veteran_b,
            on=timezone.localdate() - datetime.timedelta(days=1),
        )
    first, second = plan.contacts.order_by("days_after")[:2]
    with capture(execute=True):
        contact_attempt_record(actor=c.coord_b, contact=first, result="no_answer")
        first.refresh_from_db()
        contact_attempt_record(actor=c.coord_b, contact=first, result="reached")
        for _ in range(3):
            second.refresh_from_db()
            contact_attempt_record(actor=c.coord_b, contact=second, result="no_answer")

    consent(c.veteran_a, c.federal)
    consent(c.veteran_b, c.federal)
    partners = [
        PartnerService.objects.create(name=name, kind="education", region=c.institution_a.region)
        for name in ("Колледж", "Центр занятости", "Университет", "Клиника")
    ]
    rostov = PartnerService.objects.create(
        name="Центр Ростов", kind="employment", region=c.institution_b.region
    )
    with capture(execute=True):
        done, declined, cancelled, _open = (refer(c, c.veteran_a, p) for p in partners)
        referral_move(actor=None, referral=done, action="accept")
        referral_move(actor=None, referral=done, action="finish", outcome=Outcome.EMPLOYED)
        referral_move(actor=None, referral=declined, action="decline", note="Мест нет")
        referral_move(actor=c.coord_a, referral=cancelled, action="cancel", note="Передумал")
        elsewhere = referral_move_done(c, rostov)
    assert elsewhere.status == "done"
    assert run_refreshes() > 0
    return plan


def referral_move_done(c: Cast, partner: PartnerService) -> Referral:
    """A referral to a Rostov partner, made by a federal coordinator, done with help given."""
    referral = referral_create(
        actor=c.federal, veteran=c.veteran_b, partner=partner, need="work", note=""
    )
    referral_move(actor=None, referral=referral, action="accept")
    return referral_move(actor=None, referral=referral, action="finish", outcome=Outcome.HELP_GIVEN)


def _stored() -> dict[str, Any]:
    """The facts and the non-empty cells after the ward (a refresh may leave zeros)."""
    cells = {}
    for row in AfterWardDay.objects.values():
        key = (row.pop("day"), row.pop("region_id"))
        row.pop("id")
        if any(row.values()):
            cells[key] = row
    return {
        "cells": cells,
        "discharges": list(DischargeFact.objects.order_by("pk").values()),
        "referrals": list(ReferralFact.objects.order_by("pk").values()),
    }


def test_dashboards_show_the_live_figures_after_the_ward_and_export_them(
    care_cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    c = care_cast
    _life_after_the_ward(c, django_capture_on_commit_callbacks)
    since = timezone.localdate() - datetime.timedelta(weeks=12)  # the pages' default period
    direct = direct_after_ward(c.federal, since)
    assert direct[c.institution_a.region_id]["discharges"] == 1
    assert direct[c.institution_b.region_id]["closed"] == 2
    loops = {row.region.pk: row for row in loop_closure(actor=c.federal)}
    assert len(loops) == 2

    # The federal page: a line per region, as the live count has it.
    federal = _client(c.federal)
    lines = {row[0]: row for row in _csv(federal, "/dashboard/", "after-the-ward")[1:]}
    assert set(lines) == {"77", "61"}
    for code, region in (("77", c.institution_a.region), ("61", c.institution_b.region)):
        d, loop = direct[region.pk], loops[region.pk]
        share = d["with_plan"] / d["discharges"] if d["discharges"] else None
        median = statistics.median(d["hours"]) if d["hours"] else None
        reach = d["reached"] / d["closed"] if d["closed"] else None
        expected = [d["discharges"], pct(share), hours(median), pct(reach)]
        expected += [loop.sent, pct(loop.share)]
        assert lines[code][2:] == [_text(v) for v in expected], code
    assert lines["61"][4] != ""  # Rostov's median hours to the first contact

    # The regional page of the home region, for its coordinator: both tables and the file.
    rostov = _client(c.coord_b)
    d, loop = direct[c.institution_b.region_id], loops[c.institution_b.region_id]
    after = _csv(rostov, "/dashboard/regions/61/", "after-discharge")
    assert after[1] == [
        _text(v)
        for v in (
            d["discharges"],
            pct(d["with_plan"] / d["discharges"]),
            hours(statistics.median(d["hours"])),
            d["closed"],
            pct(d["reached"] / d["closed"]),
        )
    ]
    referrals = dict(_csv(rostov, "/dashboard/regions/61/", "referrals")[1:])
    assert referrals["Sent"] == str(loop.sent) == "1"
    assert referrals["Help given"] == "1"
    book = load_workbook(
        io.BytesIO(
            rostov.get("/dashboard/regions/61/", {"export": "all", "format": "xlsx"}).content
        )
    )
    assert {"After discharge", "Referrals to partner services"} <= set(book.sheetnames)
    rows = list(book["After discharge"].iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == d["discharges"] and rows[0][3] == d["closed"] == 2

    # Moscow's referrals for its coordinator: each loop and outcome, as the referrals page.
    moscow = dict(_csv(_client(c.coord_a), "/dashboard/regions/77/", "referrals")[1:])
    loop = loops[c.institution_a.region_id]
    assert (moscow["Sent"], moscow["Closed loops"], moscow["Share closed, %"]) == (
        "4",
        str(loop.closed),
        str(pct(loop.share)),
    )
    assert (moscow["Employed"], moscow["Open"], moscow["Cancelled"]) == ("1", "1", "1")


def test_each_coordinator_sees_only_their_regions_after_the_ward(
    care_cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    c = care_cast
    _life_after_the_ward(c, django_capture_on_commit_callbacks)
    for user, code in ((c.coord_a, "77"), (c.coord_b, "61")):
        client = _client(user)
        lines = _csv(client, "/dashboard/", "after-the-ward")[1:]
        assert [line[0] for line in lines] == [code]
        other = "61" if code == "77" else "77"
        assert client.get(f"/dashboard/regions/{other}/").status_code == 404
    # The agency observer sees discharges and contacts in any region, but no referrals.
    observer = _client(c.observer)
    assert _csv(observer, "/dashboard/regions/77/", "after-discharge")[1][0] == "1"
    assert dict(_csv(observer, "/dashboard/regions/77/", "referrals")[1:])["Sent"] == "0"


def test_refreshes_keep_the_rollups_a_rebuild_makes_and_find_nothing_left_to_do(
    care_cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    c = care_cast
    plan = _life_after_the_ward(c, django_capture_on_commit_callbacks)
    incremental = _stored()
    assert len(incremental["discharges"]) == 2 and len(incremental["referrals"]) == 5
    assert not after_ward_refresh(model=DischargeFact, pk=plan.stay_id)
    counts = rollups_rebuild()
    assert (counts["dischargefact"], counts["referralfact"]) == (2, 5)
    assert _stored() == incremental
    assert set(REFERRAL_OUTCOMES) == set(Outcome.values)
