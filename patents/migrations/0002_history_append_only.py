from django.db import migrations

from patents.history_guard import install_history_guards


def forwards(apps, schema_editor):
    install_history_guards(schema_editor.connection)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS docketapp_history_is_append_only() CASCADE")


class Migration(migrations.Migration):
    """PostgreSQL only: history rows can be inserted, never updated or deleted (see patents.history_guard)."""

    dependencies = [("patents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
