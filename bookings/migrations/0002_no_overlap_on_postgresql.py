"""The guarantee: no two holds on the same unit of a space may overlap, ever.

PostgreSQL enforces it with an exclusion constraint (btree_gist for the equality parts). It is
added here by hand, only on PostgreSQL, because SQLite has no exclusion constraints; there the
IMMEDIATE transaction mode serializes writers and the booking service checks inside the lock.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_spacehold
    ADD CONSTRAINT spacehold_no_overlap
    EXCLUDE USING gist (
        space_id WITH =,
        unit WITH =,
        tstzrange("start", "end", '[)') WITH &&
    );
"""
DROP = "ALTER TABLE bookings_spacehold DROP CONSTRAINT IF EXISTS spacehold_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
