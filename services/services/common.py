from core.locks import lock
from services.models import Session


def lock_session(session: Session) -> Session:
    """Everything that counts seats of a session queues on its row lock (core.locks: the
    session comes first in the global order), with its program and center loaded but not
    locked (locking them would queue every session of the center behind this one)."""
    return lock(session, select_related=("program__center",))
