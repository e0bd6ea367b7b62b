"""Development aid (not collected): print what each actor gets now, as a first draft of rows.

    MATRIX_ONLY=/dashboard/ .venv/bin/pytest -p no:xdist tests/security/_dump_matrix.py -s

Review every status before it goes into test_matrix.py: the table says what SHOULD happen.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import Cast
from tests.security import matrix_support as m

pytestmark = pytest.mark.django_db


def _fmt(statuses: dict[str, int]) -> str:
    from collections import Counter

    default = Counter(statuses.values()).most_common(1)[0][0]
    rest = ", ".join(f"{a}={s}" for a, s in statuses.items() if s != default)
    return f"E({default}{', ' if rest else ''}{rest})"


def test_dump(care_cast: Cast, settings: object, tmp_path: object) -> None:
    settings.RYADOM_UPLOADS_DIR = tmp_path  # type: ignore[attr-defined]
    objects = m.build_objects(care_cast)
    clients = {a: m.client_for(care_cast, a) for a in m.ACTORS}
    routes = [("GET", r) for r in m.page_routes()] + [
        tuple(r.split(" ", 1)) for r in m.api_routes()
    ]
    only = os.environ.get("MATRIX_ONLY", "")  # e.g. MATRIX_ONLY=/dashboard/
    for method, route in routes:
        if only not in route:
            continue
        kind = m.guess_kind(route)
        ins, outs = objects.get(kind, ({}, {})) if kind else ({}, {})
        row = m.Row(inside=m.E(0))
        got_in = {a: m.call(clients[a], method, m.fill(route, ins), row) for a in m.ACTORS}
        if method == "GET" and {s for a, s in got_in.items() if a != "anon"} == {405}:
            method = "POST"
            got_in = {a: m.call(clients[a], method, m.fill(route, ins), row) for a in m.ACTORS}
        line = f'    "{method} {route}": Row({_fmt(got_in)}'
        if kind:
            got_out = {a: m.call(clients[a], method, m.fill(route, outs), row) for a in m.ACTORS}
            line += f', {_fmt(got_out)}, obj="{kind}"'
        print(line + "),")
