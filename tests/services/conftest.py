"""What the services tests share."""

import pytest

from services.models import Program, Session
from services.services.volunteering import volunteer_role_add
from tests.factories import ProgramFactory, SessionFactory, staff_at


@pytest.fixture
def volunteer_session() -> Session:
    """The weekly convenience service: 理发 2 places, 扦脚 1."""
    program = ProgramFactory(title="便民服务志愿者", kind=Program.Kind.VOLUNTEER)
    manager = staff_at(program.center)
    session = SessionFactory(program=program, by=manager)
    volunteer_role_add(session=session, name="理发", seats=2, by=manager)
    volunteer_role_add(session=session, name="扦脚", seats=1, by=manager)
    return session
