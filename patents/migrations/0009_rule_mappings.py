"""Seed the canonical event types and office-code mappings added for the deadline rules (issue 15).

The same seed as migration 0005, from patents/code_seed.py: rows that already exist are left alone (an admin
may have corrected them); every row created gets a history row naming this migration
(``patents.code_seed.seed_code_table``, shared with 0005). Idempotent. On a fresh database 0005 already reads
the current seed, so this one finds nothing to do.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from patents.code_seed import seed_code_table

    seed_code_table(apps, reason="seeded by migration patents.0009 (patents/code_seed.py, deadline rules)")


class Migration(migrations.Migration):
    dependencies = [("patents", "0008_payload_processing")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
