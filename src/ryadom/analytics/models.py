"""Derived tables: one fact row per care request and rollups summed from the facts.

Everything here can be rebuilt from the raw tables at any time (`ryadom analytics_rebuild`),
so dimensions are plain integers, not foreign keys: a rollup row outlives nothing and
constrains nothing. `0` in `organisation_id` means "no NGO".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Edges, in minutes, of the cumulative histograms of "time to assignment" and "time to
# completion": column `assign_lt<i>` counts requests assigned in under BUCKET_EDGES[i]
# minutes. Sums of cumulative counts stay cumulative, and medians are read from them.
BUCKET_EDGES: tuple[int, ...] = (30, 60, 120, 240, 480, 1440, 2880, 4320, 7200, 10080, 20160)
BUCKETS = len(BUCKET_EDGES)

# The measures every rollup row sums, in the order of their columns.
COUNTS = (
    "created",
    "assigned",
    "completed",
    "confirmed",
    "cancelled",
    "open",
    "waiting",
    "overdue",
    "on_time",
    "assign_minutes",
    "complete_minutes",
    "feedback",
    "respectful",
    "satisfied",
    "rated",
    "rating_sum",
    "complaints",
    "upheld",
    "visit_minutes",
)
ASSIGN_HIST = tuple(f"assign_lt{i}" for i in range(BUCKETS))
COMPLETE_HIST = tuple(f"complete_lt{i}" for i in range(BUCKETS))
MEASURES = COUNTS + ASSIGN_HIST + COMPLETE_HIST


class RequestFact(models.Model):
    """What one request adds to the rollups, as last applied. Rewritten by every refresh."""

    request_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()  # created, in the national (Moscow) calendar
    week = models.DateField()  # Monday of that day's week
    created_at = models.DateTimeField()
    region_id = models.IntegerField()
    agency_id = models.IntegerField()
    institution_id = models.IntegerField()
    service_type_id = models.IntegerField()
    organisation_id = models.IntegerField(default=0)
    volunteer_id = models.IntegerField(default=0)
    status = models.CharField(max_length=20)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    deadline = models.DateTimeField()
    assigned_at = models.DateTimeField(null=True)  # first assignment or claim
    completed_at = models.DateTimeField(null=True)  # last completion, while done
    feedback = models.IntegerField(default=0)
    respectful = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    complaints = models.IntegerField(default=0)
    upheld = models.IntegerField(default=0)
    visit_minutes = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("request fact")
        verbose_name_plural = _("request facts")
        indexes = [models.Index(fields=["volunteer_id", "assigned_at"])]

    def __str__(self) -> str:
        return f"#{self.request_id} {self.status}"


class Measures(models.Model):
    """Sums over the facts of one rollup cell."""

    created = models.IntegerField(default=0)
    assigned = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    confirmed = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    waiting = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    assign_minutes = models.BigIntegerField(default=0)
    complete_minutes = models.BigIntegerField(default=0)
    feedback = models.IntegerField(default=0)
    respectful = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    complaints = models.IntegerField(default=0)
    upheld = models.IntegerField(default=0)
    visit_minutes = models.BigIntegerField(default=0)
    assign_lt0 = models.IntegerField(default=0)
    assign_lt1 = models.IntegerField(default=0)
    assign_lt2 = models.IntegerField(default=0)
    assign_lt3 = models.IntegerField(default=0)
    assign_lt4 = models.IntegerField(default=0)
    assign_lt5 = models.IntegerField(default=0)
    assign_lt6 = models.IntegerField(default=0)
    assign_lt7 = models.IntegerField(default=0)
    assign_lt8 = models.IntegerField(default=0)
    assign_lt9 = models.IntegerField(default=0)
    assign_lt10 = models.IntegerField(default=0)
    complete_lt0 = models.IntegerField(default=0)
    complete_lt1 = models.IntegerField(default=0)
    complete_lt2 = models.IntegerField(default=0)
    complete_lt3 = models.IntegerField(default=0)
    complete_lt4 = models.IntegerField(default=0)
    complete_lt5 = models.IntegerField(default=0)
    complete_lt6 = models.IntegerField(default=0)
    complete_lt7 = models.IntegerField(default=0)
    complete_lt8 = models.IntegerField(default=0)
    complete_lt9 = models.IntegerField(default=0)
    complete_lt10 = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        keys: tuple[str, ...] = getattr(type(self), "KEYS", ())
        return " · ".join(str(getattr(self, key)) for key in keys)


# What makes a daily rollup row unique (the agency and the week follow from these). The region
# is not the institution's when a request went home with its veteran (aftercare): it still
# names the hospital it was asked in, and counts in the home region.
DAY_CELL = ["day", "institution_id", "service_type_id", "organisation_id", "region_id"]


class DayRollup(Measures):
    """Requests created on a day, per institution, service type and NGO.

    Serves the regional, institution and NGO pages (a region's or an NGO's rows only).
    """

    day = models.DateField()
    week = models.DateField()
    region_id = models.IntegerField()
    agency_id = models.IntegerField()
    institution_id = models.IntegerField()
    service_type_id = models.IntegerField()
    organisation_id = models.IntegerField()

    KEYS = (
        "day",
        "week",
        "region_id",
        "agency_id",
        "institution_id",
        "service_type_id",
        "organisation_id",
    )

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [models.UniqueConstraint(fields=DAY_CELL, name="analytics_day_cell")]
        indexes = [
            models.Index(fields=["region_id", "day"]),
            models.Index(fields=["organisation_id", "day"]),
        ]


class RegionWeekRollup(Measures):
    """Requests created in a week, per region, agency and service type: the federal page."""

    week = models.DateField()
    region_id = models.IntegerField()
    agency_id = models.IntegerField()
    service_type_id = models.IntegerField()

    KEYS = ("week", "region_id", "agency_id", "service_type_id")

    class Meta:
        verbose_name = _("weekly regional rollup")
        verbose_name_plural = _("weekly regional rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["week", "region_id", "agency_id", "service_type_id"],
                name="analytics_region_week_cell",
            )
        ]


class RegionWeekTotal(Measures):
    """Requests created in a week, per region: the federal page when nothing narrows it
    (89 rows a week, where the finer rollup has one per agency and service type too)."""

    week = models.DateField()
    region_id = models.IntegerField()

    KEYS = ("week", "region_id")

    class Meta:
        verbose_name = _("weekly regional total")
        verbose_name_plural = _("weekly regional totals")
        constraints = [
            models.UniqueConstraint(
                fields=["week", "region_id"], name="analytics_region_week_total"
            )
        ]


class InstitutionTotal(Measures):
    """All requests ever, per institution and service type: what is open and overdue now."""

    region_id = models.IntegerField()
    agency_id = models.IntegerField()
    institution_id = models.IntegerField()
    service_type_id = models.IntegerField()

    KEYS = ("region_id", "agency_id", "institution_id", "service_type_id")

    class Meta:
        verbose_name = _("institution total")
        verbose_name_plural = _("institution totals")
        constraints = [
            # The region as in DAY_CELL: a request handed over home counts there.
            models.UniqueConstraint(
                fields=["institution_id", "service_type_id", "region_id"],
                name="analytics_institution_cell",
            )
        ]


class OrganisationWeek(Measures):
    """Requests created in a week that an NGO holds, per region: which NGOs are active."""

    week = models.DateField()
    region_id = models.IntegerField()
    agency_id = models.IntegerField()
    organisation_id = models.IntegerField()

    KEYS = ("week", "region_id", "agency_id", "organisation_id")

    class Meta:
        verbose_name = _("weekly NGO rollup")
        verbose_name_plural = _("weekly NGO rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["week", "region_id", "agency_id", "organisation_id"],
                name="analytics_organisation_week_cell",
            )
        ]


ROLLUPS: tuple[
    type[DayRollup | RegionWeekRollup | RegionWeekTotal | InstitutionTotal | OrganisationWeek], ...
] = (
    DayRollup,
    RegionWeekRollup,
    RegionWeekTotal,
    InstitutionTotal,
    OrganisationWeek,
)


# After the ward: what discharges and referrals add to a day's cell of a region. A discharge
# counts on its day in its hospital's region, its plan's contacts in the home region; a
# referral on the day it was sent, in its partner's region. Outcomes count done referrals.
REFERRAL_OUTCOMES = ("employed", "enrolled", "treatment_started", "help_given", "other")
DISCHARGE_MEASURES = ("discharges", "with_plan", "contacts_closed", "contacts_reached")
REFERRAL_MEASURES = (
    "referrals_sent",
    "referrals_done",
    "referrals_declined",
    "referrals_cancelled",
    "referrals_open",
    *(f"outcome_{outcome}" for outcome in REFERRAL_OUTCOMES),
)
AFTER_WARD_MEASURES = DISCHARGE_MEASURES + REFERRAL_MEASURES


class DischargeFact(models.Model):
    """What one discharge (a stay that ended other than in a transfer) and its plan add to
    the rollups, as last applied. Rewritten by every refresh."""

    stay_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()  # discharged on
    region_id = models.IntegerField()  # the hospital's
    home_region_id = models.IntegerField(default=0)  # the plan's; 0 without a plan
    with_plan = models.IntegerField(default=0)
    # Kept here, not in a rollup: the median hours to it is read off these rows.
    first_contact_at = models.DateTimeField(null=True)
    contacts_closed = models.IntegerField(default=0)  # with an answer, or given up
    contacts_reached = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("discharge fact")
        verbose_name_plural = _("discharge facts")
        indexes = [models.Index(fields=["home_region_id", "day"])]

    def __str__(self) -> str:
        return f"stay {self.stay_id} {self.day}"


class ReferralFact(models.Model):
    """What one referral adds to the rollups, as last applied."""

    referral_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()  # sent, in the national (Moscow) calendar
    region_id = models.IntegerField()  # the partner's
    status = models.CharField(max_length=20)
    outcome = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("referral fact")
        verbose_name_plural = _("referral facts")

    def __str__(self) -> str:
        return f"referral {self.referral_id} {self.status}"


class AfterWardDay(models.Model):
    """Discharges, their plans and contacts, and referrals, per day and region."""

    day = models.DateField()
    region_id = models.IntegerField()
    discharges = models.IntegerField(default=0)
    with_plan = models.IntegerField(default=0)
    contacts_closed = models.IntegerField(default=0)
    contacts_reached = models.IntegerField(default=0)
    referrals_sent = models.IntegerField(default=0)
    referrals_done = models.IntegerField(default=0)
    referrals_declined = models.IntegerField(default=0)
    referrals_cancelled = models.IntegerField(default=0)
    referrals_open = models.IntegerField(default=0)
    outcome_employed = models.IntegerField(default=0)
    outcome_enrolled = models.IntegerField(default=0)
    outcome_treatment_started = models.IntegerField(default=0)
    outcome_help_given = models.IntegerField(default=0)
    outcome_other = models.IntegerField(default=0)

    KEYS = ("day", "region_id")

    class Meta:
        verbose_name = _("daily rollup after the ward")
        verbose_name_plural = _("daily rollups after the ward")
        constraints = [
            models.UniqueConstraint(fields=["day", "region_id"], name="analytics_after_ward_cell")
        ]
        indexes = [models.Index(fields=["region_id", "day"])]

    def __str__(self) -> str:
        return f"{self.day} · {self.region_id}"


class VolunteerSnapshot(models.Model):
    """Per volunteer: eligible to help at all, and whether and when they last had a task.

    Refreshed nightly (checks expire with time) and by request refreshes (new tasks).
    """

    volunteer_id = models.BigIntegerField(primary_key=True)
    region_id = models.IntegerField()
    eligible = models.BooleanField(default=False)
    holding = models.BooleanField(default=False)  # has an assigned or scheduled request now
    last_task_on = models.DateField(null=True)  # the day of their latest visit

    class Meta:
        verbose_name = _("volunteer snapshot")
        verbose_name_plural = _("volunteer snapshots")
        indexes = [models.Index(fields=["region_id", "eligible"])]

    def __str__(self) -> str:
        return f"volunteer {self.volunteer_id}"
