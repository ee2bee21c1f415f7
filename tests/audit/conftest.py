from __future__ import annotations

import contextlib

import pytest
from django.db import connection, transaction

from docketapp import audit_chain


@pytest.fixture(autouse=True)
def _checkpoint_key(settings):
    settings.AUDIT_CHECKPOINT_KEY = "test-checkpoint-key-kept-outside-the-database"


def tamper(sql: str, params=(), table: str | None = None) -> None:
    """Raw SQL as a database superuser would run it: on PostgreSQL with every trigger switched off
    (session_replication_role = replica skips the append-only and no-TRUNCATE triggers)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and table:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, list(params) or None)


def findings(kind: str | None = None, table: str | None = None) -> list[audit_chain.Finding]:
    report = audit_chain.verify()
    return [f for f in report.findings if (kind is None or f.kind == kind) and (table is None or f.table == table)]


@contextlib.contextmanager
def no_findings_before():
    assert audit_chain.verify().findings == []
    yield
