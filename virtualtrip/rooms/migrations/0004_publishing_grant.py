"""Publishing rights given during a meeting (the floor), beyond what a role gives."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0003_join_pass_by_person"),
        ("trips", "0002_recording"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishingGrant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("audio", models.BooleanField(default=True)),
                ("video", models.BooleanField(default=True)),
                ("granted_at", models.DateTimeField()),
                ("granted_by", models.CharField(blank=True, max_length=200)),
                ("until", models.DateTimeField(blank=True, null=True)),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                ("withdrawn_by", models.CharField(blank=True, max_length=200)),
                ("withdrawn_reason", models.CharField(blank=True, max_length=200)),
                (
                    "engagement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="publishing_grants",
                        to="trips.engagement",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="publishing_grants",
                        to="trips.person",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("engagement", "person"), name="publishing_grant_once_per_engagement"
                    )
                ],
            },
        ),
    ]
