"""Run by tests/core/test_replica.py in a process of its own, with DATABASE_URL (the primary)
and DATABASE_REPLICA_URL (a database that does not exist yet) set: it builds the primary, copies
it into the "replica" (CREATE DATABASE ... TEMPLATE, as a replica is a copy), then changes the
primary so that each answer shows which copy it was read from. Prints what it saw as JSON; the
test asserts on it."""

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import django
import psycopg2

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
sys.path.insert(0, os.getcwd())
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from centers.models import Center  # noqa: E402
from tests.factories import BookableSpaceFactory, CenterFactory, UserFactory  # noqa: E402


def _admin_connection():
    url = urlsplit(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres"
    )
    connection.autocommit = True
    return connection


def main() -> None:
    primary = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    replica = urlsplit(os.environ["DATABASE_REPLICA_URL"]).path.lstrip("/")
    setup_test_environment()  # the test client's host, outbox and templates as in pytest
    call_command("migrate", verbosity=0)
    center = CenterFactory(name="copied to the replica")
    space = BookableSpaceFactory(center=center)
    member = UserFactory()
    connections.close_all()
    admin = _admin_connection()  # not "with": psycopg2 would open a transaction block
    try:
        admin.cursor().execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')
    finally:
        admin.close()

    # From here on the replica lags: the primary has a new name the replica never saw.
    Center.objects.filter(pk=center.pk).update(name="only on the primary")
    client = Client()
    client.force_login(member)
    seen = {}
    centers = client.get("/api/v1/centers/").json()["results"]
    seen["public list"] = [c["name"] for c in centers]
    start = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=2, minute=0, second=0, microsecond=0
    )
    created = client.post(
        "/api/v1/bookings/",
        {
            "space": space.pk,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        },
        content_type="application/json",
    )
    seen["booking status"] = created.status_code
    seen["booking body"] = created.json()
    mine = client.get("/api/v1/bookings/").json()
    seen["my bookings"] = [b["id"] for b in mine["results"]]
    counts = {}
    for alias in ("default", "replica"):
        with connections[alias].cursor() as cursor:
            cursor.execute("select count(*) from bookings_booking")
            counts[alias] = cursor.fetchone()[0]
    seen["bookings in"] = counts
    # The replica has not seen the booking yet: availability, read there, still offers its time.
    day = start.astimezone(center.tz).date().isoformat()
    availability = client.get(f"/api/v1/spaces/{space.pk}/availability/?start={day}&days=1")
    free = availability.json()["days"][0]["free"]
    seen["slot free on the replica"] = any(
        datetime.fromisoformat(f["start"]) <= start < datetime.fromisoformat(f["end"]) for f in free
    )
    connections.close_all()
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main()
