"""The read replica for real: a primary and a lagging copy of it, two PostgreSQL databases. Public
lists and availability are read from the copy; a member's write goes to the primary, and the
member reads their own bookings there (tests/core/replica_scenario.py, in a process of its own,
since the databases Django knows are fixed when it starts)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlunsplit

import psycopg2
import pytest
from django.conf import settings

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    host = db["HOST"] or "127.0.0.1"
    netloc = f"{db['USER']}@{host}:{db['PORT'] or 5432}"
    return urlunsplit(("postgres", netloc, f"/{name}", "", ""))


def _server(sql: str) -> None:
    """One statement on the server's maintenance database, outside any transaction block
    (CREATE and DROP DATABASE refuse one: hence no "with" on the connection)."""
    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname="postgres"
    )
    admin.autocommit = True
    try:
        admin.cursor().execute(sql)
    finally:
        admin.close()


@pytest.fixture
def two_databases():
    suffix = uuid.uuid4().hex[:8]
    primary, replica = f"linli_primary_{suffix}", f"linli_replica_{suffix}"
    _server(f'CREATE DATABASE "{primary}"')
    try:
        yield _url(primary), _url(replica)
    finally:
        _server(f'DROP DATABASE IF EXISTS "{replica}" WITH (FORCE)')
        _server(f'DROP DATABASE IF EXISTS "{primary}" WITH (FORCE)')


def test_public_reads_come_from_the_replica_and_own_writes_from_the_primary(two_databases):
    primary, replica = two_databases
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URL": replica,
    }
    done = subprocess.run(
        [sys.executable, "tests/core/replica_scenario.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    # The public list of centers: the replica's (older) name.
    assert seen["public list"] == ["copied to the replica"]
    # The booking is written to the primary only (the copy lags behind it) ...
    assert seen["booking status"] == 201, seen["booking body"]
    assert seen["bookings in"] == {"default": 1, "replica": 0}
    # ... and its member reads it back at once: their own data comes from the primary.
    assert seen["my bookings"] == [seen["booking body"]["id"]]
    # Availability is read from the replica, which has not seen the booking yet.
    assert seen["slot free on the replica"] is True
