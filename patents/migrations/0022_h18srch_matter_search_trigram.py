from django.db import migrations

# The docket's search (deadlines.filters.search_q) matches a matter's reference, title and numbers as typed
# and with spaces and punctuation stripped, anywhere in the text (icontains: UPPER(column) LIKE '%…%'). A
# trigram index answers such a LIKE from the index; without it every matter is read on every search. The
# expressions below are the ones Django writes for those lookups, so the planner recognises them
# (tests/dashboard/test_search_plan.py shows the index used).
_COMPACTED = "upper(replace(replace(replace(replace(replace({}::text, ' ', ''), '/', ''), ',', ''), '.', ''), '-', ''))"
_COLUMNS = [
    *(f"upper({column}::text)" for column in (
        "reference", "title", "application_number", "publication_number", "grant_number",
        "application_number_normalized",
    )),
    *(_COMPACTED.format(column) for column in ("application_number", "publication_number", "grant_number")),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (development, tests without PostgreSQL): the search reads the table, as before
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it (docs/deployment.md).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    columns = ", ".join(f"{expression} gin_trgm_ops" for expression in _COLUMNS)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS matter_search_trgm ON patents_matter USING gin ({columns})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS matter_search_trgm")


class Migration(migrations.Migration):
    """PostgreSQL only: a trigram index over the matter fields the docket's search reads (issue 18)."""

    dependencies = [("patents", "0021_h18rec2_priority_claim_country_date")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
