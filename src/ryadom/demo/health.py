"""Whether a demo database is a living system, in figures: what the product's own rules make
of it today. The small demo's tests assert these figures; `ryadom demo-health` prints them
for whatever demo exists (a country's is too slow to generate in a test).

Each function only reads, except the Moscow matching run, which is rolled back.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.aftercare.measures import REACHED
from ryadom.aftercare.models import ContactOutcome, DischargePlan, FollowUpContact, PlanStatus
from ryadom.audit.models import AuditEvent
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.models import CareRequest, Event
from ryadom.care.page_selectors import volunteer_open_requests
from ryadom.dispatch.adapter import OPEN_FOR_MATCHING
from ryadom.dispatch.models import RunStatus
from ryadom.dispatch.selectors import request_recommendations
from ryadom.dispatch.services import matching_run_create, matching_run_solve
from ryadom.geo.models import Region
from ryadom.openings.models import Application
from ryadom.openings.selectors import opening_list
from ryadom.referrals.models import Referral, Status
from ryadom.veterans.models import Stay
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Membership, MembershipStatus
from ryadom.volunteers.models import Volunteer as VolunteerRow

ENOUGH = 3  # suggested volunteers an open request should have
FEDERAL = "federal"  # the demo account that sees every region
COORDINATOR = "coord-moscow"
VOLUNTEER = "volunteer"
MOSCOW = "77"


@dataclass
class RegionSuggestions:
    """How many open requests of one region the engine suggests enough volunteers for."""

    code: str
    counts: list[int] = field(default_factory=list)  # suggested volunteers per open request

    @property
    def with_enough(self) -> int:
        return sum(n >= ENOUGH for n in self.counts)

    @property
    def most(self) -> bool:
        """More than half the open requests have ENOUGH suggestions."""
        return self.with_enough > len(self.counts) / 2


def suggestions_by_region(
    *,
    actor: User,
    per_region: int | None = None,
    progress: Callable[[str], object] | None = None,
) -> dict[str, RegionSuggestions]:
    """Suggested volunteers of each open request by region code, as `actor` is shown them;
    with `per_region`, only that many of each region's open requests (the newest)."""
    found: dict[str, RegionSuggestions] = {}
    open_requests = CareRequest.objects.filter(status__in=OPEN_FOR_MATCHING)
    for region in Region.objects.filter(
        pk__in=open_requests.values("region_id").distinct()
    ).order_by("code"):
        here = open_requests.filter(region=region).select_related(
            "region", "institution", "service_type", "veteran"
        )
        chosen = here.order_by("-created_at", "-pk")[:per_region] if per_region else here
        figures = found[region.code] = RegionSuggestions(region.code)
        for request in chosen:
            figures.counts.append(len(request_recommendations(actor=actor, request=request)))
        if progress is not None:
            progress(f"{region.code}: {figures.with_enough} of {len(figures.counts)}")
    return found


def moscow_proposals(*, actor: User) -> int:
    """How many assignments a matching run for Moscow proposes (0: none, or it failed).
    The run is rolled back: the demo is left as it was."""
    with transaction.atomic():
        run = matching_run_create(actor=actor, region=Region.objects.get(code=MOSCOW))
        solved = matching_run_solve(run_id=run.pk)
        proposed = solved.proposals.count() if solved and solved.status == RunStatus.PROPOSED else 0
        transaction.set_rollback(True)
    return proposed


def volunteer_takeable(*, user: User) -> int:
    """How many requests the volunteer's page offers them to take now."""
    volunteer = VolunteerRow.objects.prefetch_related("checks").get(user=user)
    return len(volunteer_open_requests(actor=user, volunteer=volunteer))


@dataclass(frozen=True)
class OpeningsFigures:
    listed: int  # openings /openings/ lists
    regions: frozenset[str]  # their regions' codes
    applications: Counter[str]  # by status, of the listed openings
    audited: int  # "opening.applied" audit rows
    overfilled: int  # openings with more accepted than needed


def openings_figures() -> OpeningsFigures:
    listed = list(opening_list(actor=None))
    statuses = Counter(
        Application.objects.filter(opening__in=[o.pk for o in listed]).values_list(
            "status", flat=True
        )
    )
    return OpeningsFigures(
        listed=len(listed),
        regions=frozenset(o.region.code for o in listed),
        applications=statuses,
        audited=AuditEvent.objects.filter(action="opening.applied").count(),
        overfilled=sum(o.accepted_count > o.needed for o in listed),  # type: ignore[attr-defined]
    )


@dataclass
class TakersFigures:
    taken: int = 0  # requests a volunteer took (claimed or was assigned)
    refused: list[tuple[int, datetime.date, list[str]]] = field(default_factory=list)


def historical_takers(*, chunk: int = 2000) -> TakersFigures:
    """Every request a volunteer took, asked of `care.eligibility.request_missing_steps` for
    the day they took it: `refused` lists those the rule would not have let take it."""
    took = Event.objects.filter(request=OuterRef("pk"), action__in=["claim", "assign"])
    taken = (
        CareRequest.objects.filter(volunteer__isnull=False)
        .annotate(took_at=Subquery(took.order_by("at").values("at")[:1]))
        .select_related("institution", "service_type", "veteran", "volunteer")
        .prefetch_related("volunteer__checks")
        .order_by("pk")
    )
    figures = TakersFigures()
    for request in taken.iterator(chunk_size=chunk):
        figures.taken += 1
        day, volunteer = timezone.localdate(request.took_at), request.volunteer
        if volunteer is None:  # excluded by the query; for the type checker
            continue
        missing = request_missing_steps(volunteer=volunteer, request=request, on=day)
        if missing:
            figures.refused.append((request.pk, day, [m.code for m in missing]))
    return figures


@dataclass(frozen=True)
class ChecksFigures:
    checks: int
    audited: int  # checks with a "check.recorded" audit row
    members: int  # volunteers with an approved membership
    cleared: int  # of them, holding every check a pass-level institution asks
    expiring: int  # volunteers with a passed check running out within 30 days
    screening: Counter[str]  # screenings by status


def checks_figures() -> ChecksFigures:
    today = timezone.localdate()
    passed = Check.objects.filter(status=CheckStatus.PASSED).exclude(valid_until__lt=today)
    pass_level = REQUIRED_CHECKS["pass"]
    members = Membership.objects.filter(status=MembershipStatus.APPROVED).values("volunteer_id")
    cleared = (
        passed.filter(kind__in=pass_level, volunteer_id__in=members)
        .values("volunteer_id")
        .annotate(n=Count("kind", distinct=True))
        .filter(n=len(pass_level))
    )
    soon = passed.filter(valid_until__lte=today + datetime.timedelta(days=30))
    recorded = AuditEvent.objects.filter(action="check.recorded", target_type="volunteers.check")
    return ChecksFigures(
        checks=Check.objects.count(),
        audited=recorded.values("target_id").distinct().count(),
        members=members.distinct().count(),
        cleared=cleared.count(),
        expiring=soon.values("volunteer_id").distinct().count(),
        screening=Counter(
            Check.objects.filter(kind=CheckKind.SCREENING).values_list("status", flat=True)
        ),
    )


# The dashboards' bounds, as tests/analytics/test_pages.py asserts them on a country's shape.
FEDERAL_PAGE_QUERIES = 20
REGION_PAGE_QUERIES = 30


@dataclass
class AfterTheWardFigures:
    """The time after discharge over the whole demo, counted straight from the records."""

    discharges: int  # stays ended by a discharge (not a transfer)
    with_plan: int
    handed_over: int
    contacts_closed: int  # follow-up contacts with an outcome (not stopped by consent)
    contacts_reached: int
    referrals: int  # sent, not cancelled
    loops_closed: int  # done with an outcome, or declined
    outcomes: Counter[str]


def after_the_ward_figures() -> AfterTheWardFigures:
    discharged = Stay.objects.filter(discharged_on__isnull=False).exclude(
        pk__in=Stay.objects.filter(transferred_from__isnull=False).values("transferred_from")
    )
    closed = FollowUpContact.objects.exclude(outcome__in=["", ContactOutcome.STOPPED])
    referrals = Referral.objects.exclude(status=Status.CANCELLED)
    return AfterTheWardFigures(
        discharges=discharged.count(),
        with_plan=DischargePlan.objects.filter(stay__in=discharged).count(),
        handed_over=DischargePlan.objects.filter(status=PlanStatus.HANDED_OVER).count(),
        contacts_closed=closed.count(),
        contacts_reached=closed.filter(outcome__in=REACHED).count(),
        referrals=referrals.count(),
        loops_closed=referrals.filter(status__in=[Status.DONE, Status.DECLINED]).count(),
        outcomes=Counter(referrals.filter(status=Status.DONE).values_list("outcome", flat=True)),
    )


@dataclass
class PageCost:
    path: str
    status: int
    queries: int
    seconds: float


def dashboard_costs(*, actor: User) -> list[PageCost]:
    """The federal dashboard and the page of the region most veterans came home to, as the
    actor sees them: SQL queries and seconds of each (second factor set aside: a reading)."""
    home = (
        DischargePlan.objects.values("home_region__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "home_region__code")
        .first()
    )
    code = home["home_region__code"] if home else MOSCOW
    costs = []
    with override_settings(TWO_FACTOR_REQUIRED=False):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(actor)
        for path in ("/dashboard/", f"/dashboard/regions/{code}/"):
            client.get(path)  # warm: the first request fills caches of the process
            began = time.monotonic()
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(path)
            costs.append(PageCost(path, answer.status_code, len(queries), time.monotonic() - began))
    return costs
