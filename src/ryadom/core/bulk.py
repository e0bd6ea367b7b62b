"""Writing many new rows at once. On PostgreSQL through COPY, which takes a hundred thousand
rows several times faster than multi-row INSERTs and builds no model instance for a row;
elsewhere through `bulk_create`. Primary keys are taken from the table's sequence first, so
that the caller knows them (rows that refer to these rows are written next).

Like `bulk_create`: no signals, no `save()`, and a conflict is an error (the caller writes
only rows that are new).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    returning_ids: bool = False,
) -> list[int]:
    """Insert `rows`, each the values of the fields `names` (attnames: `volunteer_id`), in
    Python's types; the other fields take their defaults (a date set on creation: now).
    Returns the new primary keys, in the order of the rows, when `returning_ids`."""
    rows = list(rows)
    if not rows:
        return []
    meta = model._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=1000)
        return [obj.pk for obj in objs] if returning_ids else []
    now = timezone.now()
    rest = [f for f in meta.concrete_fields if f.attname not in names and not f.primary_key]
    constants = [f.get_db_prep_save(_default(f, now), connection) for f in rest]
    json_at = [i for i, name in enumerate(names) if isinstance(fields[name], models.JSONField)]
    columns = [*(fields[n].column for n in names), *(f.column for f in rest)]
    ids: list[int] = []
    if returning_ids:
        ids = new_ids(model, len(rows))
        columns.insert(0, meta.pk.column)
    sql = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for i, row in enumerate(rows):
            values = list(row)
            for at in json_at:
                values[at] = fields[names[at]].get_db_prep_save(values[at], connection)
            if returning_ids:
                values.insert(0, ids[i])
            copy.write_row(values + constants)
    return ids


def insert_objects(objs: Sequence[models.Model]) -> None:
    """Insert new instances of one model, as `bulk_create` would, setting their primary
    keys and their dates set on creation."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=1000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for f in stamped:
            f.pre_save(obj, True)
    names = [f.attname for f in fields]
    ids = insert_rows(
        model,
        names,
        ([getattr(obj, name) for name in names] for obj in objs),
        returning_ids=True,
    )
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False


def new_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys from the table's own sequence (PostgreSQL)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _default(field: models.Field[Any, Any], now: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()
