"""``manage.py rotate_identity_keys``: after a new key is put first, re-encrypt everything so the
old key can be dropped."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from members import crypto
from members.models import User
from tests.factories import UserFactory, VerifiedMemberFactory, make_id_number

pytestmark = pytest.mark.django_db


def test_rotate_reencrypts_with_the_new_key_and_prints_the_count() -> None:
    numbers = [make_id_number(serial=n) for n in (11, 12)]
    members = [VerifiedMemberFactory(verified=number) for number in numbers]
    UserFactory()  # not verified: nothing to rotate
    new_key, old_key = Fernet.generate_key().decode(), settings.ID_NUMBER_KEYS[0]
    out = StringIO()

    with override_settings(ID_NUMBER_KEYS=[new_key, old_key]):
        call_command("rotate_identity_keys", stdout=out)

    assert "2" in out.getvalue()
    with override_settings(ID_NUMBER_KEYS=[new_key]):
        for member, number in zip(members, numbers, strict=True):
            stored = User.objects.get(pk=member.pk)
            assert crypto.decrypt(stored.id_number_encrypted) == number
            assert crypto.decrypt(stored.real_name_encrypted) == "张秀英"


def test_rotate_with_no_verified_members_says_zero() -> None:
    out = StringIO()
    call_command("rotate_identity_keys", stdout=out)
    assert " 0 " in out.getvalue()
