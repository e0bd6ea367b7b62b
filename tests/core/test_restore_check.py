"""The backup drill of docs/operations.md: a pg_dump of the small demo, restored into a new
database, has every table's rows and every sequence back; a changed row is found."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from tests.demo.small import MOSCOW, TODAY, make_small

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the drill backs up and restores PostgreSQL (pg_dump); CI runs it there",
)


def _url(name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def restored_name() -> Iterator[str]:
    """A database of its own for the restore, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check(source: str, target: str) -> str:
    out = io.StringIO()
    call_command("restore_check", source=source, target=target, stdout=out)
    return out.getvalue()


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_backup_of_the_demo_matches_table_by_table(
    restored_name: str, tmp_path: Path, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    moment = datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=MOSCOW)
    with time_machine.travel(moment, tick=False):
        make_small()
    source, target = _url(connection.settings_dict["NAME"]), _url(restored_name)
    dump = tmp_path / "ryadom.dump"
    # The backup and the restore exactly as docs/operations.md gives them.
    subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
        [shutil.which("pg_dump") or "pg_dump", "--format=custom", f"--file={dump}", source],
        check=True,
    )
    subprocess.run(  # noqa: S603
        [shutil.which("pg_restore") or "pg_restore", "--no-owner", f"--dbname={target}", str(dump)],
        check=True,
    )

    report = _check(source, target)
    with psycopg.connect(source) as db:
        row = db.execute("SELECT count(*) FROM care_carerequest").fetchone()
    assert row is not None and row[0] >= 600  # the demo is there, and was compared
    assert "match: counts and checksums are the same" in report

    # One changed word, one missing row, one sequence behind: each is named.
    with psycopg.connect(target, autocommit=True) as db:
        db.execute(
            "UPDATE care_carerequest SET details = details || '.' WHERE id = "
            "(SELECT min(id) FROM care_carerequest)"
        )
        db.execute("DELETE FROM care_feedback WHERE id = (SELECT max(id) FROM care_feedback)")
        db.execute("SELECT setval('care_event_id_seq', 1)")
    with pytest.raises(CommandError) as refused:
        _check(source, target)
    message = str(refused.value)
    assert "3 difference(s)" in message
    assert "public.care_carerequest:" in message
    assert "public.care_feedback:" in message
    assert "sequence public.care_event_id_seq:" in message


def test_a_url_that_is_not_postgresql_is_refused_before_anything_is_read() -> None:
    with pytest.raises(CommandError, match="--target must be a postgres:// URL"):
        _check(_url("postgres"), "sqlite:///var/ryadom.sqlite3")
