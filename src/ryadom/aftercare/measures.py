"""What the dashboards measure of the time after discharge, per region: the share of
discharges with a plan (by the hospital's region), hours from discharge to the first
contact, and the reach rate of follow-up contacts (by the home region).

The figures are kept by analytics' rollups (docs/analytics.md, "After the ward"); here are
their definitions."""

from __future__ import annotations

from dataclasses import dataclass

from ryadom.aftercare.models import ContactOutcome

# A contact reached the veteran when someone answered, whatever they said. A contact
# counts as closed when answered or given up after three attempts (not when stopped).
REACHED = [ContactOutcome.REACHED, ContactOutcome.DECLINED, ContactOutcome.NEW_NEEDS]
# The VA's Solid Start reached 71 % of newly separated veterans in 2021.
REFERENCE_REACH = 0.71


@dataclass(frozen=True)
class RegionMeasures:
    region_id: int
    discharges: int
    with_plan: int
    median_hours_to_first_contact: float | None
    contacts_closed: int
    contacts_reached: int

    @property
    def plan_share(self) -> float | None:
        return self.with_plan / self.discharges if self.discharges else None

    @property
    def reach_rate(self) -> float | None:
        return self.contacts_reached / self.contacts_closed if self.contacts_closed else None
