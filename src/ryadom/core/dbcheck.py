"""What a backup must give back: every table's row count and checksum, every sequence.

Computed in PostgreSQL itself, so a database of millions of rows is read once and only the
figures travel: a table's checksum is the md5 of its rows' md5s (each row as PostgreSQL
writes it as text) in primary-key order. Two databases with the same figures hold the same
rows in every table, and their sequences hand out the same next ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

TABLES = """
SELECT c.oid, n.nspname, c.relname,
       array(SELECT a.attname FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY a.attnum)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
ORDER BY n.nspname, c.relname
"""
SEQUENCES = """
SELECT schemaname || '.' || sequencename, coalesce(last_value, 0) FROM pg_sequences
WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema'
"""


@dataclass(frozen=True)
class Figures:
    """One database's figures: table → (rows, checksum); sequence → last value."""

    tables: dict[str, tuple[int, str]]
    sequences: dict[str, int]


def _table_sum(
    conn: psycopg.Connection, schema: str, table: str, key: list[str]
) -> tuple[int, str]:
    order = (
        sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in key)
        if key
        else sql.SQL("md5(t::text)")  # no primary key: the rows' own order
    )
    query = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY {}), '')) "
        "FROM {}.{} AS t"
    ).format(order, sql.Identifier(schema), sql.Identifier(table))
    row = conn.execute(query).fetchone()
    assert row is not None  # noqa: S101 - an aggregate always gives a row
    return int(row[0]), str(row[1])


def figures(url: str) -> Figures:
    """Read the figures of the PostgreSQL database at `url` in one snapshot."""
    with psycopg.connect(url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        tables = {
            f"{schema}.{name}": _table_sum(conn, schema, name, list(key))
            for _oid, schema, name, key in conn.execute(TABLES).fetchall()
        }
        sequences = {str(name): int(value) for name, value in conn.execute(SEQUENCES).fetchall()}
    return Figures(tables=tables, sequences=sequences)


def differences(source: Figures, target: Figures) -> list[str]:
    """What the target lacks or holds otherwise than the source, one line each."""
    out = []
    for name in sorted(source.tables.keys() | target.tables.keys()):
        a, b = source.tables.get(name), target.tables.get(name)
        if a is None or b is None:
            out.append(f"{name}: only in the {'target' if a is None else 'source'}")
        elif a != b:
            out.append(f"{name}: {a[0]} rows, md5 {a[1]} in the source; {b[0]}, {b[1]} restored")
    for name in sorted(source.sequences.keys() | target.sequences.keys()):
        x, y = source.sequences.get(name), target.sequences.get(name)
        if x != y:
            out.append(f"sequence {name}: {x} in the source, {y} restored")
    return out
