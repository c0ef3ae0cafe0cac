from django.db import migrations


def assigned_staff_are_staff(apps, schema_editor):
    """Assignments made before the admin marked their users as staff left those users locked
    out of the admin; give them the flag their role implies."""
    User = apps.get_model("members", "User")
    StaffAssignment = apps.get_model("centers", "StaffAssignment")
    User.objects.filter(
        pk__in=StaffAssignment.objects.values("user_id"), is_staff=False
    ).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [
        ("centers", "0007_center_location"),
        ("members", "0002_eligibilityrule_noshow_pointsentry_suspension_team_and_more"),
    ]

    operations = [migrations.RunPython(assigned_staff_are_staff, migrations.RunPython.noop)]
