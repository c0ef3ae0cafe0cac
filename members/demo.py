"""Demo accounts, printed by ``loaddemo`` so a newcomer can log in at once."""

from dataclasses import dataclass

from django.db import transaction

from centers.models import Center, StaffAssignment
from core.demo import sync
from members.models import User


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


ADMIN = DemoLogin("admin", "linli-admin-2026", "superuser: every center")
STAFF = DemoLogin(
    "staff", "linli-staff-2026", "manager of 静安寺街道社区党群服务中心 and its stations"
)
RESIDENT = DemoLogin("resident", "linli-resident-2026", "resident")


def _user(login: DemoLogin, **values: object) -> User:
    user = sync(User, {"username": login.username}, values)
    # Only set the password when it does not match, so a second run writes nothing.
    if not user.check_password(login.password):
        user.set_password(login.password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_accounts() -> list[DemoLogin]:
    _user(ADMIN, is_staff=True, is_superuser=True, first_name="管理员")
    staff = _user(STAFF, is_staff=True, is_superuser=False, first_name="静安寺工作人员")
    center = Center.objects.get(name="静安寺街道社区党群服务中心")
    sync(StaffAssignment, {"user": staff, "center": center}, {"role": StaffAssignment.Role.MANAGER})
    _user(RESIDENT, is_staff=False, is_superuser=False, first_name="张阿姨")
    return [ADMIN, STAFF, RESIDENT]
