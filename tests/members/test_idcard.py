"""members.idcard: the 18-digit resident ID number (GB 11643-1999): shape, check digit, birth
date and the masked form, the only one ever shown."""

from datetime import date

import pytest

from members.idcard import IdNumber, InvalidIdNumber, check_digit, parse
from tests.factories import make_id_number

TODAY = date(2026, 5, 18)


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


def test_check_digit_of_the_standards_example() -> None:
    # GB 11643-1999's own worked example: 11010519491231002 → X.
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def test_parse_a_valid_number_gives_its_birth_date_and_mask() -> None:
    number = parse(make_id_number(date(1958, 3, 12), region="310104", serial=27), today=TODAY)

    assert number.birth_date == date(1958, 3, 12)
    assert number.masked == f"3{'*' * 16}{number.value[-1]}"
    assert len(number.masked) == 18


def test_parse_normalizes_spaces_and_a_lower_case_x() -> None:
    number = parse(" 110105 19491231 002x ", today=TODAY)
    assert number == IdNumber("11010519491231002X")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "31010419580312027",  # 17 digits
        "3101041958031202700",  # 19 digits
        "31010419580312A27X",  # a letter inside
        "X10104195803120270",  # X in front
    ],
)
def test_parse_rejects_the_wrong_shape(raw: str) -> None:
    with pytest.raises(InvalidIdNumber):
        parse(raw, today=TODAY)


def test_parse_rejects_every_wrong_check_digit() -> None:
    good = make_id_number(date(1970, 1, 31))
    for char in "0123456789X":
        if char == good[-1]:
            assert parse(good[:17] + char, today=TODAY).value == good
        else:
            with pytest.raises(InvalidIdNumber, match="check digit"):
                parse(good[:17] + char, today=TODAY)


@pytest.mark.parametrize(
    "first17",
    [
        "31010419590229123",  # 1959 was not a leap year
        "31010419581301123",  # month 13
        "31010419580000123",  # day 0
        "31010418991231123",  # before 1900
    ],
)
def test_parse_rejects_impossible_birth_dates(first17: str) -> None:
    with pytest.raises(InvalidIdNumber, match="birth date"):
        parse(with_check(first17), today=TODAY)


def test_parse_accepts_a_leap_day_and_rejects_a_birth_date_after_today() -> None:
    assert parse(with_check("31010419600229123"), today=TODAY).birth_date == date(1960, 2, 29)
    assert parse(make_id_number(TODAY), today=TODAY).birth_date == TODAY
    with pytest.raises(InvalidIdNumber, match="birth date"):
        parse(make_id_number(date(2026, 5, 19)), today=TODAY)
