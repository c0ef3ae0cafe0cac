import secrets

from members.models import User
from services.models import Registration, RegistrationEvent, Session


def new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def lock_session(session: Session) -> Session:
    """Everything that counts seats of a session queues on its row lock (on SQLite the
    IMMEDIATE transaction already serializes writers). Only that row: without ``of``,
    PostgreSQL would lock the joined program and center rows too, queueing every session of
    the center behind this one."""
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("program__center")
        .get(pk=session.pk)
    )


def record_event(
    registration: Registration,
    action: str,
    from_status: str,
    to_status: str,
    actor: User | None,
    reason: str = "",
) -> RegistrationEvent:
    return RegistrationEvent.objects.create(
        registration=registration,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason[:200],
    )


def set_status(
    registration: Registration,
    to: str,
    *,
    action: str,
    actor: User | None,
    reason: str = "",
    **fields,
) -> Registration:
    before = registration.status
    registration.status = to
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.save(update_fields=["status", "updated", *fields])
    record_event(registration, action, before, to, actor, reason)
    return registration
