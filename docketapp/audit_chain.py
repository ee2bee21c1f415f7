"""Tamper-evident history: a SHA-256 chain per history table, signed checkpoints, and the verifier.

Design (docs/audit.md has the full version and the limits):

* Every row of every simple-history table (the models built on ``docketapp.audit.AuditedHistoricalModel``)
  carries ``chain_seq`` (1, 2, 3, … per table, in commit order) and ``row_hash`` =
  SHA-256(previous row's hash + SHA-256 of the canonical JSON of the row's columns). One chain per table,
  not one global chain: writers of different tables never wait for each other.
* The hash is computed in Python, in the writing transaction, for the three ways rows are inserted:
  ``save()`` (simple-history's per-object path), the manager's ``bulk_create`` (its bulk helpers) and
  deadlines' COPY path, which calls ``seal()`` itself. ``seal()`` locks the table's ``AuditChainHead`` row
  once per batch (not per row), so a batch of 500 history rows costs one SELECT ... FOR UPDATE and one UPDATE.
* Checkpoints record each chain's head, signed with HMAC-SHA256 and a key from the environment.
* ``verify()`` recomputes every chain and checks the heads and checkpoints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from .audit import AuditedHistoricalModel
    from .auditlog.models import AuditChainHead

GENESIS = "0" * 64
# Columns not covered by the hash: the history row's own primary key (assigned by the database after the
# hash is computed), the chain position (covered by the link to the previous row: a row moved to another
# position no longer links) and the hash itself. Leaving chain_seq out lets the content digests be computed
# before the chain head is locked, so the lock is held for as little as possible.
UNHASHED = {"history_id", "chain_seq", "row_hash"}


# --- canonical form ----------------------------------------------------------------------------------------


def _utc(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _encoder(f: models.Field) -> Callable[[Any], Any]:
    """A function turning the field's value, as written or as read back, into the same JSON value."""
    kind = f.get_internal_type()
    if kind in ("ForeignKey", "OneToOneField"):
        return _encoder(f.target_field)  # type: ignore[attr-defined]
    if kind == "JSONField":
        encoder = getattr(f, "encoder", None)
        if encoder is None:
            # The value goes into the canonical JSON as it is: canonical() serialises nested dates and decimals
            # with Django's encoder (as deadlines' COPY path writes them) and sorts keys (jsonb reorders them).
            return _identity

        # A field with its own encoder: the value as that encoder writes it.
        def _json(v: Any) -> Any:
            return None if v is None else json.loads(json.dumps(v, cls=encoder, sort_keys=True))

        return _json
    if kind in ("DateTimeField", "DateField"):
        return lambda v: None if v is None else (_utc(v) if not isinstance(v, str) else v)
    if kind in ("IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                "PositiveBigIntegerField", "PositiveSmallIntegerField", "AutoField", "BigAutoField",
                "SmallAutoField"):
        return lambda v: None if v is None else int(v)
    if kind == "BooleanField":
        return lambda v: None if v is None else bool(v)
    if kind == "FloatField":
        return lambda v: None if v is None else float(v)
    if kind == "DecimalField":
        return lambda v: None if v is None else format(Decimal(v).normalize(), "f")
    if kind == "DurationField":
        return lambda v: None if v is None else v.total_seconds()
    return lambda v: None if v is None else str(v)


@dataclass(frozen=True)
class Layout:
    attnames: tuple[str, ...]
    encoders: tuple[Callable[[Any], Any], ...]


_layouts: dict[type, Layout] = {}


def layout(model: type[models.Model]) -> Layout:
    cached = _layouts.get(model)
    if cached is None:
        fields = sorted(
            (f for f in model._meta.concrete_fields if f.attname not in UNHASHED), key=lambda f: f.attname
        )
        cached = Layout(tuple(f.attname for f in fields), tuple(_encoder(f) for f in fields))
        _layouts[model] = cached
    return cached


def _epoch_encoders(model: type[models.Model], attnames: Sequence[str]) -> list[tuple[str, Callable]]:
    current = layout(model)
    by_name = dict(zip(current.attnames, current.encoders, strict=True))
    # A column dropped since (not in the model any more) reads as None: such rows then fail verification,
    # which is right: a migration removed part of the evidence.
    return [(name, by_name.get(name, lambda v: v)) for name in attnames]


def _identity(v: Any) -> Any:
    return v


_django_default = DjangoJSONEncoder().default


def canonical(values: Sequence[Any], encoders: Sequence[Callable[[Any], Any]]) -> bytes:
    return json.dumps(
        [enc(v) for enc, v in zip(encoders, values, strict=True)],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_django_default,
    ).encode()


def content_digest(values: Sequence[Any], encoders: Sequence[Callable[[Any], Any]]) -> str:
    return hashlib.sha256(canonical(values, encoders)).hexdigest()


def link(prev_hash: str, digest: str) -> str:
    return hashlib.sha256((prev_hash + digest).encode()).hexdigest()


# --- writing -------------------------------------------------------------------------------------------------


_unsealed = False


@contextmanager
def unsealed() -> Iterator[None]:
    """Benchmark only (`bench audit`): write history rows without the chain, to measure what it costs.
    Rows written so are reported by `audit verify` as unchained, as they must be."""
    global _unsealed
    _unsealed = True
    try:
        yield
    finally:
        _unsealed = False


def forget_chain(table: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """After a deliberate purge (TRUNCATE allowed with history_guard.allow_truncate, e.g. a benchmark
    database): start the table's chain again from nothing. Its checkpoints go too."""
    from .auditlog.models import AuditChainHead, AuditCheckpoint

    AuditChainHead.objects.using(using).filter(table=table).update(seq=0, head_hash=GENESIS, epochs=[])
    AuditCheckpoint.objects.using(using).filter(table=table).delete()


def is_chained(model: type[models.Model]) -> bool:
    from .audit import AuditedHistoricalModel

    return issubclass(model, AuditedHistoricalModel) and not model._meta.abstract


def _locked_head(model: type[models.Model], using: str) -> tuple[int, str, list]:
    """The table's chain head (seq, head hash, epochs), locked until the transaction ends.

    Read with one plain statement: a recorded office event seals two or three tables, and the ORM's query
    building cost more than the round trip (issue 18, one event ≤ 10 ms)."""
    from .auditlog.models import AuditChainHead

    table = model._meta.db_table
    head = _select_head(table, using)
    if head is None:
        # First write to a table created after the chain was installed. Two first writers may race: with
        # ON CONFLICT DO NOTHING the second waits for the first to commit and then takes the lock after it.
        AuditChainHead.objects.using(using).bulk_create(
            [AuditChainHead(table=table, seq=0, head_hash=GENESIS, epochs=[])], ignore_conflicts=True
        )
        head = _select_head(table, using)
        if head is None:
            raise RuntimeError(f"audit chain head of {table} missing right after its insert")
    return head


def _select_head(table: str, using: str) -> tuple[int, str, list] | None:
    from .auditlog.models import AuditChainHead

    connection = connections[using]
    quote = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    from .plain_rows import bound_cursor  # it seals with this module's seal()

    with bound_cursor(using) as cursor:  # prepared on the server once run often: twice per recorded office event
        cursor.execute(
            f"SELECT {quote('seq')}, {quote('head_hash')}, {quote('epochs')} FROM "  # noqa: S608 - names are ours
            f"{quote(AuditChainHead._meta.db_table)} WHERE {quote('table')} = %s{lock}",
            [table],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    seq, head_hash, epochs = row
    # The JSON column comes back as text from a plain cursor (Django decodes it in the field, not the driver).
    return seq, head_hash, json.loads(epochs) if isinstance(epochs, str | bytes) else list(epochs or [])


def _head_move(table: str, using: str, *, seq: int, head_hash: str) -> tuple[str, list[Any]]:
    """The UPDATE that moves the locked head on, as SQL and parameters."""
    from .auditlog.models import AuditChainHead

    connection = connections[using]
    quote = connection.ops.quote_name
    updated_at = AuditChainHead._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    return (
        f"UPDATE {quote(AuditChainHead._meta.db_table)} SET {quote('seq')} = %s, "  # noqa: S608 - names are ours
        f"{quote('head_hash')} = %s, {quote('updated_at')} = %s WHERE {quote('table')} = %s",
        [seq, head_hash, updated_at, table],
    )


def _store_head(table: str, using: str, *, seq: int, head_hash: str, epochs: list | None) -> None:
    """Move the locked head on; ``epochs`` only when a new epoch began (rare: the layout changed)."""
    from .auditlog.models import AuditChainHead

    if epochs is not None:
        # AuditChainHead is bookkeeping, not history-tracked: a plain UPDATE is right here.
        AuditChainHead.objects.using(using).filter(pk=table).update(
            seq=seq, head_hash=head_hash, epochs=epochs, updated_at=timezone.now()
        )
        return
    sql, params = _head_move(table, using, seq=seq, head_hash=head_hash)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)


def seal(
    model: type[models.Model], rows: Sequence[Any], using: str | None = None, *, defer_move: bool = False
) -> tuple[str, list[Any]] | None:
    """Give unsaved history rows their chain_seq and row_hash, in order; the caller inserts them. A row is an
    instance of ``model`` or any object with its columns as attributes (``docketapp.plain_rows.PlainRow``).

    Must run in the transaction that inserts the rows: the head row stays locked until it commits, so the
    next writer of this table continues from these rows (or, on rollback, from the old head).

    ``defer_move``: the head is locked and read here, but the UPDATE that moves it on is returned (SQL and
    parameters) for the caller to send with its insert of the rows, in the same statement (PostgreSQL's
    ``WITH moved AS (UPDATE …) INSERT …``, ``docketapp.plain_rows.insert_sealed``): one round trip less per table
    for a recorded office event (issue 18). None when there is nothing left to move (no rows, or a new epoch,
    whose head is stored here).
    """
    # Callers pass history rows of a chained model (the manager's bulk_create, save(), deadlines' COPY),
    # typed as plain models because simple-history builds those classes at run time.
    pending = [cast("AuditedHistoricalModel", r) for r in rows if getattr(r, "chain_seq", None) is None]
    if not pending or _unsealed:
        return None
    using = using or DEFAULT_DB_ALIAS
    if not connections[using].in_atomic_block:
        raise RuntimeError("audit_chain.seal() outside a transaction: the chain head would not stay locked")
    from .audit import current

    attribution = current()
    if attribution is not None:
        # The bulk helpers send no pre_create_historical_record: give their rows the actor column too.
        for row in pending:
            if not row.history_actor:
                row.history_actor = attribution.actor
    lay = layout(model)
    getters, encoders = lay.attnames, lay.encoders
    # The expensive part (canonical JSON and its SHA-256) before the lock; under it only the short links.
    digests = [content_digest([getattr(row, a) for a in getters], encoders) for row in pending]
    seq, prev, epochs = _locked_head(model, using)
    new_epoch = not epochs or list(epochs[-1][1]) != list(lay.attnames)
    if new_epoch:
        epochs.append([seq + 1, list(lay.attnames)])
    for row, digest in zip(pending, digests, strict=True):
        seq += 1
        row.chain_seq = seq
        prev = link(prev, digest)
        row.row_hash = prev
    if defer_move and not new_epoch:
        return _head_move(model._meta.db_table, using, seq=seq, head_hash=prev)
    _store_head(model._meta.db_table, using, seq=seq, head_hash=prev, epochs=epochs if new_epoch else None)
    return None


def chained_models() -> list[type[models.Model]]:
    from django.apps import apps

    return sorted((m for m in apps.get_models() if is_chained(m)), key=lambda m: m._meta.db_table)


def _backfill(model: type[models.Model], AuditChainHead, using: str) -> int:
    """Chain the rows that predate the chain (migration helper; on PostgreSQL the caller lifts the guard).

    The rows are chained in history_id order. This proves nothing about what happened to them before; it
    protects them from here on.
    """
    table = model._meta.db_table
    lay = layout(model)
    head, _ = AuditChainHead.objects.using(using).get_or_create(
        table=table, defaults={"seq": 0, "head_hash": GENESIS, "epochs": [[1, list(lay.attnames)]]}
    )
    seq, prev = head.seq, head.head_hash
    rows = (
        model._default_manager.using(using).filter(chain_seq__isnull=True).order_by("history_id")
        .values_list("history_id", *lay.attnames)
    )
    updates = []
    for values in rows.iterator(chunk_size=2000):
        seq += 1
        prev = link(prev, content_digest(values[1:], lay.encoders))
        updates.append((seq, prev, values[0]))
    if updates:
        with connections[using].cursor() as cursor:
            cursor.executemany(
                # The table name comes from the model's Meta, not from input.
                f'UPDATE "{table}" SET chain_seq = %s, row_hash = %s WHERE history_id = %s',  # noqa: S608
                updates,
            )
    AuditChainHead.objects.using(using).filter(pk=table).update(seq=seq, head_hash=prev)
    return len(updates)


# --- checkpoints -----------------------------------------------------------------------------------------


def checkpoint_key() -> tuple[str, bytes | None]:
    """(key id, key): the environment's AUDIT_CHECKPOINT_KEY; with DEBUG and none set, a derived dev key."""
    key = getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
    if key:
        return "env", key.encode()
    if settings.DEBUG:
        return "dev", hashlib.sha256(b"docketapp audit checkpoint|" + settings.SECRET_KEY.encode()).digest()
    return "", None


def _signature(key: bytes, *, table: str, seq: int, head_hash: str, created_at: dt.datetime, previous: str) -> str:
    message = "|".join([table, str(seq), head_hash, created_at.astimezone(dt.UTC).isoformat(), previous])
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def take_checkpoints(using: str = DEFAULT_DB_ALIAS) -> list:
    """Record (and sign, if there is a key) the head of every chain that moved since its last checkpoint."""
    from .auditlog.models import AuditChainHead, AuditCheckpoint

    key_id, key = checkpoint_key()
    taken = []
    for model in chained_models():
        table = model._meta.db_table
        with transaction.atomic(using=using):
            # Locked like a writer, so the head and the row it names belong together.
            head = AuditChainHead.objects.using(using).select_for_update().filter(table=table).first()
            if head is None or head.seq == 0:
                continue
            last = AuditCheckpoint.objects.using(using).filter(table=table).order_by("-seq", "-id").first()
            if last is not None and last.seq == head.seq and last.head_hash == head.head_hash:
                continue
            now = timezone.now()
            previous = last.signature if last is not None else ""
            signature = (
                _signature(key, table=table, seq=head.seq, head_hash=head.head_hash, created_at=now, previous=previous)
                if key is not None
                else ""
            )
            taken.append(
                AuditCheckpoint.objects.using(using).create(
                    table=table, seq=head.seq, head_hash=head.head_hash, created_at=now,
                    key_id=key_id, signature=signature, previous_signature=previous,
                )
            )
    return taken


# --- verification ----------------------------------------------------------------------------------------


@dataclass
class Finding:
    table: str
    kind: str  # changed | missing | unchained | duplicate | beyond_head | checkpoint | signature
    rows: str  # chain positions and/or history ids
    window: str  # between which history dates / checkpoints
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"table": self.table, "kind": self.kind, "rows": self.rows, "window": self.window, "detail": self.detail}

    def __str__(self) -> str:
        return f"{self.table}: {self.kind} {self.rows} ({self.window}): {self.detail}"


@dataclass
class Report:
    tables: int = 0
    rows: int = 0
    checkpoints: int = 0
    signatures: str = "none"
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings


def _fmt(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "?"


def _window(before: dt.datetime | None, after: dt.datetime | None, checkpoints: list) -> str:
    text = f"between {_fmt(before)} and {_fmt(after)}" if (before or after) else "time unknown"
    return text


def _checkpoint_window(seq: int, checkpoints: list) -> str:
    """Which signed checkpoints bracket chain position seq."""
    earlier = [c for c in checkpoints if c.seq < seq]
    later = [c for c in checkpoints if c.seq >= seq]
    parts = []
    if earlier:
        parts.append(f"after checkpoint #{earlier[-1].pk} (seq {earlier[-1].seq}, {_fmt(earlier[-1].created_at)})")
    if later:
        parts.append(f"covered by checkpoint #{later[0].pk} (seq {later[0].seq}, {_fmt(later[0].created_at)})")
    else:
        parts.append("after the last checkpoint")
    return "; ".join(parts)


@dataclass
class _Walk:
    """Where the walk along one table's chain ended, and the hashes at the checkpointed positions."""

    prev_hash: str | None = GENESIS  # None after a gap: the link across it cannot be checked
    prev_date: dt.datetime | None = None
    prev_seq: int = 0
    hashes: dict[int, str] = field(default_factory=dict)


def verify_table(model: type[models.Model], using: str, report: Report, key: bytes | None) -> None:
    from .auditlog.models import AuditChainHead, AuditCheckpoint

    table = model._meta.db_table
    head = AuditChainHead.objects.using(using).filter(table=table).first()
    checkpoints = list(AuditCheckpoint.objects.using(using).filter(table=table).order_by("seq", "id"))
    lay = layout(model)
    epochs = (head.epochs if head is not None else None) or [[1, list(lay.attnames)]]
    manager = model._default_manager.using(using)

    def add(kind: str, rows: str, window: str, detail: str) -> None:
        report.findings.append(Finding(table, kind, rows, window, detail))

    # Rows outside the chain: inserted by something other than the application (a forged INSERT).
    for hid, date in manager.filter(chain_seq__isnull=True).order_by("history_id").values_list(
        "history_id", "history_date"
    ):
        add("unchained", f"history_id {hid}", f"dated {_fmt(date)}",
            "row has no chain position: inserted outside the application")
    walk = _walk_chain(model, manager, epochs, checkpoints, report, add)
    _check_head(head, walk, checkpoints, add)
    _check_checkpoints(table, checkpoints, walk.hashes, key, report, add)


def _walk_chain(
    model: type[models.Model],
    manager: models.QuerySet,
    epochs: list,
    checkpoints: list,
    report: Report,
    add: Callable[[str, str, str, str], None],
) -> _Walk:
    """Recompute every link, epoch by epoch (the hashed field list changes only when a migration changes
    the table): duplicated, missing and changed rows."""
    lay = layout(model)
    walk = _Walk()
    expected = 1
    wanted = {c.seq for c in checkpoints}
    for i, (first, attnames) in enumerate(epochs):
        last = epochs[i + 1][0] - 1 if i + 1 < len(epochs) else None
        enc = _epoch_encoders(model, attnames)
        present = [a for a in attnames if a in lay.attnames]
        encoders = [e for _, e in enc]
        qs = manager.filter(chain_seq__gte=first)
        if last is not None:
            qs = qs.filter(chain_seq__lte=last)
        rows = qs.order_by("chain_seq", "history_id").values_list("history_id", "row_hash", "chain_seq", *present)
        date_index = present.index("history_date") + 3
        for values in rows.iterator(chunk_size=5000):
            report.rows += 1
            hid, stored, seq = values[0], values[1], values[2]
            date = values[date_index]
            fields = dict(zip(present, values[3:], strict=True))
            payload = content_digest([fields.get(a) for a in attnames], encoders)
            if seq == walk.prev_seq:
                add("duplicate", f"seq {seq} (history_id {hid})", _window(walk.prev_date, date, checkpoints),
                    "two rows claim the same chain position: one was inserted outside the application")
                continue
            if seq > expected:
                add("missing", f"seq {expected}–{seq - 1}", f"{_window(walk.prev_date, date, checkpoints)}; "
                    f"{_checkpoint_window(expected, checkpoints)}",
                    f"{seq - expected} row(s) deleted from the chain")
                walk.prev_hash = None  # the link across a gap cannot be checked
            if walk.prev_hash is not None and link(walk.prev_hash, payload) != stored:
                add("changed", f"seq {seq} (history_id {hid})",
                    f"{_window(walk.prev_date, date, checkpoints)}; {_checkpoint_window(seq, checkpoints)}",
                    "row content, position or order does not match its hash")
            if seq in wanted:
                walk.hashes[seq] = stored
            walk.prev_hash, walk.prev_date, walk.prev_seq, expected = stored, date, seq, seq + 1
    return walk


def _check_head(
    head: AuditChainHead | None, walk: _Walk, checkpoints: list, add: Callable[[str, str, str, str], None]
) -> None:
    """The chain's recorded head against where the walk ended: rows gone from the end, or appended."""
    last_seq, prev_date, prev_hash = walk.prev_seq, walk.prev_date, walk.prev_hash
    head_seq = head.seq if head is not None else 0
    if head_seq > last_seq:
        add("missing", f"seq {last_seq + 1}–{head_seq}", f"after {_fmt(prev_date)}; "
            f"{_checkpoint_window(last_seq + 1, checkpoints)}",
            f"the newest {head_seq - last_seq} row(s) are gone (DELETE or TRUNCATE)")
    elif last_seq > head_seq:
        add("beyond_head", f"seq {head_seq + 1}–{last_seq}", f"up to {_fmt(prev_date)}",
            "rows beyond the recorded chain head: appended outside the application")
    elif head is not None and last_seq and head.head_hash != prev_hash and prev_hash is not None:
        add("changed", f"seq {last_seq}", f"up to {_fmt(prev_date)}", "newest row does not match the chain head")


def _check_checkpoints(
    table: str,
    checkpoints: list,
    hashes: dict[int, str],
    key: bytes | None,
    report: Report,
    add: Callable[[str, str, str, str], None],
) -> None:
    """The row each checkpoint names must still carry the hash it recorded, and each signature must hold."""
    previous_signature = ""
    for cp in checkpoints:
        report.checkpoints += 1
        if key is not None:
            if cp.key_id == "":
                add("signature", f"checkpoint #{cp.pk} (seq {cp.seq})", f"taken {_fmt(cp.created_at)}",
                    "checkpoint is unsigned although a key is configured: cannot be trusted")
            elif not hmac.compare_digest(
                cp.signature,
                _signature(key, table=table, seq=cp.seq, head_hash=cp.head_hash, created_at=cp.created_at,
                           previous=cp.previous_signature),
            ):
                add("signature", f"checkpoint #{cp.pk} (seq {cp.seq})", f"taken {_fmt(cp.created_at)}",
                    "signature does not match: the checkpoint was forged or altered, or signed with another key")
            elif cp.previous_signature != previous_signature:
                add("signature", f"checkpoint #{cp.pk} (seq {cp.seq})", f"taken {_fmt(cp.created_at)}",
                    "the checkpoint before it was deleted or altered")
        previous_signature = cp.signature
        actual = hashes.get(cp.seq)
        if actual is None:
            add("checkpoint", f"seq {cp.seq}", f"checkpoint #{cp.pk} taken {_fmt(cp.created_at)}",
                "the row this checkpoint recorded is gone: history up to here was deleted or truncated")
        elif actual != cp.head_hash:
            add("checkpoint", f"seq ≤ {cp.seq}", f"before checkpoint #{cp.pk} taken {_fmt(cp.created_at)}",
                "the chain up to this checkpoint was rewritten (rows changed and their hashes recomputed)")


def verify(using: str = DEFAULT_DB_ALIAS) -> Report:
    import time

    started = time.perf_counter()
    key_id, key = checkpoint_key()
    report = Report(signatures="signed" if key is not None else "unverifiable")
    for model in chained_models():
        report.tables += 1
        verify_table(model, using, report, key)
    report.seconds = time.perf_counter() - started
    return report


def record_verification(report: Report, *, origin: str, started_at: dt.datetime, using: str = DEFAULT_DB_ALIAS):
    from .auditlog.models import AuditVerifyRun

    return AuditVerifyRun.objects.using(using).create(
        started_at=started_at, finished_at=timezone.now(), origin=origin, ok=report.ok, tables=report.tables,
        rows_checked=report.rows, checkpoints_checked=report.checkpoints, signatures=report.signatures,
        findings=[f.as_dict() for f in report.findings],
    )


def seal_all(model: type[models.Model], rows: Iterable[models.Model], using: str | None = None) -> None:
    """For insert paths outside Django's ORM (deadlines' COPY): seal inside the caller's transaction."""
    seal(model, list(rows), using)


def backfill_app(apps, schema_editor, app_label: str) -> None:
    """RunPython body of the migrations that add the chain columns: chain every existing history row."""
    from patents.history_guard import install_history_guards, lift_row_guard

    connection = schema_editor.connection
    Head = apps.get_model("auditlog", "AuditChainHead")
    for model in apps.get_app_config(app_label).get_models():
        if not model.__name__.startswith("Historical") or "chain_seq" not in {f.name for f in model._meta.fields}:
            continue
        table = model._meta.db_table
        lift_row_guard(connection, table, enable=False)
        _backfill(model, Head, connection.alias)
        lift_row_guard(connection, table, enable=True)
    install_history_guards(connection)
