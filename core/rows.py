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


def objects(model: type[Model], sql: str, params: Sequence[Any]) -> list[Model]:
    """``model`` objects from ``sql``, whose select list is ``columns(model)``."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(model, connection)
    names = [field.attname for field in model._meta.concrete_fields]
    found = []
    for row in rows:
        if converters:
            row = list(row)
            for position, convert, column in converters:
                value = row[position]
                for converter in convert:
                    value = converter(value, column, connection)
                row[position] = value
        found.append(model.from_db(alias, names, row))
    return found
