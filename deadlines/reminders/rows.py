"""Rows of the reminder tables inserted as plain SQL: ``bulk_create(objs, ignore_conflicts=True)`` without
Django's insert compiler.

The compiler prepares every value of every row through its field: 2 of the 28 s of a profiled 5,000-message
sweep went there (deliveries), and most of the reminder planning's insert in a recorded office event (14
reminders for a new deadline; issue 18, one event ≤ 10 ms). Here the value a field's ``pre_save`` gives
(``auto_now`` included) is passed as it is for the types the database drivers take unchanged, and dates and
date-times are adapted as the backend adapts them. A model that gains a field of another kind (JSON, a
decimal…) falls back to ``bulk_create``, rather than store a value wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict

from .common import chunks

# Field types whose Python values the database drivers take as they are (strings, integers, foreign key ids).
_PASSED_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey, models.BooleanField)


def insert_ignoring_conflicts(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` with ON CONFLICT DO NOTHING (OR IGNORE on SQLite): a row that already exists belongs to
    whoever inserted it first. Like ``bulk_create(ignore_conflicts=True)``, the objects get no primary key."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    adapters: list[Any] = []
    for f in fields:
        if isinstance(f, models.DateTimeField):  # before DateField: a DateTimeField is one
            adapters.append(ops.adapt_datetimefield_value)
        elif isinstance(f, models.DateField):
            adapters.append(ops.adapt_datefield_value)
        elif isinstance(f, _PASSED_AS_IS):
            adapters.append(None)
        else:
            model._default_manager.bulk_create(objs, batch_size=1000, ignore_conflicts=True)
            return
    head = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(model._meta.db_table)} "
        f"({', '.join(ops.quote_name(f.column) for f in fields)}) VALUES "
    )
    suffix = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    row = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for part in chunks(list(objs), max(1, ops.bulk_batch_size(fields, objs))):
            params: list[Any] = []
            for obj in part:
                for f, adapt in zip(fields, adapters, strict=True):
                    value = f.pre_save(obj, True)  # the attribute, or now() for auto_now / auto_now_add
                    params.append(value if adapt is None or value is None else adapt(value))
            cursor.execute(f"{head}{', '.join([row] * len(part))} {suffix}", params)
