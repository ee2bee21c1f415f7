"""Rows written as plain SQL, for the few rows of a hot path where Django's insert compiler cost more than the
statement: the reminder rows a recorded office event plans and the deliveries a sweep claims, and on PostgreSQL
the office event itself and the deadlines it changes or creates, with their history rows built and sealed here
exactly as simple-history's bulk path builds them (``docketapp.audit.history_row_fields``, the audit chain's
``seal``; issue 18, one event ≤ 10 ms).

Tests hold these paths to Django's: tests/reminders/test_plain_insert.py, tests/deadlines/
test_history_writer_paths.py, tests/patents/test_event_plain_write.py.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.constants import OnConflict

from .audit import history_row_fields
from .audit_chain import seal

# Field types whose Python values the database drivers take as they are (strings, integers, foreign key ids).
_PASSED_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey, models.BooleanField)


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    """How a value of ``field`` is handed to the driver: as it is (None), adapted as the backend adapts dates,
    moments and JSON, or, for any other kind of field, prepared by the field itself (slower, always right)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):  # before DateField: a DateTimeField is one
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(value, field.encoder or DjangoJSONEncoder)
    if isinstance(field, _PASSED_AS_IS):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def db_value(field: Any, value: Any) -> Any:
    """``value`` of ``field`` as the database driver takes it."""
    adapt = _adapter(field)
    return value if adapt is None or value is None else adapt(value)


def _per_connection(key: tuple, build: Callable[[], Any]) -> Any:
    """``build()``, once per key and database connection (this thread's): what is kept here depends on the
    connection's adapters and quoting, and is needed for every statement, not built per row or statement."""
    kept = connections[DEFAULT_DB_ALIAS].__dict__.setdefault("_plain_rows_kept", {})
    found = kept.get(key)
    if found is None:
        found = kept[key] = build()
    return found


Special = list[tuple[int, Any, Any, bool]]


def _layout(model: type[models.Model]) -> tuple[list[Any], Callable[[Any], tuple], Special]:
    """The columns an insert writes, a getter of one row's values in that order (a tuple, read in C: the
    per-value getattr loop was a tenth of this process's CPU per recorded office event), and the columns whose
    values need more than reading: (position, field, how the value is handed to the driver, stamped with now
    when empty)."""

    def build() -> tuple[list[Any], Callable[[Any], tuple], Special]:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        read = _row_getter([f.attname for f in fields])
        special = []
        for i, f in enumerate(fields):
            adapt = _adapter(f)
            stamp = bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
            if adapt is not None or stamp:
                special.append((i, f, adapt, stamp))
        return fields, read, special

    return _per_connection(("layout", model), build)


class PlainRow:
    """A row ``insert_rows`` writes, without a model instance: the model's columns as attributes (``new_row``)."""


@functools.cache
def _defaults(model: type[models.Model]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """A model's column defaults: the fixed ones, and the fields whose default is computed per row (a callable)."""
    fixed: dict[str, Any] = {}
    computed: list[tuple[str, Any]] = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.has_default() and callable(f.default):
            computed.append((f.attname, f))
        else:
            fixed[f.attname] = f.get_default()
    return fixed, computed


def new_row(model: type[models.Model], **values: Any) -> PlainRow:
    """A new row of ``model`` for ``insert_rows``: each column's default as the model would give it, then
    ``values`` (by attribute name: ``deadline_id``). Building model instances was a tenth of this process's
    CPU per recorded office event, most of it for reminder rows that are only inserted (issue 18)."""
    fixed, computed = _defaults(model)
    row = PlainRow()
    slots = row.__dict__
    slots.update(fixed)
    for name, field in computed:
        if name not in values:
            slots[name] = field.get_default()
    slots.update(values)
    return row


def _insert_text(
    model: type[models.Model], fields: list[Any], *, conflict_ignored: bool, returning: bool
) -> tuple[str, str, str]:
    """The INSERT's text before its rows, one row's placeholders and the text after the rows."""

    def build() -> tuple[str, str, str]:
        ops = connection.ops
        on_conflict = OnConflict.IGNORE if conflict_ignored else None
        head = (
            f"{ops.insert_statement(on_conflict=on_conflict)} {ops.quote_name(model._meta.db_table)} "
            f"({', '.join(ops.quote_name(f.column) for f in fields)}) VALUES "
        )
        tail = ops.on_conflict_suffix_sql(fields, on_conflict, None, None) if conflict_ignored else ""
        if returning:
            tail += f" RETURNING {ops.quote_name(model._meta.pk.column)}"
        return head, f"({', '.join(['%s'] * len(fields))})", tail

    return _per_connection(("insert", model, conflict_ignored, returning), build)


# PostgreSQL's protocol carries at most this many parameters in one statement.
PARAMETER_LIMIT = 65535


# Statements longer than this are not kept converted: a full pass's batches of hundreds of rows run once each, and
# one of them can be a megabyte of text.
CONVERTED_UP_TO = 64 * 1024


@functools.lru_cache(maxsize=256)
def _converted(query: bytes, encoding: str) -> Any:
    from psycopg._queries import _query2pg_nocache

    return _query2pg_nocache(query, encoding)


def _converting_query_class() -> type | None:
    """psycopg's PostgresQuery, keeping the conversion of a statement's placeholders (``%s`` to ``$1``) for the
    next run of the same text, or None where this psycopg's internals differ (then every run is converted, as
    before). psycopg keeps only statements of at most 50 values, and a recorded office event's inserts carry
    hundreds (a deadline's, its history row's, its reminders'): converting them again on every event was a
    sixth of this process's CPU per event (issue 18)."""
    from psycopg import _queries

    base = getattr(_queries, "PostgresQuery", None)
    if not hasattr(_queries, "_query2pg_nocache") or not all(
        hasattr(base, name) for name in ("_ensure_bytes", "dump", "convert")
    ):
        return None

    class ConvertingQuery(base):  # type: ignore[misc,valid-type]
        __slots__ = ()

        def convert(self, query: Any, vars: Any) -> None:
            if vars is None or not isinstance(query, str | bytes) or len(query) > CONVERTED_UP_TO:
                return super().convert(query, vars)
            text = self._ensure_bytes(query)
            self.query, self._want_formats, self._order, self._parts = _converted(text, self._tx.encoding)  # type: ignore[misc]
            self.dump(vars)
            return None

    return ConvertingQuery


@functools.cache
def _preparing_cursor_class(base: type) -> type:
    """``base`` (Django's ServerBindingCursor), remembering the statement of a prepared run as of any other, and
    keeping statements converted (``_converting_query_class``).

    psycopg prepares a statement once it has run ``prepare_threshold`` times on a connection (settings,
    POSTGRES_PREPARE_THRESHOLD) and then sends only its name and values, without setting the cursor's
    ``_query``, which Django's query log reads: a prepared run would be logged as ``None``. This keeps the log
    (DEBUG, the statement-count tests) showing what ran. tests/deadlines/test_prepared_statements.py holds it."""
    converting = _converting_query_class()

    class PreparingCursor(base):
        if converting is not None:
            _query_cls = converting

        def _send_query_prepared(self, name: bytes, pgq: Any, *args: Any, **kwargs: Any) -> None:
            self._query = pgq
            super()._send_query_prepared(name, pgq, *args, **kwargs)

    return PreparingCursor


def bound_cursor(using: str = DEFAULT_DB_ALIAS) -> Any:
    """A cursor whose values travel apart from the statement on PostgreSQL (psycopg's server-side binding), for
    this module's statements, which send hundreds of values per recorded office event (a deadline's explanation
    JSON twice): Django's own cursors quote every value into the statement's text in the client, which cost
    more than the statements (issue 18). A statement run often is prepared on the server (parsed and planned
    once per connection, POSTGRES_PREPARE_THRESHOLD). Wrapped as Django wraps its cursors (logged, execute
    wrappers, errors translated); Django's ordinary cursor on other databases. Its statements must stay under
    PARAMETER_LIMIT."""
    db = connections[using]  # this thread's, looked up once: the ``connection`` proxy looks it up per use
    if db.vendor != "postgresql":
        return db.cursor()
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]  # psycopg 3's, not in stubs
        TIMESTAMPTZ_OID,
        ServerBindingCursor,
    )
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _preparing_cursor_class(ServerBindingCursor)(db.connection)
        if db.timezone != db.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
            register_tzloader(db.timezone, raw)  # as Django's create_cursor does
        db.validate_thread_sharing()  # then wrapped as Django's _prepare_cursor wraps its own
        return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


def insert_rows(
    model: type[models.Model], objs: Sequence[models.Model | PlainRow], *, returning: bool = False,
    conflict_ignored: bool = False, along: tuple[str, list[Any]] | None = None,
) -> list[int]:
    """``objs`` inserted with multi-row INSERTs, their primary keys left to the table; the new ids when
    ``returning``. ``conflict_ignored``: ON CONFLICT DO NOTHING (OR IGNORE on SQLite), as
    ``bulk_create(ignore_conflicts=True)`` — a row that hits a unique constraint belongs to whoever inserted it
    first, and returns no id. An ``auto_now``/``auto_now_add`` field left empty gets now, as Django's save
    would give it; every other value is taken as the object holds it. ``along``: PostgreSQL only, a
    data-modifying statement (SQL and parameters) sent in the first INSERT's round trip, as its ``WITH``."""
    if not objs:
        return []
    ops = connection.ops
    fields, read, special = _layout(model)
    head, row, tail = _insert_text(model, fields, conflict_ignored=conflict_ignored, returning=returning)
    ids: list[int] = []
    with bound_cursor() as cursor:
        room = PARAMETER_LIMIT - (len(along[1]) if along is not None else 0)
        size = max(1, min(ops.bulk_batch_size(fields, objs), room // len(fields)))
        for start in range(0, len(objs), size):
            part = objs[start : start + size]
            params: list[Any] = []
            prefix = ""
            if along is not None and start == 0:
                prefix = f"WITH {ops.quote_name('along')} AS ({along[0]}) "
                params += along[1]
            for obj in part:
                values = list(read(obj))
                for i, f, adapt, stamp in special:
                    value = values[i]
                    if value is None and stamp:
                        value = f.pre_save(obj, True)
                    values[i] = value if adapt is None or value is None else adapt(value)
                params += values
            cursor.execute(f"{prefix}{head}{', '.join([row] * len(part))} {tail}", params)
            if returning:
                ids += [r[0] for r in cursor.fetchall()]
    return ids


def insert_sealed(history_model: type[models.Model], rows: Sequence[models.Model | PlainRow]) -> None:
    """History rows put on their table's audit chain and inserted; on PostgreSQL the chain head's move is sent in
    the same statement as the insert (``WITH along AS (UPDATE head …) INSERT …``): for each table a recorded
    office event writes, a head read and one statement, not three (issue 18)."""
    if not rows:
        return
    move = seal(history_model, rows, connection.alias, defer_move=connection.vendor == "postgresql")
    insert_rows(history_model, rows, along=move)


def history_row(obj: models.Model, history_type: str, now: Any) -> PlainRow:
    """One history row of ``obj`` as it is now, with the columns simple-history's bulk path gives it, as a plain
    row (``new_row``): building the history model's instance, 45 fields through its descriptors, was a twentieth
    of this process's CPU per recorded office event (issue 18)."""
    history_model = type(obj).history.model  # type: ignore[attr-defined]
    names, read = _tracked(history_model)
    attribution = history_row_fields(obj, date=now)
    user = attribution.pop("history_user")
    return new_row(
        history_model,
        history_type=history_type,
        history_user_id=None if user is None else user.pk,
        **attribution,
        **dict(zip(names, read(obj), strict=True)),
    )


@functools.cache
def _tracked(history_model: type[models.Model]) -> tuple[tuple[str, ...], Callable[[Any], tuple]]:
    """The tracked columns' attribute names of a history model and a getter of their values (a tuple)."""
    names = tuple(f.attname for f in history_model.tracked_fields)  # type: ignore[attr-defined]
    return names, _row_getter(names)


def _row_getter(names: Sequence[str]) -> Callable[[Any], tuple]:
    """A getter of an object's ``names`` attributes as one tuple, read in C (attrgetter gives a bare value for a
    single name: wrapped, so every caller gets a tuple)."""
    getter = operator.attrgetter(*names)
    return getter if len(names) > 1 else (lambda obj: (getter(obj),))
