"""Calendar feed tokens: keep only their SHA-256, and no token (nor hash) in the history.

A feed token reads a user's whole docket without a session. Until now the live table held it in clear and
every regeneration copied it into the append-only history, where the admin's history diff showed it to
other staff, revoked ones included.

- Existing tokens are hashed in place, so calendars already subscribed keep working (no user has to make
  a new address). Reversing this migration cannot restore a token from its hash: after a reverse every
  user has to create a new feed address.
- The history table loses its ``ics_token`` column (the model excludes the hash from history from now on).
  Dropping the column scrubs every old and revoked token from the history rows without an UPDATE, so the
  append-only trigger of ``patents.history_guard`` (BEFORE UPDATE OR DELETE, per row) is not involved and
  stays in place the whole time: no window in which history rows could be rewritten. On PostgreSQL the
  dropped values stay in the table's pages until they are rewritten; ``VACUUM FULL
  patents_historicaluserprofile`` removes them physically where that matters.
"""

import hashlib

from django.db import migrations, models


def hash_existing_tokens(apps, schema_editor):
    UserProfile = apps.get_model("patents", "UserProfile")
    profiles = list(UserProfile.objects.exclude(ics_token="").only("pk", "ics_token"))
    for profile in profiles:
        profile.ics_token_hash = hashlib.sha256(profile.ics_token.encode()).hexdigest()
    # Not history-tracked here (migration models have no history hooks): the column change is the record.
    UserProfile.objects.bulk_update(profiles, ["ics_token_hash"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("patents", "0005_seed_office_code_mappings"),
    ]

    operations = [
        migrations.AddField(
            model_name="userprofile",
            name="ics_token_hash",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
        ),
        migrations.RunPython(hash_existing_tokens, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="userprofile", name="ics_token"),
        migrations.RemoveField(model_name="historicaluserprofile", name="ics_token"),
    ]
