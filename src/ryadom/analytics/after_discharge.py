"""The dashboards' tables of the time after discharge (aftercare's and referrals' measures)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.aftercare.measures import REFERENCE_REACH, region_measures
from ryadom.analytics.selectors import Filters, Row
from ryadom.analytics.tables import Table, hours, pct
from ryadom.geo.models import Region
from ryadom.referrals.selectors import loop_closure


def after_discharge_table(*, actor: User, region: Region, filters: Filters) -> Table:
    """Discharges from the region's hospitals since the period's start, the share with a
    plan, and for veterans coming home to it: hours to the first contact and reach."""
    found = region_measures(actor=actor, since=filters.start, region_id=region.pk)
    m = found[0] if found else None
    return Table(
        slug="after-discharge",
        title=_("After discharge"),
        headers=[
            _("Discharges"),
            _("With a plan, %"),
            _("Median hours to first contact"),
            _("Follow-up contacts closed"),
            _("Reached, %"),
        ],
        rows=[
            [
                m.discharges if m else 0,
                pct(m.plan_share) if m else None,
                hours(m.median_hours_to_first_contact) if m else None,
                m.contacts_closed if m else 0,
                pct(m.reach_rate) if m else None,
            ]
        ],
        note=_("Reference: the US VA's Solid Start reached %(share)s%% of veterans in 2021.")
        % {"share": round(REFERENCE_REACH * 100)},
    )


def after_the_ward_by_region(*, actor: User, filters: Filters, rows: list[Row]) -> Table:
    """The federal page's view of the time after discharge, a line per region of `rows`:
    plans, the first contact, reach (since the period's start) and referral loops closed (all
    time). Five queries however many regions."""
    measures = {m.region_id: m for m in region_measures(actor=actor, since=filters.start)}
    loops = {c.region.pk: c for c in loop_closure(actor=actor)}
    table = Table(
        slug="after-the-ward",
        title=_("After the ward, by region"),
        headers=[
            _("Code"),
            _("Region"),
            _("Discharges"),
            _("With a plan, %"),
            _("Median hours to first contact"),
            _("Reached, %"),
            _("Referrals sent"),
            _("Share closed, %"),
        ],
        note=_("Reference: the US VA's Solid Start reached %(share)s%% of veterans in 2021.")
        % {"share": round(REFERENCE_REACH * 100)},
    )
    for r in rows:
        m, loop = measures.get(r.key), loops.get(r.key)
        if m is None and loop is None:
            continue
        table.rows.append(
            [
                r.code,
                r.label,
                m.discharges if m else 0,
                pct(m.plan_share) if m else None,
                hours(m.median_hours_to_first_contact) if m else None,
                pct(m.reach_rate) if m else None,
                loop.sent if loop else 0,
                pct(loop.share) if loop else None,
            ]
        )
    return table
