"""Helpers for idempotent demo data: write a row only when it differs from what is there."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Loaded:
    """What an app's demo loader (settings.DEMO_LOADERS) reports: a count for the summary line
    ("3 centers"), and lines to show below it (the logins)."""

    summary: str = ""
    lines: tuple[str, ...] = ()


def sync(model: type[Model], lookup: dict[str, Any], values: dict[str, Any]) -> Model:
    """``update_or_create`` that leaves an unchanged row untouched (no write, no new ``updated``)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=[*changed, *(["updated"] if hasattr(obj, "updated") else [])])
    return obj


def sync_set(model: type[Model], scope: dict[str, Any], rows: Iterable[dict[str, Any]]) -> None:
    """Make the rows of ``model`` within ``scope`` exactly ``rows``: keep matching rows, delete
    the rest, create what is missing."""
    wanted = [dict(row) for row in rows]
    for obj in model.objects.filter(**scope):
        current = {name: getattr(obj, name) for name in (wanted[0] if wanted else {})}
        if current in wanted:
            wanted.remove(current)
        else:
            obj.delete()
    for row in wanted:
        model.objects.create(**scope, **row)
