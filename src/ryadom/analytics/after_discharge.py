"""The dashboards' tables of the time after discharge (aftercare's and referrals' measures),
read from the rollups after the ward (docs/analytics.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ryadom.accounts.models import User
from ryadom.aftercare.measures import REFERENCE_REACH
from ryadom.analytics.selectors import Filters, Row, after_ward_measures, referral_loops
from ryadom.analytics.tables import Cell, Table, hours, pct
from ryadom.geo.models import Region
from ryadom.referrals.models import Outcome
from ryadom.referrals.selectors import LoopClosure


def _reference() -> str:
    return _("Reference: the US VA's Solid Start reached %(share)s%% of veterans in 2021.") % {
        "share": round(REFERENCE_REACH * 100)
    }


def loop_of(region: Region, sums: dict[str, int] | None) -> LoopClosure:
    """A region's referral loops (referrals' definition of closed and share) from its sums."""
    if not sums:
        return LoopClosure(region)
    return LoopClosure(
        region,
        sent=sums["referrals_sent"],
        declined=sums["referrals_declined"],
        done=sums["referrals_done"],
        open=sums["referrals_open"],
        cancelled=sums["referrals_cancelled"],
        outcomes={o: n for o in Outcome.values if (n := sums[f"outcome_{o}"])},
    )


def after_discharge_table(*, actor: User, region: Region, filters: Filters) -> Table:
    """Discharges from the region's hospitals in the period, the share with a plan, and for
    veterans coming home to it: hours to the first contact and reach."""
    m = after_ward_measures(actor=actor, filters=filters, region_id=region.pk).get(region.pk)
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
        note=_reference(),
    )


def referrals_table(*, actor: User, region: Region) -> Table:
    """Referrals to the region's partner services: how many loops closed, and the outcomes
    (all time)."""
    row = loop_of(region, referral_loops(actor=actor, region_id=region.pk).get(region.pk))
    share = None if row.share is None else round(100 * row.share, 1)
    outcomes: list[list[Cell]] = [
        [str(label), row.outcomes.get(value, 0)] for value, label in Outcome.choices
    ]
    return Table(
        slug="referrals",
        title=_("Referrals to partner services"),
        headers=[_("Measure"), _("Value")],
        rows=[
            [pgettext("referral", "Sent"), row.sent],
            [_("Closed loops"), row.closed],
            [_("Share closed, %"), share],
            [pgettext("referral", "Open"), row.open],
            [pgettext("referral", "Cancelled"), row.cancelled],
            *outcomes,
        ],
        note=_("done with an outcome, or declined, among those sent and not cancelled"),
    )


def after_the_ward_by_region(*, actor: User, filters: Filters, rows: list[Row]) -> Table:
    """The federal page's view of the time after discharge, a line per region of `rows`:
    plans, the first contact, reach (for discharges in the period) and referral loops closed
    (all time). Three queries however many regions."""
    measures = after_ward_measures(actor=actor, filters=filters)
    loops = referral_loops(actor=actor)
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
        note=_reference(),
    )
    for r in rows:
        m, sums = measures.get(r.key), loops.get(r.key)
        if m is None and sums is None:
            continue
        # The row's region as the page already read it: no query for the loop's figures.
        loop = loop_of(Region(pk=r.key, code=r.code), sums)
        table.rows.append(
            [
                r.code,
                r.label,
                m.discharges if m else 0,
                pct(m.plan_share) if m else None,
                hours(m.median_hours_to_first_contact) if m else None,
                pct(m.reach_rate) if m else None,
                loop.sent,
                pct(loop.share),
            ]
        )
    return table
