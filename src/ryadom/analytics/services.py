"""Writes of derived data: the refresh of one request (or discharge, or referral) and the
rebuild of everything.

A refresh recomputes the request's fact from the raw tables, then moves the difference
between what the old fact added to each rollup cell and what the new fact adds. The fact
row is locked first, so two refreshes of one request apply their differences one after the
other; different requests touch a shared cell only through `UPDATE … SET x = x + d`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ryadom.analytics.facts import (
    HOLDING,
    NATIONAL_ZONE,
    after_ward_groupings,
    discharge_facts_queryset,
    facts_queryset,
    measure_aggregates,
    referral_facts_queryset,
)
from ryadom.analytics.models import (
    AFTER_WARD_MEASURES,
    DAY_CELL,
    MEASURES,
    ROLLUPS,
    AfterWardDay,
    DayRollup,
    DischargeFact,
    ReferralFact,
    RequestFact,
    VolunteerSnapshot,
)
from ryadom.care.models import CareRequest, Visit
from ryadom.volunteers.models import (
    Check,
    CheckKind,
    CheckStatus,
    Membership,
    MembershipStatus,
    Volunteer,
)

FACT_FIELDS = [field.attname for field in RequestFact._meta.concrete_fields]
REBUILD_WORK_MEM = "256MB"
SNAPSHOT_FIELDS = ["volunteer_id", "region_id", "eligible", "holding", "last_task_on"]


def _measures_of(request_id: int) -> dict[str, int]:
    """What the stored fact of a request adds to any cell it falls in."""
    totals = RequestFact.objects.filter(pk=request_id).aggregate(**measure_aggregates())
    return {name: int(totals[name] or 0) for name in MEASURES}


def _apply(model: Any, key: dict[str, Any], delta: dict[str, int]) -> None:
    changes = {name: F(name) + value for name, value in delta.items() if value}
    if not changes:
        return
    cell, _created = model.objects.get_or_create(**key)
    model.objects.filter(pk=cell.pk).update(**changes)


def _refresh(request_id: int) -> bool:
    # The lock on the fact row orders concurrent refreshes of the same request.
    old = RequestFact.objects.select_for_update().filter(pk=request_id).first()
    old_measures = _measures_of(request_id) if old is not None else None
    row = facts_queryset().filter(pk=request_id).first()
    new = RequestFact(**dict(zip(FACT_FIELDS, row, strict=True))) if row is not None else None
    if (
        old is not None
        and new is not None
        and all(getattr(old, name) == getattr(new, name) for name in FACT_FIELDS)
    ):
        return False
    if new is None:
        RequestFact.objects.filter(pk=request_id).delete()
        new_measures = None
    else:
        new.save(force_insert=old is None, force_update=old is not None)
        new_measures = _measures_of(request_id)
    for model in ROLLUPS:
        old_key = {k: getattr(old, k) for k in model.KEYS} if old is not None else None
        new_key = {k: getattr(new, k) for k in model.KEYS} if new is not None else None
        if old_key is not None and old_key == new_key:
            assert old_measures is not None and new_measures is not None  # noqa: S101
            _apply(model, old_key, {m: new_measures[m] - old_measures[m] for m in MEASURES})
            continue
        if old_key is not None and old_measures is not None:
            _apply(model, old_key, {m: -old_measures[m] for m in MEASURES})
        if new_key is not None and new_measures is not None:
            _apply(model, new_key, new_measures)
    volunteers = {fact.volunteer_id for fact in (old, new) if fact is not None} - {0}
    if volunteers:
        _snapshots_refresh(volunteers)
    return True


@transaction.atomic
def request_rollups_refresh(*, request_id: int) -> bool:
    """Recompute one request's fact and move its rollup cells; False when nothing changed."""
    try:
        with transaction.atomic():
            return _refresh(request_id)
    except IntegrityError:
        # A concurrent refresh inserted the fact first; its row now exists to be locked.
        return _refresh(request_id)


# After the ward: each fact model and the rows it is made of (facts.py), in its column order.
AFTER_WARD_FACTS: dict[type[DischargeFact | ReferralFact], Callable[[], QuerySet[Any, Any]]] = {
    DischargeFact: discharge_facts_queryset,
    ReferralFact: referral_facts_queryset,
}
Cells = dict[tuple[datetime.date, int], dict[str, int]]


def _fields(model: type[DischargeFact | ReferralFact]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def after_ward_cells(model: type[DischargeFact | ReferralFact], facts: QuerySet[Any]) -> Cells:
    """What these facts add to each (day, region) cell of AfterWardDay."""
    cells: Cells = defaultdict(dict)
    for source, region, aggregates in after_ward_groupings():
        if source is not model:
            continue
        rows = (
            facts.exclude(**{region: 0})
            .order_by()
            .values("day", region)
            .annotate(**{f"m_{name}": aggregate for name, aggregate in aggregates.items()})
        )
        for row in rows:
            cell = cells[(row["day"], row[region])]
            for name in aggregates:
                cell[name] = cell.get(name, 0) + int(row[f"m_{name}"] or 0)
    return cells


def _after_ward_refresh(model: type[DischargeFact | ReferralFact], pk: int) -> bool:
    fields = _fields(model)
    # As for requests: the lock on the fact row orders concurrent refreshes of one fact.
    old = model.objects.select_for_update().filter(pk=pk).first()
    old_cells = after_ward_cells(model, model.objects.filter(pk=pk)) if old is not None else {}
    row = AFTER_WARD_FACTS[model]().filter(pk=pk).first()
    new = model(**dict(zip(fields, row, strict=True))) if row is not None else None
    if old is None and new is None:
        return False
    if (
        old is not None
        and new is not None
        and all(getattr(old, name) == getattr(new, name) for name in fields)
    ):
        return False
    if new is None:
        model.objects.filter(pk=pk).delete()
        new_cells: Cells = {}
    else:
        new.save(force_insert=old is None, force_update=old is not None)
        new_cells = after_ward_cells(model, model.objects.filter(pk=pk))
    # Cells in key order, so that two refreshes touching the same cells lock them alike.
    for key in sorted(old_cells.keys() | new_cells.keys()):
        before, after = old_cells.get(key, {}), new_cells.get(key, {})
        delta = {m: after.get(m, 0) - before.get(m, 0) for m in AFTER_WARD_MEASURES}
        _apply(AfterWardDay, dict(zip(AfterWardDay.KEYS, key, strict=True)), delta)
    return True


@transaction.atomic
def after_ward_refresh(*, model: type[DischargeFact | ReferralFact], pk: int) -> bool:
    """Recompute one discharge's (stay id) or referral's fact and move its cells; False
    when nothing changed."""
    try:
        with transaction.atomic():
            return _after_ward_refresh(model, pk)
    except IntegrityError:
        # A concurrent refresh inserted the fact or the cell first; now it can be locked.
        return _after_ward_refresh(model, pk)


def _after_ward_rebuild() -> dict[str, int]:
    """The facts after the ward by INSERT … SELECT, then their daily cells (days × regions,
    a few thousand rows a year: grouped by the database, merged here)."""
    counts: dict[str, int] = {}
    cells: dict[tuple[datetime.date, int], dict[str, int]] = {}
    for model, source in AFTER_WARD_FACTS.items():
        counts[model._meta.model_name or ""] = _insert_select(
            model._meta.db_table, _fields(model), source()
        )
        for key, measures in after_ward_cells(model, model.objects.all()).items():
            cells.setdefault(key, {}).update(measures)
    AfterWardDay.objects.bulk_create(
        (
            AfterWardDay(**dict(zip(AfterWardDay.KEYS, key, strict=True)), **cells[key])
            for key in sorted(cells)
        ),
        batch_size=1000,
    )
    counts["afterwardday"] = len(cells)
    return counts


def snapshots_queryset(
    volunteers: QuerySet[Volunteer] | None = None,
) -> QuerySet[Volunteer, tuple[Any, ...]]:
    """Per volunteer, in SNAPSHOT_FIELDS order: eligible to help at all (an approved NGO
    membership and a valid identity check), holding a request now, day of the last visit."""
    today = timezone.localdate()
    approved = Membership.objects.filter(volunteer=OuterRef("pk"), status=MembershipStatus.APPROVED)
    identity = Check.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        volunteer=OuterRef("pk"),
        kind=CheckKind.IDENTITY,
        status=CheckStatus.PASSED,
    )
    holding = CareRequest.objects.filter(volunteer=OuterRef("pk"), status__in=HOLDING)
    last_visit = (
        Visit.objects.filter(volunteer=OuterRef("pk"))
        .order_by()
        .values("volunteer")
        .annotate(last=Max("starts"))
        .values("last")
    )
    base = volunteers if volunteers is not None else Volunteer.objects.all()
    return (
        base.order_by()
        .annotate(
            s_volunteer_id=F("pk"),
            s_region_id=F("region_id"),
            s_eligible=Exists(approved) & Exists(identity),
            s_holding=Exists(holding),
            s_last_task_on=TruncDate(Subquery(last_visit), tzinfo=NATIONAL_ZONE),
        )
        .values_list(*(f"s_{name}" for name in SNAPSHOT_FIELDS))
    )


def _snapshots_refresh(volunteer_ids: set[int]) -> None:
    rows = snapshots_queryset(Volunteer.objects.filter(pk__in=volunteer_ids))
    for row in rows:
        values = dict(zip(SNAPSHOT_FIELDS, row, strict=True))
        VolunteerSnapshot.objects.update_or_create(
            volunteer_id=values.pop("volunteer_id"), defaults=values
        )


def _insert_select(table: str, columns: list[str], queryset: QuerySet[Any, Any]) -> int:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({quoted}) {sql}", params)  # noqa: S608
        return int(cursor.rowcount)


@transaction.atomic
def rollups_rebuild() -> dict[str, int]:
    """Recompute every fact, rollup and volunteer snapshot from the raw tables."""
    tables = [RequestFact, *ROLLUPS, VolunteerSnapshot, DischargeFact, ReferralFact, AfterWardDay]
    if connection.vendor == "postgresql":
        # Refreshes wait on the fact table until the rebuild commits; readers go on
        # reading the old rows (DELETE, not TRUNCATE, which would block them). The
        # groupings fit in memory rather than spilling to disk.
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
            for model in tables:
                cursor.execute(
                    f"LOCK TABLE {model._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"  # noqa: S608
                )
    for model in tables:
        model.objects.all().delete()
    counts = {"facts": _insert_select(RequestFact._meta.db_table, FACT_FIELDS, facts_queryset())}
    aggregates = measure_aggregates()
    # Rows go in in the order of the daily rollup's unique index, so that index grows at
    # its end instead of being written all over (a quarter faster at 5,000,000 requests).
    daily = (
        RequestFact.objects.values(*DayRollup.KEYS)
        .annotate(**{f"m_{name}": aggregates[name] for name in MEASURES})
        .order_by(*DAY_CELL)
    )
    counts["dayrollup"] = _insert_select(
        DayRollup._meta.db_table, [*DayRollup.KEYS, *MEASURES], daily
    )
    # Every other rollup's keys are among the daily rollup's and every measure is a sum,
    # so each is summed from the daily rows rather than measured from the facts again.
    for model in ROLLUPS:
        if model is DayRollup:
            continue
        grouped = (
            DayRollup.objects.order_by()
            .values(*model.KEYS)
            .annotate(**{f"m_{name}": Sum(name) for name in MEASURES})
        )
        counts[model._meta.model_name or ""] = _insert_select(
            model._meta.db_table, [*model.KEYS, *MEASURES], grouped
        )
    counts["volunteers"] = _insert_select(
        VolunteerSnapshot._meta.db_table, SNAPSHOT_FIELDS, snapshots_queryset()
    )
    counts |= _after_ward_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return counts
