from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patents", "0002_history_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="ThrottleBucket",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("office", models.CharField(max_length=20)),
                ("service", models.CharField(max_length=40)),
                (
                    "rate_per_minute",
                    models.FloatField(blank=True, help_text="Adopted from the office; empty: configured", null=True),
                ),
                ("factor", models.FloatField(default=1.0, help_text="Slow-down factor from the office's load signal")),
                ("tokens", models.FloatField(blank=True, null=True)),
                ("refilled_at", models.FloatField(default=0.0)),
                ("blocked_until", models.FloatField(default=0.0)),
                ("reason", models.CharField(blank=True, max_length=200)),
                ("used", models.IntegerField(default=0, help_text="Requests counted against the daily cap")),
                ("resets_at", models.FloatField(default=0.0)),
                ("lease_owner", models.CharField(blank=True, max_length=64)),
                ("lease_until", models.FloatField(default=0.0)),
                ("version", models.PositiveBigIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("office", "service"), name="throttle_bucket_unique")
                ],
            },
        ),
    ]
