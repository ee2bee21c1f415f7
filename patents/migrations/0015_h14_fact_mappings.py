"""Seed the event types and code mappings for the facts the sync now fetches (issue 14, "Sync fetches the
facts"): USPTO maintenance fee payments, expiry for non-payment and reinstatement; JPO registration_info
(annuity years paid, right extinguished); the revival and restoration events the remedy rules read.

Same seed as 0005/0009 (``patents.code_seed.seed_code_table``): existing rows are left alone, each row
created gets a history row naming this migration, and those history rows are then chained like every other
(``docketapp.audit_chain``). On a fresh database 0005 already read the current seed: nothing to do here.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from docketapp.audit_chain import backfill_app
    from patents.code_seed import seed_code_table

    seed_code_table(apps, reason="seeded by migration patents.0013 (patents/code_seed.py, facts fetched by sync)")
    backfill_app(apps, schema_editor, "patents")


class Migration(migrations.Migration):
    dependencies = [("patents", "0014_h16a_close_and_sync_now")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
