"""Real-name verification (members.services.identity): the ID number is checked, kept only as
ciphertext plus a keyed digest, shown only masked, and the keys can be rotated."""

import logging
from datetime import date

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection
from django.test import override_settings

from core.errors import Invalid
from members import crypto, errors
from members.idcard import check_digit
from members.models import User
from members.services.identity import identity_keys_rotate, member_verify_identity
from tests.factories import UserFactory, VerifiedMemberFactory, make_id_number

pytestmark = pytest.mark.django_db

BORN = date(1958, 3, 12)
NUMBER = make_id_number(BORN, region="310104", serial=27)
TODAY = date(2026, 5, 18)


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


def verify(member: User, number: str = NUMBER, **kwargs) -> User:
    return member_verify_identity(
        member=member, real_name=kwargs.pop("real_name", "张秀英"), id_number=number, today=TODAY
    )


def stored_row(member: User) -> dict:
    """The member's identity columns as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT real_name_encrypted, id_number_encrypted, id_number_digest"
            f" FROM {User._meta.db_table} WHERE id = %s",
            [member.pk],
        )
        names = ["real_name", "id_number", "digest"]
        return dict(zip(names, cursor.fetchone(), strict=True))


# --- Verifying ------------------------------------------------------------------------------------


def test_verify_keeps_ciphertext_digest_and_mask_only(caplog) -> None:
    member = UserFactory()

    with caplog.at_level(logging.INFO):
        verified = verify(member, f" {NUMBER[:6]} {NUMBER[6:]} ")

    assert verified.is_verified
    assert verified.birth_date == BORN
    assert verified.id_number_masked == f"3****************{NUMBER[-1]}"
    row = stored_row(member)
    assert NUMBER not in str(row)
    assert "张秀英" not in str(row)
    assert crypto.decrypt(row["id_number"]) == NUMBER
    assert crypto.decrypt(row["real_name"]) == "张秀英"
    assert row["digest"] == crypto.digest(NUMBER)
    # The log says who verified, without the number, not even masked.
    assert f"member {member.pk} verified" in caplog.text
    assert NUMBER not in caplog.text
    assert NUMBER[-4:] not in caplog.text


def test_verify_accepts_an_x_check_character() -> None:
    first17 = next(
        f"31010419580312{n:03d}"
        for n in range(1000)
        if with_check(f"31010419580312{n:03d}").endswith("X")
    )
    member = verify(UserFactory(), first17 + "x")

    assert crypto.decrypt(stored_row(member)["id_number"]) == first17 + "X"
    assert member.id_number_masked.endswith("X")


@pytest.mark.parametrize(
    "number",
    [
        NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1"),  # wrong check digit
        NUMBER[:16],  # too short
        make_id_number(date(2026, 5, 19)),  # born tomorrow
        with_check("31010419590229123"),  # 29 Feb 1959
        with_check("31010419581301123"),  # month 13
    ],
    ids=["check-digit", "short", "future", "no-leap-day", "month-13"],
)
def test_verify_rejects_invalid_numbers_without_echoing_them(number: str) -> None:
    member = UserFactory()

    with pytest.raises(errors.InvalidIdNumber) as caught:
        verify(member, number)

    assert caught.value.code == "invalid_id_number"
    assert number not in str(caught.value.detail) and number not in str(caught.value.fields)
    member.refresh_from_db()
    assert not member.is_verified
    assert stored_row(member) == {"real_name": "", "id_number": "", "digest": None}


@pytest.mark.parametrize("name", ["", " 张 ", "x" * 51])
def test_verify_needs_a_real_name(name: str) -> None:
    with pytest.raises(Invalid) as caught:
        verify(UserFactory(), real_name=name)
    assert "real_name" in caught.value.fields


def test_an_id_number_verifies_one_account_only() -> None:
    verify(UserFactory())
    other = UserFactory()

    with pytest.raises(errors.IdNumberInUse) as caught:
        verify(other, f" {NUMBER.lower()} ")

    assert (caught.value.code, caught.value.status) == ("id_number_in_use", 409)
    other.refresh_from_db()
    assert not other.is_verified and other.id_number_digest is None


def test_verifying_twice_is_refused() -> None:
    member = verify(UserFactory())

    with pytest.raises(errors.AlreadyVerified):
        verify(member)
    with pytest.raises(errors.AlreadyVerified):
        verify(member, make_id_number(date(1990, 1, 1)))

    member.refresh_from_db()
    assert member.birth_date == BORN


def test_the_verified_member_factory_goes_through_the_service() -> None:
    old, young = (
        VerifiedMemberFactory(verified__born=date(1940, 1, 2)),
        VerifiedMemberFactory(verified__born=date(2000, 6, 30)),
    )
    assert old.is_verified and young.is_verified
    assert (old.birth_date, young.birth_date) == (date(1940, 1, 2), date(2000, 6, 30))
    assert old.id_number_digest != young.id_number_digest


# --- Key rotation ---------------------------------------------------------------------------------


def test_rotation_reencrypts_with_the_new_key() -> None:
    old_key = settings.ID_NUMBER_KEYS[0]
    new_key = Fernet.generate_key().decode()
    members = [verify(UserFactory()), VerifiedMemberFactory()]
    unverified = UserFactory()
    before = {m.pk: stored_row(m) for m in members}

    with override_settings(ID_NUMBER_KEYS=[new_key, old_key]):
        assert identity_keys_rotate() == 2

    with override_settings(ID_NUMBER_KEYS=[new_key]):
        for member in members:
            row = stored_row(member)
            assert row["id_number"] != before[member.pk]["id_number"]
            assert row["digest"] == before[member.pk]["digest"]  # same HMAC key, same digest
            assert crypto.decrypt(row["real_name"]) == "张秀英"
        assert crypto.decrypt(stored_row(members[0])["id_number"]) == NUMBER
    # The old key alone no longer reads the data: it really was re-encrypted.
    with pytest.raises(InvalidToken):
        crypto.decrypt(stored_row(members[0])["id_number"])
    assert stored_row(unverified)["id_number"] == ""


def test_rotation_recomputes_digests_so_reuse_is_still_found() -> None:
    member = verify(UserFactory())

    with override_settings(ID_NUMBER_HMAC_KEY="a-new-hmac-key"):
        assert identity_keys_rotate() == 1
        assert stored_row(member)["digest"] == crypto.digest(NUMBER)
        with pytest.raises(errors.IdNumberInUse):
            verify(UserFactory())

    # Under the old HMAC key the stored digest is stale: this is why rotation must follow.
    assert stored_row(member)["digest"] != crypto.digest(NUMBER)


def test_rotation_with_nothing_to_do_returns_zero() -> None:
    UserFactory()
    assert identity_keys_rotate() == 0
