from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("patents", "0006_ics_token_hash"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="quarantineitem",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [
                    ("decide_global_mapping", "Can map office codes for every client (docketing admin)")
                ],
            },
        ),
    ]
