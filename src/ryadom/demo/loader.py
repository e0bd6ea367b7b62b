"""Bulk inserts with row counts and seconds per table, and progress lines for the operator."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class Output(Protocol):
    """Where progress goes: a command's stdout, sys.stdout or a StringIO in tests."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


@dataclass
class TableStat:
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Loader:
    """Inserts lists of unsaved rows in batches and keeps per-table statistics."""

    out: Output
    batch_size: int = 2000
    started: float = field(default_factory=time.perf_counter)
    stats: dict[str, TableStat] = field(default_factory=dict)

    def insert(self, objs: Sequence[M]) -> list[M]:
        """Insert the rows; primary keys are set on them afterwards (both backends return them)."""
        if not objs:
            return []
        model = type(objs[0])
        began = time.perf_counter()
        created = model._default_manager.bulk_create(objs, batch_size=self.batch_size)
        stat = self.stats.setdefault(model._meta.db_table, TableStat())
        stat.rows += len(created)
        stat.seconds += time.perf_counter() - began
        return created

    def say(self, message: str) -> None:
        self.out.write(f"[{self.elapsed():7.1f}s] {message}\n")
        self.out.flush()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def summary(self) -> str:
        """A table of rows and insert seconds per table, then the totals."""
        width = max([len(name) for name in self.stats] + [5])
        lines = [f"{'table':<{width}} {'rows':>10} {'insert s':>9}"]
        for name, stat in self.stats.items():
            lines.append(f"{name:<{width}} {stat.rows:>10,} {stat.seconds:>9.1f}")
        total_rows = sum(stat.rows for stat in self.stats.values())
        lines.append(f"{'total':<{width}} {total_rows:>10,} {self.elapsed():>9.1f}")
        return "\n".join(lines)
