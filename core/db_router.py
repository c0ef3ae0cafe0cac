"""The read replica (DATABASE_REPLICA_URL): which reads may go there, and the router.

Only code that says so reads from the replica (``replica_reads``): public answers that may lag a
moment behind the primary, such as availability and the lists of centers, spaces, programs and
sessions. Everything else, and everything inside a transaction, reads the primary, so a member
always sees their own writes and every lock is taken where the writes happen."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.db import transaction

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def reads_replica(method: Callable) -> Callable:
    """For a view's handler (``get``, ``list``): its queries may read the replica. The request's
    authentication ran before, on the primary."""

    @wraps(method)
    def handler(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return method(*args, **kwargs)

    return handler


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str:
        if _replica_allowed.get() and not transaction.get_connection().in_atomic_block:
            return "replica"
        return "default"

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"  # the replica follows the primary's WAL
