"""Append-only history on PostgreSQL: a trigger rejects UPDATE and DELETE on every history table.

The audit trail is evidence. On PostgreSQL each ``*_historical*`` table gets a BEFORE UPDATE OR DELETE
trigger that raises; the patents migration installs it for the tables that exist then, and a post_migrate
receiver installs it for history tables added by later migrations (idempotent). TRUNCATE is a separate
statement-level event and stays possible for test teardown and deliberate administrative purges.

SQLite has no such guard (documented in the README): there, append-only is enforced only by the admin.
A consequence on PostgreSQL: a user who appears in the history cannot be deleted (the FK would be set to
NULL by an UPDATE); deactivate such users instead.
"""

from __future__ import annotations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION docketapp_history_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history table % is append-only: % rejected', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def history_tables(connection) -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return sorted(n for n in names if "_historical" in n)


def install_history_guards(connection) -> list[str]:
    if connection.vendor != "postgresql":
        return []
    tables = history_tables(connection)
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        for table in tables:
            trigger = f"{table}_append_only"[:63]
            cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{trigger}" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION docketapp_history_is_append_only()"
            )
    return tables
