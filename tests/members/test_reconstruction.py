"""The attack the privacy review ran, as a test: take everything shown about a verified member
(API bodies, the export, the profile page, the admin pages, the logs) and everything stored in
plain, and narrow the ID number down with what anyone knows: the birth date in digits 7–14, the
GB 11643 check digit, and Shanghai's district codes in digits 1–6. Without the keys, at least
1,000 numbers must remain.

The old mask (first three and last four digits) left two or three; the control below runs the
same attack on it, so this test can tell the two apart."""

import logging
import random
import re
from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from members import crypto
from members.idcard import check_digit
from members.models import User
from members.services.wechat import session_token_for
from tests.factories import UserFactory, make_id_number

pytestmark = pytest.mark.django_db

# The 16 districts of Shanghai today (GB/T 2260): the attacker's smallest honest guess.
SHANGHAI_DISTRICTS = (
    "310101",  # 黄浦
    "310104",  # 徐汇
    "310105",  # 长宁
    "310106",  # 静安
    "310107",  # 普陀
    "310109",  # 虹口
    "310110",  # 杨浦
    "310112",  # 闵行
    "310113",  # 宝山
    "310114",  # 嘉定
    "310115",  # 浦东新区
    "310116",  # 金山
    "310117",  # 松江
    "310118",  # 青浦
    "310120",  # 奉贤
    "310151",  # 崇明
)
MINIMUM_CANDIDATES = 1000
MEMBERS = 5
# 18 characters of digits, X and masking stars, standing alone.
MASK = re.compile(r"(?<![0-9Xx*])[0-9Xx*]{18}(?![0-9Xx*])")


def masks_in(texts: list[str]) -> set[str]:
    return {m.upper() for text in texts for m in MASK.findall(text) if "*" in m}


def fits(number: str, mask: str) -> bool:
    return all(shown in ("*", real) for shown, real in zip(mask, number, strict=True))


def candidates(born: date, masks: set[str]) -> list[str]:
    """Every Shanghai ID number with this birth date, a valid check digit and every mask."""
    found = []
    for region in SHANGHAI_DISTRICTS:
        for sequence in range(1000):
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + check_digit(first17)
            if all(fits(number, mask) for mask in masks):
                found.append(number)
    return found


def plain_columns(member: User) -> list[str]:
    """Every column of every row that points at or is the member, as the database holds it,
    without the ciphertext and the keyed digest (useless without the keys)."""
    secret = {"id_number_encrypted", "real_name_encrypted", "id_number_digest"}
    texts = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in secret]
        texts.extend(" ".join(map(str, row)) for row in model.objects.values_list(*names))
    return texts


def everything_shown(member: User, number: str, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Verify through the API and collect every text a member, a superuser, a log reader or a
    database reader gets to see, with every logger at DEBUG and SQL logged."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    api = APIClient()
    api.credentials(HTTP_X_SESSION_TOKEN=session_token_for(member))
    web = Client()
    web.force_login(member)
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))

    connection.force_debug_cursor = True
    try:
        verified = api.post(
            "/api/v1/me/verification/",
            {"real_name": "王秀英", "id_number": number},
            format="json",
        )
        assert verified.status_code == 200, verified.content
        pages = [
            verified,
            api.get("/api/v1/me/"),
            api.get("/api/v1/me/export/"),
            web.get("/me/"),
            admin.get(f"/admin/members/user/{member.pk}/change/"),
            admin.get("/admin/members/user/", {"q": member.username}),
        ]
    finally:
        connection.force_debug_cursor = False
    for page in pages:
        assert page.status_code == 200, page.request["PATH_INFO"]
    return [page.content.decode() for page in pages] + [caplog.text] + plain_columns(member)


def test_the_id_number_cannot_be_narrowed_below_a_thousand(caplog) -> None:
    rng = random.Random(9)
    counts = []
    for index in range(MEMBERS):
        born = date(rng.randint(1930, 2005), rng.randint(1, 12), rng.randint(1, 28))
        number = make_id_number(
            born, region=rng.choice(SHANGHAI_DISTRICTS), serial=rng.randint(0, 999)
        )
        member = UserFactory(username=f"resident{index}", display_name="王阿姨")
        caplog.clear()

        shown = everything_shown(member, number, caplog)

        assert not any(number in text or number[:17] in text for text in shown)
        masks = masks_in(shown)
        assert masks == {f"{number[0]}{'*' * 16}{number[-1]}"}  # the attack sees the mask
        assert any(born.isoformat() in text for text in shown)  # and the birth date
        found = candidates(born, masks)
        assert number in found  # the attack is sound: the truth is among its candidates
        counts.append(len(found))

    print(f"candidates per member: {sorted(counts)}")
    assert min(counts) >= MINIMUM_CANDIDATES, counts


def test_control_the_old_mask_left_a_handful() -> None:
    """The same attack on the mask the project used to show: it must find the number."""
    born = date(1960, 3, 15)
    number = make_id_number(born, region="310106", serial=527)
    old_mask = f"{number[:3]}{'*' * 11}{number[-4:]}"

    found = candidates(born, {old_mask})

    assert number in found
    assert len(found) <= 3


@pytest.mark.django_db(transaction=True)
def test_the_migration_drops_the_stored_masks_and_the_display_survives() -> None:
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    before = [("members", "0002_eligibilityrule_noshow_pointsentry_suspension_team_and_more")]
    after = [("members", "0003_drop_plain_id_number_mask")]
    number = make_id_number(date(1958, 3, 12), region="310113", serial=77)
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_user = executor.loader.project_state(before).apps.get_model("members", "User")
        old_user.objects.create(
            username="verified-before",
            id_number_encrypted=crypto.encrypt(number),
            id_number_masked=f"{number[:3]}{'*' * 11}{number[-4:]}",
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    columns = [
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), User._meta.db_table
        )
    ]
    assert "id_number_masked" not in columns
    member = User.objects.get(username="verified-before")
    assert member.id_number_masked == f"3{'*' * 16}{number[-1]}"
    assert after[0] in MigrationRecorder(connection).applied_migrations()
