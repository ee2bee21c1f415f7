"""Rows of history-tracked tables written as plain SQL on PostgreSQL, with their history rows built and sealed
here exactly as simple-history's bulk path builds them (``docketapp.audit.history_row_fields``, the audit chain's
``seal``).

For the few rows one recorded office event writes (the event, the deadlines it changes or creates; issue 18,
one event ≤ 10 ms): Django's insert and update compilers prepared each value through its field, and
simple-history's save path added a chain-head lock per row kind. The callers keep Django's paths on other
databases and for bulk writes; tests hold the paths to the same rows, history and a chain that verifies
(tests/deadlines/test_history_writer_paths.py, tests/patents/test_event_plain_write.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from .audit import history_row_fields


def db_value(field: Any, value: Any) -> Any:
    """``value`` as the database driver takes it: JSON adapted as the field's backend would, the rest as is
    (PostgreSQL's driver adapts dates, moments, numbers and strings itself)."""
    return connection.ops.adapt_json_value(value, DjangoJSONEncoder) if isinstance(field, models.JSONField) else value


def insert_rows(
    model: type[models.Model], objs: Sequence[models.Model], *, returning: bool, conflict_ignored: bool = False
) -> list[int]:
    """``objs`` as one multi-row INSERT (their own primary keys left to the table); the new ids when
    ``returning`` (with ``conflict_ignored``, a row that hit a unique constraint is skipped and returns none)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    params = [db_value(f, getattr(obj, f.attname)) for obj in objs for f in fields]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(objs))}"
    )
    if conflict_ignored:
        sql += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        if not returning:
            cursor.execute(sql, params)
            return []
        cursor.execute(f"{sql} RETURNING {quote(model._meta.pk.column)}", params)
        return [r[0] for r in cursor.fetchall()]


def history_row(obj: models.Model, history_type: str, now: Any) -> models.Model:
    """One history row of ``obj`` as it is now, exactly as simple-history's bulk path builds it."""
    history_model = obj.history.model  # type: ignore[attr-defined]
    return history_model(
        history_type=history_type,
        **history_row_fields(obj, date=now),
        **{f.attname: getattr(obj, f.attname) for f in history_model.tracked_fields},
    )
