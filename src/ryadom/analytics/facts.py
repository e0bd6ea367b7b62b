"""The one definition of each fact (a request's, a discharge's, a referral's) and of what a
fact adds to a rollup.

Both are query expressions, so the incremental refresh of one request and the full rebuild
run the very same SQL: the refresh filters it to one row, the rebuild wraps it in
`INSERT … SELECT`. Nothing here is computed twice in two languages.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.db import NotSupportedError
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.db.models.lookups import LessThan

from ryadom.aftercare.measures import REACHED
from ryadom.aftercare.models import ContactOutcome, FollowUpContact
from ryadom.analytics.models import (
    ASSIGN_HIST,
    BUCKET_EDGES,
    COMPLETE_HIST,
    REFERRAL_OUTCOMES,
    DischargeFact,
    ReferralFact,
)
from ryadom.care.lifecycle import OPEN_STATES
from ryadom.care.models import CareRequest, Complaint, Event, Feedback, Status, Visit
from ryadom.referrals.models import Outcome, Referral
from ryadom.referrals.models import Status as ReferralStatus
from ryadom.veterans.models import Stay

# Days and weeks are counted in one national calendar, the one the country reports in.
NATIONAL_ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)
DONE = [Status.COMPLETED, Status.CONFIRMED]
WAITING = [Status.NEW, Status.TRIAGED]
HOLDING = [Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS]
# Overdue: the deadline watch has escalated it and the work is still not done.
NOT_DONE = WAITING + HOLDING
SATISFIED_RATING = 4  # a rating of 4 or 5 counts as satisfied


class MinutesBetween(Func):
    """Whole minutes from `start` to `end`, counted on whole seconds (as in Python:
    (int(end.timestamp()) - int(start.timestamp())) // 60 for end after start)."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def _operands(self, compiler: Any) -> tuple[str, str, tuple[Any, ...]]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return end, start, (*end_params, *start_params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, start, params = self._operands(compiler)
        sql = (
            f"((CAST(FLOOR(EXTRACT(EPOCH FROM {end})) AS bigint)"
            f" - CAST(FLOOR(EXTRACT(EPOCH FROM {start})) AS bigint)) / 60)"
        )
        return sql, params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, start, params = self._operands(compiler)
        sql = (
            f"((CAST(strftime('%%s', {end}) AS INTEGER)"
            f" - CAST(strftime('%%s', {start}) AS INTEGER)) / 60)"
        )
        return sql, params

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        # Ryadom runs on PostgreSQL and SQLite only (settings: DATABASE_URL).
        raise NotSupportedError(
            f"whole minutes between times are not written for {connection.vendor}"
        )


def _count(queryset: QuerySet[Any], **filters: Any) -> Coalesce:
    """How many rows of a per-request table match, as a correlated subquery."""
    rows = (
        queryset.filter(request=OuterRef("pk"), **filters)
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _sum(queryset: QuerySet[Any], expression: Expression | F, **filters: Any) -> Coalesce:
    rows = (
        queryset.filter(request=OuterRef("pk"), **filters)
        .order_by()
        .values("request")
        .annotate(n=Sum(expression))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def fact_columns() -> dict[str, Any]:
    """Column name → expression over CareRequest, in the order of the fact table."""
    first_assignment = (
        Event.objects.filter(request=OuterRef("pk"), action__in=["assign", "claim"])
        .order_by("at", "id")
        .values("at")[:1]
    )
    last_completion = (
        Event.objects.filter(request=OuterRef("pk"), action="complete")
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    feedback, complaints = Feedback.objects.all(), Complaint.objects.all()
    return {
        "request_id": F("pk"),
        "day": TruncDate("created_at", tzinfo=NATIONAL_ZONE),
        "week": TruncWeek("created_at", tzinfo=NATIONAL_ZONE, output_field=DateField()),
        "created_at": F("created_at"),
        "region_id": F("region_id"),
        "agency_id": F("institution__agency_id"),
        "institution_id": F("institution_id"),
        "service_type_id": F("service_type_id"),
        "organisation_id": Coalesce(F("organisation_id"), 0),
        "volunteer_id": Coalesce(F("volunteer_id"), 0),
        "status": F("status"),
        "escalation_level": F("escalation_level"),
        "deadline": F("deadline"),
        "assigned_at": Subquery(first_assignment),
        "completed_at": Case(When(status__in=DONE, then=Subquery(last_completion)), default=None),
        "feedback": _count(feedback),
        "respectful": _count(feedback, respectful=True),
        "satisfied": _count(feedback, rating__gte=SATISFIED_RATING),
        "rated": _count(feedback, rating__isnull=False),
        "rating_sum": _sum(feedback, F("rating")),
        "complaints": _count(complaints),
        "upheld": _count(complaints, upheld=True),
        "visit_minutes": _sum(
            Visit.objects.all(),
            MinutesBetween(F("checked_out_at"), F("checked_in_at")),
            checked_out_at__isnull=False,
        ),
    }


def facts_queryset() -> QuerySet[CareRequest, tuple[Any, ...]]:
    """Every request's fact, as rows in the column order of `fact_columns()`."""
    columns = fact_columns()
    # Aliases must not shadow model fields, so they are annotated under a prefix.
    annotated = CareRequest.objects.order_by().annotate(
        **{f"f_{name}": expression for name, expression in columns.items()}
    )
    return annotated.values_list(*(f"f_{name}" for name in columns))


def _flag(condition: Q | LessThan) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0)))


def measure_aggregates() -> dict[str, Any]:
    """Measure name → aggregate over RequestFact rows, in the order of `MEASURES`."""
    to_assign = MinutesBetween(F("assigned_at"), F("created_at"))
    to_complete = MinutesBetween(F("completed_at"), F("created_at"))
    done = Q(status__in=DONE)
    aggregates: dict[str, Any] = {
        "created": Count("request_id"),
        "assigned": Count("assigned_at"),
        "completed": _flag(done),
        "confirmed": _flag(Q(status=Status.CONFIRMED)),
        "cancelled": _flag(Q(status=Status.CANCELLED)),
        "open": _flag(Q(status__in=sorted(OPEN_STATES))),
        "waiting": _flag(Q(status__in=WAITING)),
        "overdue": _flag(Q(status__in=NOT_DONE, escalation_level__gte=1)),
        "on_time": _flag(Q(completed_at__isnull=False, completed_at__lte=F("deadline"))),
        "assign_minutes": Coalesce(Sum(to_assign), 0),
        "complete_minutes": Coalesce(Sum(to_complete), 0),
    }
    for name in ("feedback", "respectful", "satisfied", "rated", "rating_sum"):
        aggregates[name] = Coalesce(Sum(name), 0)
    for name in ("complaints", "upheld", "visit_minutes"):
        aggregates[name] = Coalesce(Sum(name), 0)
    for column, edge in zip(ASSIGN_HIST, BUCKET_EDGES, strict=True):
        aggregates[column] = _flag(LessThan(to_assign, edge))
    for column, edge in zip(COMPLETE_HIST, BUCKET_EDGES, strict=True):
        aggregates[column] = _flag(LessThan(to_complete, edge))
    return aggregates


# After the ward: a fact per discharge and per referral, and what each adds to a day's cell.


def _count_of(queryset: QuerySet[Any], to: str) -> Coalesce:
    """How many rows of `queryset` point at the outer row through `to`, as a subquery."""
    rows = (
        queryset.filter(**{to: OuterRef("pk")})
        .order_by()
        .values(to)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _as_rows(queryset: QuerySet[Any], columns: dict[str, Any]) -> QuerySet[Any, tuple[Any, ...]]:
    annotated = queryset.order_by().annotate(
        **{f"f_{name}": expression for name, expression in columns.items()}
    )
    return annotated.values_list(*(f"f_{name}" for name in columns))


def discharge_facts_queryset() -> QuerySet[Stay, tuple[Any, ...]]:
    """Every discharge's fact (a stay that ended, not in a transfer), in the column order
    of DischargeFact."""
    contacts = FollowUpContact.objects.all()
    columns = {
        "stay_id": F("pk"),
        "day": F("discharged_on"),
        "region_id": F("institution__region_id"),
        "home_region_id": Coalesce(F("discharge_plan__home_region_id"), 0),
        "with_plan": Case(When(discharge_plan__isnull=False, then=Value(1)), default=Value(0)),
        "first_contact_at": F("discharge_plan__first_contact_at"),
        "contacts_closed": _count_of(
            contacts.exclude(outcome__in=["", ContactOutcome.STOPPED]), "plan__stay_id"
        ),
        "contacts_reached": _count_of(contacts.filter(outcome__in=REACHED), "plan__stay_id"),
    }
    transferred = Stay.objects.filter(transferred_from=OuterRef("pk"))
    discharges = Stay.objects.filter(discharged_on__isnull=False).exclude(Exists(transferred))
    return _as_rows(discharges, columns)


def referral_facts_queryset() -> QuerySet[Referral, tuple[Any, ...]]:
    """Every referral's fact, in the column order of ReferralFact."""
    columns = {
        "referral_id": F("pk"),
        "day": TruncDate("created_at", tzinfo=NATIONAL_ZONE),
        "region_id": F("region_id"),
        "status": F("status"),
        "outcome": F("outcome"),
    }
    return _as_rows(Referral.objects.all(), columns)


def after_ward_groupings() -> list[tuple[type[DischargeFact | ReferralFact], str, dict[str, Any]]]:
    """How facts add to the daily cells after the ward: (fact model, the region column the
    cell is keyed by, measure → aggregate over the facts), grouped by day and that region."""
    done = Q(status=ReferralStatus.DONE)
    closed = [ReferralStatus.DONE, ReferralStatus.DECLINED, ReferralStatus.CANCELLED]
    referrals: dict[str, Any] = {
        "referrals_sent": Count("referral_id"),
        "referrals_done": _flag(done),
        "referrals_declined": _flag(Q(status=ReferralStatus.DECLINED)),
        "referrals_cancelled": _flag(Q(status=ReferralStatus.CANCELLED)),
        "referrals_open": _flag(~Q(status__in=closed)),
    }
    for outcome in REFERRAL_OUTCOMES:
        # A referral done without an outcome named counts as "other".
        named = Q(outcome__in=[outcome, ""]) if outcome == Outcome.OTHER else Q(outcome=outcome)
        referrals[f"outcome_{outcome}"] = _flag(done & named)
    return [
        (
            DischargeFact,
            "region_id",
            {"discharges": Count("stay_id"), "with_plan": Coalesce(Sum("with_plan"), 0)},
        ),
        (
            DischargeFact,
            "home_region_id",
            {
                "contacts_closed": Coalesce(Sum("contacts_closed"), 0),
                "contacts_reached": Coalesce(Sum("contacts_reached"), 0),
            },
        ),
        (ReferralFact, "region_id", referrals),
    ]
