"""The bulk writer of a recompute: store the planned deadline rows with their history rows, on the audit chain.

Updates go through simple-history's bulk helpers; many creates on PostgreSQL go through COPY, with the
history rows built here exactly as simple-history's bulk path builds them and sealed onto the hash chain
(``docketapp.audit_chain``). Every row carries the current attribution (``docketapp.audit``).
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from docketapp.audit import history_kwargs, set_change_reason
from docketapp.audit_chain import seal
from docketapp.plain_rows import db_value, history_row, insert_rows

from ..freshness import bump_generation
from ..models import Deadline
from .diff import FINAL_STATUSES, Update

COPY_THRESHOLD = 50  # below this, plain bulk inserts are as fast as COPY's extra round trips
# Up to this many rows changed alike, each is saved on its own (an UPDATE of its changed columns, its history row
# through simple-history's save path, attributed the same way): bulk_update's CASE WHEN per field and row cost
# more to build than the round trips it saves, for the one or two rows a recorded office event changes.
SAVE_ONE_BY_ONE = 3


def _copy_rows(model: type[models.Model], objs: list, *, skip_auto: bool, json_cache: dict[int, str]) -> None:
    fields = [f for f in model._meta.concrete_fields if not (skip_auto and f.primary_key)]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    attnames = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)

    def as_json(value: Any) -> str:
        # The deadline and its history row share the same dicts: serialise each once.
        key = id(value)
        if key not in json_cache:
            json_cache[key] = json.dumps(value, cls=DjangoJSONEncoder)
        return json_cache[key]

    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [as_json(getattr(obj, name)) if name in json_fields else getattr(obj, name) for name in attnames]
                )


def _write_few(groups: dict[tuple[str, ...], list[Deadline]], creates: list[Deadline]) -> list[int]:
    """PostgreSQL, the few rows a recorded office event changes: each changed row one plain UPDATE of its changed
    columns, the new rows one INSERT returning their ids, and every history row ("~" then "+", built as
    simple-history's bulk path builds them) sealed onto the chain under one lock and inserted in one more
    statement. Through save() and bulk_create_with_history that was two chain-head statements per kind of
    write, and Django's compilers preparing each of a deadline's 35 values twice. The ids created."""
    now = timezone.now()
    history: list[models.Model] = []
    quote = connection.ops.quote_name
    meta = Deadline._meta
    with connection.cursor() as cursor:
        for fields, group in groups.items():
            columns = [cast(models.Field, meta.get_field(name)) for name in fields]
            assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in columns)
            sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
            for row in group:
                cursor.execute(sql, [*(db_value(f, getattr(row, f.attname)) for f in columns), row.pk])
                history.append(history_row(row, "~", now))
    ids: list[int] = []
    if creates:
        for obj in creates:
            obj.created_at = now
            obj.updated_at = now
        ids = insert_rows(Deadline, creates, returning=True)
        history += _history_rows(creates, ids, now)
    if history:  # none when every planned update found its row closed meanwhile (_apply_updates skips those)
        seal(Deadline.history.model, history, connection.alias)
        insert_rows(Deadline.history.model, history)
    return ids


def _history_rows(creates: list[Deadline], ids: list[int], now: Any) -> list[models.Model]:
    """The created deadlines' "+" history rows (their ids, created and updated moments set on them)."""
    history = []
    for obj, pk in zip(creates, ids, strict=True):
        obj.pk = pk
        obj.created_at = now
        obj.updated_at = now
        obj._state.adding = False
        history.append(history_row(obj, "+", now))
    return history


def _copy_create_with_history(creates: list[Deadline]) -> list[int]:
    """PostgreSQL: insert new deadlines and their "+" history rows with COPY.

    Why not bulk_create_with_history: with tens of thousands of rows carrying a kilobyte of explanation
    JSON each, Django's INSERT (UNNEST arrays or VALUES lists, bound client-side by psycopg) spent about a
    millisecond per row in Python; COPY streams the same rows at a small fraction of that (see the
    recompute benchmark). The history rows are built exactly as simple-history's bulk path builds them.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Deadline._meta.db_table, len(creates)],
        )
        ids = [r[0] for r in cursor.fetchall()]
    now = timezone.now()
    history_model = Deadline.history.model
    history = _history_rows(creates, ids, now)
    json_cache: dict[int, str] = {}
    _copy_rows(Deadline, creates, skip_auto=False, json_cache=json_cache)
    # COPY bypasses the history manager's bulk_create: put the rows on the table's hash chain here. After
    # the deadlines' COPY, so the chain head (locked until commit) waits for as little as possible.
    seal(history_model, history, connection.alias)
    _copy_rows(history_model, history, skip_auto=True, json_cache=json_cache)
    return ids


def _apply_updates(updates: list[Update]) -> dict[tuple[str, ...], list[Deadline]]:
    """The full rows for the planned updates, changed in memory and grouped by the fields they change."""
    # Full rows for the few that change (the plan read only a handful of columns), locked: a user
    # marking one done right now must not be overwritten by a stale plan.
    rows = Deadline.objects.select_for_update().in_bulk([u.pk for u in updates])
    by_fields: dict[tuple[str, ...], list[Deadline]] = {}
    now = timezone.now()
    for update in updates:
        row = rows.get(update.pk)
        if row is None or row.status in FINAL_STATUSES:
            continue
        fields = set(update.values)
        for name, value in update.values.items():
            setattr(row, name, value)
        if update.reset_verification:
            row.last_changed_by = None
            row.verified_by = None
            row.verified_at = None
            fields |= {"last_changed_by", "verified_by", "verified_at"}
        row.updated_at = now
        set_change_reason(row, update.reason)
        by_fields.setdefault(tuple(sorted(fields | {"updated_at"})), []).append(row)
    return by_fields


def write_changes(creates: list[Deadline], updates: list[Update]) -> tuple[list[Deadline], list[int]]:
    """Store a chunk's planned creates and updates with their history rows; the rows written, as stored, and
    the ids of those inserted (no reminder rows can exist for them yet)."""
    groups = _apply_updates(updates) if updates else {}
    written = [row for group in groups.values() for row in group]
    if connection.vendor == "postgresql" and len(creates) < COPY_THRESHOLD and all(
        len(group) <= SAVE_ONE_BY_ONE for group in groups.values()
    ):
        # Supersede first (in _write_few too): a live row and its replacement may share a key.
        new_ids = _write_few(groups, creates)
        bump_generation()  # the docket's cached figures (the "to verify" badge) count again at once
        return written + creates, new_ids
    kwargs = history_kwargs()
    for fields, group in groups.items():
        if len(group) <= SAVE_ONE_BY_ONE:
            for row in group:
                row.save(update_fields=list(fields))
        else:
            bulk_update_with_history(group, Deadline, list(fields), batch_size=500, **kwargs)
    created: list[int] = []
    if creates:
        if connection.vendor == "postgresql":
            created = _copy_create_with_history(creates)
            written.extend(creates)
        else:
            stored = [r for r in bulk_create_with_history(creates, Deadline, batch_size=500, **kwargs) if r.pk]
            created = [r.pk for r in stored]
            written.extend(stored)
    return written, created
