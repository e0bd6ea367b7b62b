"""The regional dashboard's table of the time after discharge (aftercare's measures)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.aftercare.measures import REFERENCE_REACH, region_measures
from ryadom.analytics.selectors import Filters
from ryadom.analytics.tables import Table, hours, pct
from ryadom.geo.models import Region


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
