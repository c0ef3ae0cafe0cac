"""No plain part of the ID number is kept: the mask (first three and last four digits, which
with the birth date beside it left two or three candidates) goes, and is derived from the
ciphertext when shown. The values are blanked before the column is dropped: PostgreSQL's DROP
COLUMN only hides the data, and blanked rows leave it to VACUUM instead of the table file."""

from django.db import migrations


def blank_masks(apps, schema_editor):
    User = apps.get_model("members", "User")
    User.objects.exclude(id_number_masked="").update(id_number_masked="")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_eligibilityrule_noshow_pointsentry_suspension_team_and_more"),
    ]

    operations = [
        migrations.RunPython(blank_masks, migrations.RunPython.noop),
        migrations.RemoveField(model_name="user", name="id_number_masked"),
    ]
