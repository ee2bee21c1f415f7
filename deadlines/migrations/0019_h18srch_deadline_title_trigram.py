from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the search reads the table, as before
    # The docket's search matches the deadline's own title anywhere in it (UPPER(title) LIKE '%…%'): from this
    # index, OR-ed with the deadlines of the matching matters (deadlines.filters.search_q), instead of reading
    # every deadline the user may see. pg_trgm comes from patents 0022.
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS deadline_title_trgm ON deadlines_deadline USING gin (upper(title::text) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS deadline_title_trgm")


class Migration(migrations.Migration):
    """PostgreSQL only: a trigram index on the deadline's title for the docket's search (issue 18)."""

    dependencies = [
        ("deadlines", "0018_h18dock_docket_order_indexes"),
        ("patents", "0022_h18srch_matter_search_trigram"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
