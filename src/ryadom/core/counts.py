"""Counting several unrelated querysets in one round trip: each count becomes a subquery
annotated on a single row, so a page that tells how many of several things wait pays one
query, not one per thing."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func, QuerySet, Subquery


def count_subquery(rows: QuerySet[Any]) -> Subquery:
    """`rows.count()` as an expression to annotate on another query."""
    return Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])
