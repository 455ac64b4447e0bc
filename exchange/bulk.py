"""Rows written in bulk, past the ORM's per-object work, for large imports.

An import knows every value of its rows before writing them, so it takes the
ids it needs from the table's sequence in one statement (a comment's path holds
its own id), and writes the rows in one COPY on PostgreSQL (one executemany on
SQLite). Columns the caller leaves out get the model field's default, so a
field added to the model later is filled as bulk_create would fill it.
"""

from collections.abc import Iterable
from datetime import datetime
from itertools import chain

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
    fill = {f.attname: _default(f, now) for f in fields if f.attname not in given}
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    values = ({**fill, **row} for row in rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: its errors become Django's by hand.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in values:
                    copy.write_row([row[name] for name in names])
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(names))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
            [
                [adapt(v) if isinstance(v, datetime) else v
                 for v in (row[name] for name in names)]
                for row in values
            ],
        )  # fmt: skip


def _default(field: models.Field, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default() and callable(field.default):
        # One value for every row would break a unique default (a token, a uuid).
        raise ValueError(f"insert_rows needs a value for {field.attname}")
    value = field.get_default()
    return None if value is None else field.get_db_prep_save(value, connection)
