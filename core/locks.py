"""Row locks, taken in one global order by one helper (pretix's ``base/services/locking.py``
is the model).

Everything that counts against a row locks that row first: seats against their session, points,
quotas and suspensions against the member, units against their space. Two transactions that
take two of these rows in different orders can wait on each other for ever (PostgreSQL then
aborts one with "deadlock detected"), so every transaction takes them in this order:

1. the session (``services.Session``),
2. the member (``members.User``),
3. the space (``centers.Space``),

and several rows of one kind by primary key. ``lock`` takes them so, refuses a row that comes
before one this transaction already locked (a row it holds already may be locked again),
refuses to run outside a transaction (the lock would end with the statement), and on
PostgreSQL waits at most ``settings.LOCK_TIMEOUT`` for a lock: a request that cannot get its
rows in time answers "busy, try again" (``Busy``) instead of holding a worker. On SQLite the
transaction's write lock (``IMMEDIATE``) already serializes writers; the order is checked all
the same.

Rows a job claims for itself (``select_for_update(skip_locked=True)``) and the rows of a
session's registrations are taken after these and need no place in the order.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from core.errors import LinliError

# The global order, by model label.
LOCK_ORDER = ("services.Session", "members.User", "centers.Space")

M = TypeVar("M", bound=Model)


class LockOrderError(RuntimeError):
    """A bug: rows locked out of the global order (or outside a transaction)."""


class Busy(LinliError):
    code = "busy"
    status = 503
    message = _("Too many requests for the same thing at once. Please try again in a moment.")


def _rank(model: type[Model]) -> int:
    try:
        return LOCK_ORDER.index(model._meta.label)
    except ValueError:
        raise LockOrderError(f"{model._meta.label} has no place in the lock order") from None


def _transaction() -> object:
    """The outermost ``atomic`` block of the code running (a test's own wrapping block aside:
    each service call in a test is a transaction of its own in production)."""
    blocks = connection.atomic_blocks
    return next((b for b in blocks if not getattr(b, "_from_testcase", False)), blocks[0])


@dataclass
class _Held:
    """What this transaction has locked: the highest rank, and the rows."""

    block: object
    commit_hooks: list
    rank: int = -1
    rows: set[tuple[str, Any]] = field(default_factory=set)
    # PostgreSQL: whether this transaction's lock_timeout is set (by its first lock query).
    timeout_set: bool = False


def _held() -> _Held:
    """This transaction's record, new when the transaction is. A decorator's ``atomic`` block
    serves many transactions, so the record also keeps the transaction's list of on-commit
    callbacks, which Django replaces by a new list when a transaction commits or rolls back."""
    block = _transaction()
    held = getattr(connection, "_linli_locks", None)
    if held is None or held.block is not block or held.commit_hooks is not connection.run_on_commit:
        held = _Held(block=block, commit_hooks=connection.run_on_commit)
        connection._linli_locks = held
    return held


def _with_timeout(query: QuerySet, held: _Held) -> QuerySet:
    """On PostgreSQL, the first lock query of a transaction sets its lock_timeout itself,
    local to the transaction (``SET LOCAL``, like the locks), rather than in a query of its
    own: a condition on the row, so it is evaluated as the row is found, before the row lock
    is asked for (the lock waits in the plan's top node, above the scan)."""
    if connection.vendor != "postgresql" or held.timeout_set:
        return query
    return query.filter(
        ExpressionWrapper(
            RawSQL(
                "set_config('lock_timeout', %s, true) IS NOT NULL", [f"{settings.LOCK_TIMEOUT}s"]
            ),
            output_field=BooleanField(),
        )
    )


@contextmanager
def unordered() -> Iterator[None]:
    """A batch that runs alone (loading the demo: many services in one transaction) may take
    rows in any order. Never in a request or a clock job."""
    connection._linli_unordered = True
    try:
        yield
    finally:
        connection._linli_unordered = False


def lock(obj: M, *, select_related: tuple[str, ...] = (), reread: bool = True) -> M:
    """Lock ``obj``'s row (and only it: not the rows ``select_related`` joins) and return it
    fresh from the database (``obj`` itself with ``reread=False``: the caller's copy is known
    to be current). Inside a transaction, in the global order."""
    return lock_all(obj, select_related=select_related, reread=reread)[0]


def lock_all(*objects: M, select_related: tuple[str, ...] = (), reread: bool = True) -> list[M]:
    """Lock the rows of ``objects`` in the global order and return them fresh (or themselves:
    ``reread=False``), in the order given. Objects of one model only need the same
    ``select_related``."""
    if not connection.in_atomic_block:
        raise LockOrderError("locks are taken inside a transaction (transaction.atomic)")
    held = _held()
    fresh: dict[tuple[str, int], Model] = {}
    for obj in sorted(objects, key=lambda o: (_rank(o.__class__), o.pk)):
        model = obj.__class__  # not type(): request.user is a lazy object
        row, rank = (model._meta.label, obj.pk), _rank(model)
        # A row this transaction holds already is no new wait, whatever its place.
        if rank < held.rank and row not in held.rows and not _unordered():
            raise LockOrderError(
                f"{LOCK_ORDER[rank]} locked after {LOCK_ORDER[held.rank]}: "
                "see core.locks.LOCK_ORDER"
            )
        query = _with_timeout(model._default_manager.select_for_update(of=("self",)), held)
        if select_related:
            query = query.select_related(*select_related)
        try:
            if reread:
                fresh[row] = query.get(pk=obj.pk)
                found = True
            else:
                found = bool(list(query.filter(pk=obj.pk).order_by().values_list("pk")))
                fresh[row] = obj
        except OperationalError as error:
            if _is_lock_timeout(error):
                transaction.set_rollback(True)
                raise Busy() from error
            raise
        # A row not found ran no condition: the next lock query sets the timeout then.
        held.timeout_set = held.timeout_set or found
        held.rank = max(held.rank, rank)
        held.rows.add(row)
    return [fresh[(o.__class__._meta.label, o.pk)] for o in objects]


def _unordered() -> bool:
    return getattr(connection, "_linli_unordered", False)


def _is_lock_timeout(error: OperationalError) -> bool:
    # psycopg2's LockNotAvailable (SQLSTATE 55P03), without importing the driver.
    return getattr(getattr(error, "__cause__", None), "pgcode", None) == "55P03"
