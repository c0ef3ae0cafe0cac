"""notifications.jobs and the Celery tasks around them: reminders before bookings and sessions
at each center's hours (24 and 1 by default), written once however often the clock runs; the
daily digest of pending approvals to the staff who approve; tick() and daily() run eagerly."""

from datetime import timedelta

import pytest

from bookings.messages import staff_digest
from bookings.models import Booking
from centers.models import Space, StaffAssignment
from members.models import User
from notifications import tasks
from notifications.jobs import reminders_schedule
from notifications.models import Message
from notifications.services import message_send
from services.services.registration import session_register
from tests.factories import (
    BookableSpaceFactory,
    ProgramFactory,
    SessionFactory,
    StaffAssignmentFactory,
    UserFactory,
    book,
    staff_at,
)
from tests.notifications.conftest import MONDAY, NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]

THURSDAY = MONDAY + timedelta(days=3)
WEDNESDAY = MONDAY + timedelta(days=2)
Role = StaffAssignment.Role


@pytest.fixture
def space(clock) -> Space:
    return BookableSpaceFactory()


@pytest.fixture
def member() -> User:
    return UserFactory(phone="+8613812345678")


def reminders(about) -> list[str]:
    return sorted(
        Message.objects.filter(object_id=about.pk, kind__startswith="reminder_").values_list(
            "kind", flat=True
        )
    )


def test_a_booking_made_days_ahead_gets_both_reminders_once(space, member, clock) -> None:
    booking = book(space, at(10, day=THURSDAY), member=member, now=NOW)

    clock.move_to(at(9, 59, day=WEDNESDAY))
    assert reminders_schedule() == 0
    clock.move_to(at(10, day=WEDNESDAY))
    assert reminders_schedule() == 1
    assert reminders_schedule() == 0  # the next minute's run writes nothing new
    assert reminders(booking) == ["reminder_24h"]

    clock.move_to(at(9, day=THURSDAY))
    assert reminders_schedule() == 1
    clock.move_to(at(9, 30, day=THURSDAY))
    assert reminders_schedule() == 0

    assert reminders(booking) == ["reminder_1h", "reminder_24h"]
    assert Message.objects.filter(kind="reminder_24h").get().due_at == at(10, day=WEDNESDAY)


def test_a_booking_made_two_hours_ahead_gets_only_the_late_reminder(space, member, clock) -> None:
    clock.move_to(at(8, day=THURSDAY))
    booking = book(space, at(10, day=THURSDAY), member=member)

    assert reminders_schedule() == 0
    clock.move_to(at(9, day=THURSDAY))
    assert reminders_schedule() == 1

    assert reminders(booking) == ["reminder_1h"]


def test_a_center_chooses_its_reminder_hours(member, clock) -> None:
    space = BookableSpaceFactory(center__reminder_hours="2")
    elsewhere = book(
        BookableSpaceFactory(),
        at(10, day=THURSDAY),
        now=NOW,
        member=UserFactory(phone="+8613900000009"),
    )
    booking = book(space, at(10, day=THURSDAY), member=member, now=NOW)

    for hour in range(24):  # Wednesday 10:00 to Thursday 09:00, every hour
        clock.move_to(at(10, day=WEDNESDAY) + timedelta(hours=hour))
        reminders_schedule()

    assert reminders(booking) == ["reminder_2h"]
    assert Message.objects.get(kind="reminder_2h").due_at == at(8, day=THURSDAY)
    assert reminders(elsewhere) == ["reminder_1h", "reminder_24h"]  # the default hours


def test_only_holding_bookings_are_reminded(space, member, clock) -> None:
    approval = BookableSpaceFactory(center=space.center, requires_approval=True)
    pending = book(approval, at(10, day=THURSDAY), member=member, now=NOW)
    assert pending.status == Booking.Status.PENDING

    clock.move_to(at(9, day=THURSDAY))
    reminders_schedule()

    assert reminders(pending) == []


def test_registrations_get_reminders_too(member, clock) -> None:
    session = SessionFactory(
        program=ProgramFactory(title="太极拳"),
        start=at(10, day=THURSDAY),
        registration_opens=NOW,
    )
    registration = session_register(session=session, member=member, now=NOW)

    clock.move_to(at(10, day=WEDNESDAY))
    assert reminders_schedule() == 1
    clock.move_to(at(9, day=THURSDAY))
    assert reminders_schedule() == 1
    assert reminders_schedule() == 0

    assert reminders(registration) == ["reminder_1h", "reminder_24h"]
    message = Message.objects.get(kind="reminder_1h")
    assert message.about == registration


def test_a_registration_made_late_gets_only_the_late_reminder(member, clock) -> None:
    clock.move_to(at(7, day=THURSDAY))
    session = SessionFactory(start=at(10, day=THURSDAY), registration_opens=at(7, day=THURSDAY))
    registration = session_register(session=session, member=member)

    clock.move_to(at(9, day=THURSDAY))
    reminders_schedule()

    assert reminders(registration) == ["reminder_1h"]


# --- Staff digest --------------------------------------------------------------------------------


def staff(center, role: str) -> User:
    return staff_at(center, role, email=f"{role}-{center.pk}@example.cn")


def test_the_digest_goes_once_a_day_to_those_who_approve(clock) -> None:
    approval = BookableSpaceFactory(requires_approval=True)
    other = BookableSpaceFactory(requires_approval=True)
    manager = staff(approval.center, Role.MANAGER)
    front_desk = staff(approval.center, Role.FRONT_DESK)
    viewer = staff(approval.center, Role.VIEWER)
    StaffAssignmentFactory(center=other.center, role=Role.MANAGER, user=manager)
    quiet = BookableSpaceFactory(requires_approval=True)
    staff(quiet.center, Role.MANAGER)  # nothing waits there
    for hour in (10, 12):
        book(approval, at(hour, day=THURSDAY), now=NOW)
    book(other, at(10, day=THURSDAY), now=NOW)

    staff_digest()
    staff_digest()  # a second run the same day

    digests = Message.objects.filter(kind__startswith="staff_digest@")
    assert sorted((m.recipient_id, m.object_id) for m in digests) == sorted(
        [
            (manager.pk, approval.center_id),
            (manager.pk, other.center_id),
            (front_desk.pk, approval.center_id),
        ]
    )
    assert not digests.filter(recipient=viewer).exists()
    mine = digests.get(recipient=front_desk)
    assert mine.kind == f"staff_digest@{MONDAY.isoformat()}"
    assert mine.context == {"count": 2, "place": approval.center.name}

    clock.move_to(at(8, day=MONDAY + timedelta(days=1)))
    staff_digest()
    assert Message.objects.filter(kind__startswith="staff_digest@").count() == 6


def test_the_digest_text(clock, mailoutbox) -> None:
    approval = BookableSpaceFactory(requires_approval=True, center__name="江宁路街道中心")
    manager = staff(approval.center, Role.MANAGER)
    User.objects.filter(pk=manager.pk).update(language="en")
    for hour in (10, 12, 14):
        book(approval, at(hour, day=THURSDAY), now=NOW)

    staff_digest()
    assert message_send(Message.objects.get(recipient=manager).pk) == Message.Status.SENT

    [email] = mailoutbox
    assert email.subject == "【Linli】Bookings awaiting approval"
    assert email.body == "3 bookings at 江宁路街道中心 are waiting for your approval."


# --- Tasks ---------------------------------------------------------------------------------------


def test_tick_runs_the_clock_jobs_and_sends_what_is_due(space, member, sms, clock) -> None:
    booking = book(space, at(10, day=THURSDAY), member=member, now=NOW)
    assert Message.objects.get().status == Message.Status.PENDING  # its commit never came

    done = tasks.tick()

    assert done["messages_queued"] == 1
    assert {"reminders_schedule", "messages_recover_stale", "offers_expire"} <= set(done)
    assert Message.objects.get(object_id=booking.pk).status == Message.Status.SENT
    assert len(sms.sent) == 1

    clock.move_to(at(10, day=WEDNESDAY))
    done = tasks.tick()
    assert done["reminders_schedule"] == 1
    assert done["messages_queued"] == 1
    assert Message.objects.get(kind="reminder_24h").status == Message.Status.SENT
    assert tasks.tick()["messages_queued"] == 0


def test_the_clock_hands_a_backlog_to_the_workers_once(space, member, sms, clock, monkeypatch):
    """A catch-up writes thousands of reminders; the workers take minutes to send them. Each
    tick hands over only what it has not handed over lately (in batches), so the backlog is not
    queued again every minute; one still pending 10 minutes on (its task lost) goes again."""
    handed: list[list[int]] = []
    monkeypatch.setattr(tasks.send_messages, "delay", handed.append)
    for hour in (10, 12, 14):
        book(space, at(hour, day=THURSDAY), member=member, now=NOW)
    clock.move_to(at(14, day=WEDNESDAY))

    assert tasks.tick()["messages_queued"] == 6  # 3 confirmations (never sent), 3 reminders
    assert [len(batch) for batch in handed] == [6]
    clock.move_to(at(14, 9, day=WEDNESDAY))
    assert tasks.tick()["messages_queued"] == 0

    clock.move_to(at(14, 10, day=WEDNESDAY))
    assert tasks.tick()["messages_queued"] == 6
    assert sorted(handed[1]) == sorted(handed[0])


def test_a_batch_sends_each_message_once(space, member, sms, clock) -> None:
    """A batch delivered twice (a worker lost mid-batch, acks late) sends nothing twice."""
    for hour in (10, 12):
        book(space, at(hour, day=THURSDAY), member=member, now=NOW)
    ids = list(Message.objects.values_list("pk", flat=True))

    assert tasks.send_messages(ids) == 2
    assert tasks.send_messages(ids) == 0
    assert len(sms.sent) == 2


def test_a_message_retried_is_handed_over_when_due_again(space, member, sms, clock, monkeypatch):
    """Claiming clears the hand-over mark: a failed attempt waits its backoff, not 10 minutes."""
    handed: list[list[int]] = []
    monkeypatch.setattr(tasks.send_messages, "delay", handed.append)
    book(space, at(10, day=THURSDAY), member=member, now=NOW)
    assert tasks.tick()["messages_queued"] == 1
    sms.down = True
    assert message_send(handed[0][0]) == Message.Status.PENDING  # again in 1 minute

    clock.move_to(NOW + timedelta(minutes=1))
    assert tasks.tick()["messages_queued"] == 1


def test_daily_runs_the_digest(clock) -> None:
    approval = BookableSpaceFactory(requires_approval=True)
    manager = staff(approval.center, Role.MANAGER)
    book(approval, at(10, day=THURSDAY), now=NOW)

    done = tasks.daily()

    assert done["staff_digest"] == 1
    assert Message.objects.filter(recipient=manager, kind__startswith="staff_digest@").exists()
