"""The small demo as the tests make it: one seed, one day."""

from __future__ import annotations

import datetime
import io
import zoneinfo

from ryadom.demo.generate import generate
from ryadom.demo.plan import SCALES

TODAY = datetime.date(2026, 11, 22)
SMALL = SCALES["small"]
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
# The generation's "now": the midnight that began TODAY in Moscow.
NOW = datetime.datetime.combine(TODAY, datetime.time(0), tzinfo=MOSCOW)


def make_small(seed: int = 20261122) -> str:
    out = io.StringIO()
    generate(plan=SMALL, seed=seed, today=TODAY, out=out)
    return out.getvalue()
