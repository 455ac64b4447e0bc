"""Rows written in bulk, past the ORM's per-object work, for large imports.

An import knows every value of its rows before writing them, so it takes the
ids it needs from the table's sequence in one statement (a comment's path holds
its own id), and writes the rows in one COPY on PostgreSQL (one executemany on
SQLite). Columns the caller leaves out get the model field's default, so a
field added to the model later is filled as bulk_create would fill it.
"""

import re
from collections.abc import Iterable
from datetime import datetime
from itertools import chain
from operator import itemgetter

from django.db import connection, models
from django.utils import timezone


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, ascending, that nothing else will
    be given; call inside the transaction that writes them."""
    if count == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named once (a subquery), not once per row.
            cursor.execute(
                "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))) "
                "FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        return _sqlite_ids(cursor, table, pk, count)


def _sqlite_ids(cursor, table: str, pk: str, count: int) -> list[int]:
    # An AUTOINCREMENT table's high-water mark lives in sqlite_sequence; moving
    # it first also takes the database's write lock, so no writer comes between.
    cursor.execute(
        "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", [count, table]
    )
    if cursor.rowcount:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        top = cursor.fetchone()[0]
    else:
        quoted = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quoted(pk)}), 0) FROM {quoted(table)}")  # noqa: S608
        top = cursor.fetchone()[0] + count
        cursor.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top]
        )
    return list(range(top - count + 1, top + 1))


def insert_rows(model: type[models.Model], rows: Iterable[dict]) -> None:
    """Insert rows given as {attname: value}, each with the same keys; values
    are what the database stores (ids, not objects); the rest of the columns
    get their defaults. The rows may be made as they are written."""
    rows = iter(rows)
    if (first := next(rows, None)) is None:
        return
    rows = chain([first], rows)
    given = first.keys()
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.attname in given or not f.primary_key
    ]
    now = timezone.now()
    # The given values come first, the defaults after them, the same each row.
    named = [f for f in fields if f.attname in given]
    filled = [f for f in fields if f.attname not in given]
    fill = tuple(_default(f, now) for f in filled)
    names = [f.attname for f in named]
    pick = (
        itemgetter(*names)
        if len(names) > 1
        else lambda row: tuple(row[name] for name in names)
    )
    columns = ", ".join(connection.ops.quote_name(f.column) for f in named + filled)
    table = connection.ops.quote_name(model._meta.db_table)
    values = (pick(row) + fill for row in rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = _binary_types(named + filled)
            binary = " (FORMAT BINARY)" if types else ""
            # The driver's own cursor: its errors become Django's by hand.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(
                    f"COPY {table} ({columns}) FROM STDIN{binary}"
                ) as copy,
            ):
                if types:
                    copy.set_types(types)
                for row in values:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * (len(named) + len(filled)))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
            [
                [adapt(v) if isinstance(v, datetime) else v for v in row]
                for row in values
            ],
        )


def _binary_types(fields: list[models.Field]) -> list[int] | None:
    """The columns' types, for a binary COPY (which PostgreSQL need not parse,
    nor the driver write out as text), or None when one is not a built-in
    type the driver knows."""
    from psycopg.postgres import types

    found = [
        types.get(_MODIFIERS.sub("", field.db_type(connection)).strip())
        for field in fields
    ]
    return None if None in found else [info.oid for info in found]


_MODIFIERS = re.compile(r"\(.*?\)")


def _default(field: models.Field, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default() and callable(field.default):
        # One value for every row would break a unique default (a token, a uuid).
        raise ValueError(f"insert_rows needs a value for {field.attname}")
    value = field.get_default()
    return None if value is None else field.get_db_prep_save(value, connection)
