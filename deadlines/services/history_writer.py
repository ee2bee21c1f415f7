"""The bulk writer of a recompute: store the planned deadline rows with their history rows, on the audit chain.

On PostgreSQL, changed rows are written by UPDATE … RETURNING (one per row for the few an office event changes,
one per set of columns for a bulk pass), new rows by one INSERT or, many, by COPY; the history rows are built
here exactly as simple-history's bulk path builds them and sealed onto the hash chain
(``docketapp.audit_chain``). Elsewhere simple-history's bulk helpers and save() write them. Every row carries
the current attribution (``docketapp.audit``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from docketapp.audit import history_kwargs, set_change_reason
from docketapp.audit_chain import seal
from docketapp.plain_rows import (
    PARAMETER_LIMIT,
    PlainRow,
    bound_cursor,
    db_value,
    history_row,
    insert_rows,
    insert_sealed,
)

from ..freshness import bump_generation
from ..models import Deadline
from .diff import FINAL_STATUSES, Update

COPY_THRESHOLD = 50  # below this, plain bulk inserts are as fast as COPY's extra round trips
# Up to this many rows changed alike, each is saved on its own (an UPDATE of its changed columns, its history row
# through simple-history's save path, attributed the same way): bulk_update's CASE WHEN per field and row cost
# more to build than the round trips it saves, for the one or two rows a recorded office event changes.
SAVE_ONE_BY_ONE = 3
# PostgreSQL: up to this many changed rows, each is one UPDATE … RETURNING (what a recorded office event changes);
# more (a bulk pass: every matter's reply deadline superseded) are one UPDATE … FROM (VALUES …) per set of
# columns changed (history_writer._updated).
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


def _write_returning(updates: list[Update], creates: list[Deadline]) -> tuple[list[Deadline], list[int]]:
    """PostgreSQL: the planned changes written by UPDATEs that also lock each row, skip it when someone closed
    it meanwhile and return it as stored (``_updated``); the new rows one INSERT returning their ids; and every
    history row ("~" then "+", built as simple-history's bulk path builds them) sealed onto the chain and
    inserted with the head's move in one statement. A bulk pass (COPY_THRESHOLD rows written or more) COPYs the
    new rows and every history row instead (``_copy_create_with_history``).
    Through a locking read, save() and bulk_create_with_history that was a read, two chain-head statements per
    kind of write, and Django's compilers preparing each of a deadline's 35 values twice; through
    bulk_update_with_history (a CASE WHEN per column and row), two thirds of a bulk pass's CPU when every
    matter changed (issue 18). The rows changed (as stored) and created, and the ids created."""
    now = timezone.now()
    written = _updated(updates, now)
    history = [history_row(row, "~", now) for row in written]
    ids: list[int] = []
    if len(creates) + len(history) >= COPY_THRESHOLD:
        ids = _copy_create_with_history(creates, changed=history)
        return written + creates, ids
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


def _updated(updates: list[Update], now: Any) -> list[Deadline]:
    """The planned changes written, each row locked as it is changed and left alone when someone closed it after
    the plan was read (then it is theirs): the rows as stored after the change, their change reasons set, in
    primary-key order (one lock order for concurrent writers). Up to FEW_UPDATES, one UPDATE … RETURNING each;
    more, one UPDATE … FROM (VALUES …) … RETURNING per set of columns changed."""
    ordered = sorted(updates, key=lambda u: u.pk)
    written: list[Deadline] = []
    with bound_cursor() as cursor:
        if len(ordered) <= FEW_UPDATES:
            table, returned = _returned_columns()
            quote = connection.ops.quote_name
            for update in ordered:
                values = _planned_values(update, now)
                columns = [cast(models.Field, Deadline._meta.get_field(name)) for name in values]
                cursor.execute(
                    f"UPDATE {table} SET {', '.join(f'{quote(str(f.column))} = %s' for f in columns)} "  # noqa: S608
                    f"WHERE {quote(Deadline._meta.pk.column)} = %s AND {quote('status')} <> ALL(%s) "
                    f"RETURNING {returned}",
                    [*(db_value(f, value) for f, value in zip(columns, values.values(), strict=True)), update.pk,
                     sorted(FINAL_STATUSES)],
                )
                written += [_from_returned(stored) for stored in cursor.fetchall()]
        else:
            groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
            for update in ordered:
                values = _planned_values(update, now)
                groups.setdefault(tuple(sorted(values)), []).append((update.pk, values))
            for names, rows in groups.items():
                changed = tuple(cast(models.Field, Deadline._meta.get_field(name)) for name in names)
                size = (PARAMETER_LIMIT - 1) // (len(changed) + 1)
                for start in range(0, len(rows), size):
                    part = rows[start : start + size]
                    params: list[Any] = []
                    for pk, values in part:
                        params += [pk, *(db_value(f, values[name]) for f, name in zip(changed, names, strict=True))]
                    cursor.execute(_update_text(changed, len(part)), [*params, sorted(FINAL_STATUSES)])
                    written += [_from_returned(stored) for stored in cursor.fetchall()]
            written.sort(key=lambda row: row.pk)
    reasons = {u.pk: u.reason for u in ordered}
    for row in written:
        set_change_reason(row, reasons[row.pk])
    return written


def _update_text(columns: tuple[models.Field, ...], rows: int) -> str:
    """UPDATE of ``columns`` for ``rows`` rows, each row's id and values one tuple of the VALUES list (cast to the
    columns' types: a first row's empty value would otherwise make its column text), skipping closed rows and
    returning every column of each row changed."""
    quote = connection.ops.quote_name
    table = quote(Deadline._meta.db_table)
    pk = quote(Deadline._meta.pk.column)
    names = [quote(str(f.column)) for f in columns]
    # varchar(n) as text: an explicit cast would cut a value too long silently, the assignment refuses it.
    types = [re.sub(r"^varchar\(\d+\)$", "text", str(f.db_type(connection))) for f in (Deadline._meta.pk, *columns)]
    row = "(" + ", ".join(f"CAST(%s AS {t})" for t in types) + ")"
    returned = ", ".join(f"d.{quote(str(f.column))}" for f in Deadline._meta.concrete_fields)
    return (
        f"UPDATE {table} AS d SET {', '.join(f'{n} = v.{n}' for n in names)} "  # noqa: S608
        f"FROM (VALUES {', '.join([row] * rows)}) AS v({', '.join([pk, *names])}) "
        f"WHERE d.{pk} = v.{pk} AND d.{quote('status')} <> ALL(%s) RETURNING {returned}"
    )


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
    """The deadline table and its columns, quoted (PostgreSQL's quoting: _updated is PostgreSQL's path), once."""
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


def _copy_create_with_history(creates: list[Deadline], *, changed: Sequence[PlainRow] = ()) -> list[int]:
    """PostgreSQL: insert new deadlines and their "+" history rows with COPY, after ``changed``: the "~" history
    rows of the rows a bulk pass just updated (``_updated``). The new ids.

    Why not bulk_create_with_history: with tens of thousands of rows carrying a kilobyte of explanation
    JSON each, Django's INSERT (UNNEST arrays or VALUES lists, bound client-side by psycopg) spent about a
    millisecond per row in Python; COPY streams the same rows at a small fraction of that (see the
    recompute benchmark). The "~" rows went through a multi-row INSERT (``insert_sealed``) until issue 18's
    eleventh round: a statement of tens of thousands of values, converted and adapted in Python, about 230 µs
    per row against COPY's tens. The history rows are built exactly as simple-history's bulk path builds them.
    """
    ids: list[int] = []
    if creates:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Deadline._meta.db_table, len(creates)],
            )
            ids = [r[0] for r in cursor.fetchall()]
    now = timezone.now()
    history_model = Deadline.history.model
    history = [*changed, *_history_rows(creates, ids, now)]
    json_cache: dict[int, str] = {}
    if creates:
        _copy_rows(Deadline, creates, skip_auto=False, json_cache=json_cache)
    # COPY bypasses the history manager's bulk_create: put the rows on the table's hash chain here ("~" before
    # "+", as the rows were written). After the deadlines' COPY, so the chain head (locked until commit) waits
    # for as little as possible.
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
    if connection.vendor == "postgresql":
        # Supersede first: a live row and its replacement may share a key.
        written, new_ids = _write_returning(updates, creates)
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
        stored = [r for r in bulk_create_with_history(creates, Deadline, batch_size=500, **kwargs) if r.pk]
        created = [r.pk for r in stored]
        written.extend(stored)
    return written, created
