"""The hold window's index gains ``unit`` as an included column, so that availability's hold
query is an index-only scan (PostgreSQL; other databases make the plain index). The new index
is built before the old one goes, so availability never reads without one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0006_drop_indexes_composites_cover"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="spacehold",
            index=models.Index(
                fields=["space", "end", "start"], include=("unit",), name="spacehold_window"
            ),
        ),
        migrations.RemoveIndex(model_name="spacehold", name="spacehold_space_end_start"),
    ]
