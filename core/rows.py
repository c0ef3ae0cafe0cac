"""Model objects from a query written once, for the few reads on the path of every request
whose ORM compiling costs more than the database's answer (``bookings.selectors``'s center and
spaces, ``centers.selectors``'s hours): the SQL names the model's columns itself and the rows
become model objects as the ORM makes them (``Model.from_db``, the backend's and the fields'
converters), read from where the router sends the model's reads."""

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model


def placeholders(values: Sequence[Any]) -> str:
    """``%s, %s, ...`` for an ``IN (...)`` of ``values`` (portable: SQLite has no ``ANY``)."""
    return ", ".join(["%s"] * len(values))


@cache
def columns(model: type[Model]) -> str:
    """The model's columns in field order, for ``SELECT {columns} FROM ...``."""
    table = model._meta.db_table
    return ", ".join(f'"{table}"."{field.column}"' for field in model._meta.concrete_fields)


@cache  # by connection: the backend's converters are its own bound methods
def _converters(model: type[Model], connection: BaseDatabaseWrapper) -> list[tuple]:
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        convert = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if convert:
            found.append((position, convert, column))
    return found


def _build(model: type[Model], alias: str, connection: BaseDatabaseWrapper, row: Sequence) -> Model:
    converters = _converters(model, connection)
    if converters:
        row = list(row)
        for position, convert, column in converters:
            value = row[position]
            for converter in convert:
                value = converter(value, column, connection)
            row[position] = value
    return model.from_db(alias, [field.attname for field in model._meta.concrete_fields], row)


def _rows(model: type[Model], sql: str, params: Sequence[Any]) -> tuple[str, Any, list]:
    alias = router.db_for_read(model)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return alias, connection, cursor.fetchall()


def objects(model: type[Model], sql: str, params: Sequence[Any]) -> list[Model]:
    """``model`` objects from ``sql``, whose select list is ``columns(model)``."""
    alias, connection, rows = _rows(model, sql, params)
    return [_build(model, alias, connection, row) for row in rows]


def object_with_others(
    model: type[Model], other: type[Model], sql: str, params: Sequence[Any]
) -> tuple[Model | None, list[Model]]:
    """One ``model`` object and the ``other`` objects joined to it, from ``sql`` whose select
    list is ``columns(model), columns(other)`` and whose rows all carry the same ``model`` row
    (a LEFT JOIN: a row of NULLs for ``other`` when nothing joins). None when no row."""
    alias, connection, rows = _rows(model, sql, params)
    if not rows:
        return None, []
    width = len(model._meta.concrete_fields)
    one = _build(model, alias, connection, rows[0][:width])
    others = [
        _build(other, alias, connection, row[width:]) for row in rows if row[width] is not None
    ]
    return one, others
