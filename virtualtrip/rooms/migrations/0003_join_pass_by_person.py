"""Join passes are kept by engagement and person, not by participant row, so that a version outlives
the row: a person taken off the list and put back never makes a revoked link work again."""

import django.db.models.deletion
from django.db import migrations, models


def copy_keys(apps, schema_editor):
    JoinPass = apps.get_model("rooms", "JoinPass")
    for join_pass in JoinPass.objects.select_related("participant"):
        join_pass.engagement_id = join_pass.participant.engagement_id
        join_pass.person_id = join_pass.participant.person_id
        join_pass.save(update_fields=["engagement", "person"])


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0002_recording"),
        ("trips", "0002_recording"),
    ]

    operations = [
        migrations.AddField(
            model_name="joinpass",
            name="engagement",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="join_passes",
                to="trips.engagement",
            ),
        ),
        migrations.AddField(
            model_name="joinpass",
            name="person",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="join_passes",
                to="trips.person",
            ),
        ),
        migrations.RunPython(copy_keys),  # one way: a pass outlives its participant row from here on
        migrations.RemoveField(model_name="joinpass", name="participant"),
        migrations.AlterField(
            model_name="joinpass",
            name="engagement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="join_passes",
                to="trips.engagement",
            ),
        ),
        migrations.AlterField(
            model_name="joinpass",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="join_passes",
                to="trips.person",
            ),
        ),
        migrations.AddConstraint(
            model_name="joinpass",
            constraint=models.UniqueConstraint(
                fields=("engagement", "person"), name="join_pass_once_per_engagement"
            ),
        ),
    ]
