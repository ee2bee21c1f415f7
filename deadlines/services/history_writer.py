"""The bulk writer of a recompute: store the planned deadline rows with their history rows, on the audit chain.

Updates go through simple-history's bulk helpers; many creates on PostgreSQL go through COPY, with the
history rows built here exactly as simple-history's bulk path builds them and sealed onto the hash chain
(``docketapp.audit_chain``). Every row carries the current attribution (``docketapp.audit``).
"""

from __future__ import annotations

import functools
import json
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from docketapp.audit import history_kwargs, set_change_reason
from docketapp.audit_chain import seal
from docketapp.plain_rows import PlainRow, bound_cursor, db_value, history_row, insert_rows, insert_sealed

from ..freshness import bump_generation
from ..models import Deadline
from .diff import FINAL_STATUSES, Update

COPY_THRESHOLD = 50  # below this, plain bulk inserts are as fast as COPY's extra round trips
# Up to this many rows changed alike, each is saved on its own (an UPDATE of its changed columns, its history row
# through simple-history's save path, attributed the same way): bulk_update's CASE WHEN per field and row cost
# more to build than the round trips it saves, for the one or two rows a recorded office event changes.
SAVE_ONE_BY_ONE = 3
# PostgreSQL: up to this many changed rows (and fewer creates than COPY_THRESHOLD), each is one UPDATE … RETURNING
# (history_writer._write_few): what a recorded office event changes.
FEW_UPDATES = 12


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


def _write_few(updates: list[Update], creates: list[Deadline]) -> tuple[list[Deadline], list[int]]:
    """PostgreSQL, the few rows a recorded office event changes: each planned change one UPDATE of its columns
    that also locks the row, skips it when someone closed it meanwhile and returns it as stored; the new rows
    one INSERT returning their ids; and every history row ("~" then "+", built as simple-history's bulk path
    builds them) sealed onto the chain under one lock and inserted with the head's move in one statement.
    Through a locking read, save() and bulk_create_with_history that was a read, two chain-head statements per
    kind of write, and Django's compilers preparing each of a deadline's 35 values twice. The rows changed
    (as stored) and created, and the ids created."""
    now = timezone.now()
    history: list[PlainRow] = []
    written: list[Deadline] = []
    quote = connection.ops.quote_name
    meta = Deadline._meta
    table, returned = _returned_columns()
    with bound_cursor() as cursor:
        for update in sorted(updates, key=lambda u: u.pk):  # one lock order for concurrent writers
            values = _planned_values(update, now)
            columns = [cast(models.Field, meta.get_field(name)) for name in values]
            cursor.execute(
                f"UPDATE {table} SET {', '.join(f'{quote(str(f.column))} = %s' for f in columns)} "  # noqa: S608
                f"WHERE {quote(meta.pk.column)} = %s AND {quote('status')} <> ALL(%s) RETURNING {returned}",
                [*(db_value(f, values[name]) for f, name in zip(columns, values, strict=True)), update.pk,
                 sorted(FINAL_STATUSES)],
            )
            stored = cursor.fetchone()
            if stored is None:  # closed meanwhile (a paralegal marked it done after the plan was read): theirs
                continue
            row = _from_returned(stored)
            set_change_reason(row, update.reason)
            written.append(row)
            history.append(history_row(row, "~", now))
    ids: list[int] = []
    if creates:
        for obj in creates:
            obj.created_at = now
            obj.updated_at = now
        ids = insert_rows(Deadline, creates, returning=True)
        history += _history_rows(creates, ids, now)
        written += creates
    # None when every planned update found its row closed meanwhile.
    insert_sealed(Deadline.history.model, history)
    return written, ids


def _planned_values(update: Update, now: Any) -> dict[str, Any]:
    """The columns a planned change writes: its values, the verification cleared when it asks for that (the
    date a person checked has moved), and the moment of the change."""
    values = dict(update.values)
    if update.reset_verification:
        values |= {"last_changed_by": None, "verified_by": None, "verified_at": None}
    values["updated_at"] = now
    return values


@functools.cache
def _returned_columns() -> tuple[str, str]:
    """The deadline table and its columns, quoted (PostgreSQL's quoting: _write_few is PostgreSQL's path), once."""
    quote = connection.ops.quote_name
    return quote(Deadline._meta.db_table), ", ".join(quote(str(f.column)) for f in Deadline._meta.concrete_fields)


@functools.cache
def _converters() -> tuple[tuple[Any, tuple[Any, ...]], ...]:
    """Each concrete column's expression and the converters a query applies to it (JSON decoded by its field)."""
    out = []
    for f in Deadline._meta.concrete_fields:
        col = f.get_col(Deadline._meta.db_table)
        out.append((col, (*connection.ops.get_db_converters(col), *col.get_db_converters(connection))))
    return tuple(out)


def _from_returned(values: tuple) -> Deadline:
    """A deadline from the columns an UPDATE … RETURNING gave back, converted as a query's rows are."""
    converted = []
    for (col, funcs), value in zip(_converters(), values, strict=True):
        for func in funcs:
            value = func(value, col, connection)
        converted.append(value)
    return Deadline.from_db(connection.alias, [f.attname for f in Deadline._meta.concrete_fields], converted)


def _history_rows(creates: list[Deadline], ids: list[int], now: Any) -> list[PlainRow]:
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
        values = _planned_values(update, now)
        for name, value in values.items():
            setattr(row, name, value)
        set_change_reason(row, update.reason)
        by_fields.setdefault(tuple(sorted(values)), []).append(row)
    return by_fields


def write_changes(creates: list[Deadline], updates: list[Update]) -> tuple[list[Deadline], list[int]]:
    """Store a chunk's planned creates and updates with their history rows; the rows written, as stored, and
    the ids of those inserted (no reminder rows can exist for them yet)."""
    if connection.vendor == "postgresql" and len(creates) < COPY_THRESHOLD and len(updates) <= FEW_UPDATES:
        # Supersede first (in _write_few too): a live row and its replacement may share a key.
        written, new_ids = _write_few(updates, creates)
        bump_generation()  # the docket's cached figures (the "to verify" badge) count again at once
        return written, new_ids
    groups = _apply_updates(updates) if updates else {}
    written = [row for group in groups.values() for row in group]
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
