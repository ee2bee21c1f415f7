"""Seed the canonical event types and the office-code mapping table (see patents/code_seed.py).

Rows that already exist are left alone (an admin may have corrected them); every row created here gets a
history row saying so, as if it had been created through the admin.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from patents.code_seed import seed_code_table

    seed_code_table(apps, reason="seeded by migration patents.0005 (patents/code_seed.py)")


class Migration(migrations.Migration):
    dependencies = [("patents", "0004_office_sync")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
