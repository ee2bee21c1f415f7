"""Append-only history on PostgreSQL: a trigger rejects UPDATE and DELETE on every history table.

The audit trail is evidence. On PostgreSQL each ``*_historical*`` table gets a BEFORE UPDATE OR DELETE
trigger that raises; the patents migration installs it for the tables that exist then, and a post_migrate
receiver installs it for history tables added by later migrations (idempotent).

TRUNCATE is a separate statement-level event that row triggers never see: a BEFORE TRUNCATE statement trigger
refuses it too, unless the session has set ``docketapp.allow_truncate`` to ``on``. Two things set it: the test
suite, whose transactional tests empty every table with TRUNCATE between tests (tests/conftest.py sets it on
each test connection), and a deliberate purge (``SET LOCAL docketapp.allow_truncate = 'on'`` in the same
transaction, as the recompute benchmark does on its own database). A purge by a superuser who disables the
trigger instead still shows in ``audit verify``: the chain head and the signed checkpoints name rows that are
gone (docs/audit.md).

SQLite has no such guard (documented in docs/audit.md): there, append-only is enforced only by the admin.
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


TRUNCATE_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION docketapp_history_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('docketapp.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'history table % is append-only: TRUNCATE rejected', TG_TABLE_NAME
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
        cursor.execute(TRUNCATE_FUNCTION_SQL)
        for table in tables:
            trigger = f"{table}_append_only"[:63]
            cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{trigger}" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION docketapp_history_is_append_only()"
            )
            trigger = f"{table}_no_truncate"[:63]
            cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{trigger}" BEFORE TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION docketapp_history_no_truncate()"
            )
    return tables


def allow_truncate(cursor) -> None:
    """Let this transaction TRUNCATE history tables (a deliberate purge; PostgreSQL only)."""
    cursor.execute("SET LOCAL docketapp.allow_truncate = 'on'")


def lift_row_guard(connection, table: str, enable: bool) -> None:
    """Migration helper: switch the append-only row trigger of one table off (to backfill) and on again."""
    if connection.vendor != "postgresql":
        return
    trigger = f"{table}_append_only"[:63]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", [trigger])
        if cursor.fetchone():
            cursor.execute(f'ALTER TABLE "{table}" {"ENABLE" if enable else "DISABLE"} TRIGGER "{trigger}"')
