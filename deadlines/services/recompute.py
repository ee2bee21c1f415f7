"""Recompute: turn matters' rows into facts, run the engine, store the diff with the stored deadlines.

The arithmetic lives in the pure ``deadlines.rules`` package. Per chunk of matters, in one transaction:
``facts.load_snapshots`` reads what the engine needs, ``lifecycle`` stores the matter's derived state,
``diff.plan_matter`` compares the engine's result with the stored rows, ``history_writer.write_changes``
stores the plan with its history rows, and the reminders of every row written follow in the same
transaction. A matter whose inputs did not change since its last recompute is skipped.

All writes are attributed through ``docketapp.audit``: the caller's attribution if there is one (a user
action), else the named process ``deadlines.recompute``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from docketapp.audit import ensure_attributed
from docketapp.plain_rows import bound_cursor
from patents.models import Matter

from ..models import Deadline, MatterComputation
from ..rules import Closures
from .diff import Change, Update, plan_matter
from .facts import MatterSnapshot, load_closures, load_snapshots, load_snapshots_and_states, one_statement
from .history_writer import write_changes
from .inputs import input_keys
from .lifecycle import matter_lifecycle, store_lifecycle

log = logging.getLogger(__name__)

PROCESS = "deadlines.recompute"
ANALYZE_AFTER_CREATES = 100_000  # refresh planner statistics after this many new rows


@dataclass
class RecomputeOutcome:
    matters: int = 0
    skipped: int = 0  # inputs unchanged since the last recompute
    changes: list[Change] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    deadline_ids: list[int] = field(default_factory=list)  # rows written (for reminder sync)
    created_ids: list[int] = field(default_factory=list)  # of those, the rows inserted

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> dict[str, int]:
        out = {"matters": self.matters, "skipped_unchanged": self.skipped, "problems": len(self.problems)}
        for action in ("create", "move", "update", "supersede", "held", "complete", "moot", "reopen"):
            out[action] = self.count(action)
        return out

    def merge(self, other: RecomputeOutcome) -> None:
        self.matters += other.matters
        self.skipped += other.skipped
        self.changes.extend(other.changes)
        self.problems.extend(other.problems)
        self.deadline_ids.extend(other.deadline_ids)
        self.created_ids.extend(other.created_ids)


# --- what a matter's deadlines depend on ---------------------------------------------------------------


@functools.cache
def engine_hash() -> str:
    """Identity of the engine itself: its source (the rules with their tables and fees, and the code that turns
    their result into stored rows and the inputs key) and the calendar libraries' versions."""
    import holidays

    from .. import rules

    app = Path(rules.__file__).parent.parent
    sources = sorted(Path(rules.__file__).parent.glob("*.py")) + [
        app / "truth.py", *(app / "services" / name for name in ("diff.py", "facts.py", "inputs.py", "lifecycle.py"))
    ]
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    # The installed distribution's version: the same string as dateutil.__version__.
    digest.update(f"holidays {holidays.__version__} dateutil {version('python-dateutil')}".encode())
    return digest.hexdigest()


def closures_hash(closures: Closures) -> str:
    items = sorted((office, sorted(days.items())) for office, days in closures.items())
    return hashlib.sha1(repr(items).encode(), usedforsecurity=False).hexdigest()


# --- the recompute -------------------------------------------------------------------------------------


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class _Chunk:
    """One chunk's plan: the outcome so far, the rows to write, and the matters whose inputs are settled."""

    outcome: RecomputeOutcome = field(default_factory=RecomputeOutcome)
    creates: list[Deadline] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    settled: dict[int, str] = field(default_factory=dict)
    computed: dict[int, list[dict]] = field(default_factory=dict)
    clients: dict[int, int | None] = field(default_factory=dict)  # matter -> client (its reminder policies)


def _plan_chunk(
    chunk: Sequence[int], *, base: str, closures: Closures, today: dt.date, reason: str, dry_run: bool,
    calendars: dict, read: dict[int, MatterSnapshot] | None = None,
) -> _Chunk:
    """Plan every matter of a chunk (all of them need a computation); stores only the matters' derived
    lifecycle (unless ``dry_run``). ``read``: the chunk's snapshots already read (and locked)."""
    plan = _Chunk()
    part = plan.outcome
    unchanged: list[int] = []
    snapshots = [read[mid] for mid in chunk] if read is not None else load_snapshots(chunk, lock=not dry_run)
    for snapshot in snapshots:
        lifecycle = matter_lifecycle(snapshot, today)
        part.matters += 1
        lifecycle_written = False
        if not dry_run:
            lifecycle_written = store_lifecycle(snapshot, lifecycle, reason=reason)
        changes, c, u, problems = plan_matter(
            snapshot=snapshot, closures=closures, today=today, reason=reason, lifecycle=lifecycle,
            calendars=calendars,
        )
        part.changes.extend(changes)
        part.problems.extend(problems)
        plan.computed[snapshot.pk] = problems
        plan.clients[snapshot.pk] = snapshot.client_id
        plan.creates.extend(c)
        plan.updates.extend(u)
        if not c and not u and not lifecycle_written:
            unchanged.append(snapshot.pk)
    if unchanged and not dry_run:
        # Nothing to write: these inputs are settled. (After a write the stored rows differ, so the next pass
        # recomputes once more and then settles.) Keyed under the lock the snapshots were read with: what this
        # plan was computed from.
        plan.settled = input_keys(unchanged, base=base, today=today)
    return plan


def _recompute_chunk(
    chunk: Sequence[int], *, base: str, closures: Closures, today: dt.date, reason: str, dry_run: bool,
    force: bool, notify_reminders: bool, calendars: dict,
) -> RecomputeOutcome:
    """Plan and (unless ``dry_run``) write one chunk of matters, in one transaction.

    Matters whose inputs key (``inputs.input_keys``, computed by the database) equals the one stored at their
    last settled recompute are skipped before anything is read or built for them.
    """
    chunk_started = timezone.now()
    # Its own transaction when called alone; inside a caller's (a recorded event), part of it, without a
    # savepoint: an error fails the caller's transaction as a whole, which is what every caller wants.
    with transaction.atomic(savepoint=False):
        # A closed matter's open deadlines were made moot by the person who closed it (docketapp.pages.
        # matter_actions); the engine would reopen them, so it leaves closed matters alone until reopened.
        # One query for the active matters and their computation rows (LEFT JOIN: a matter never computed has
        # none): a single recorded event recomputes one matter, where every round trip counts.
        active: list[int] = []
        known: dict[int, str] = {}
        pending: set[int] = set()
        read: dict[int, MatterSnapshot] | None = None
        if one_statement(len(chunk)):
            # A recorded event's few matters: read whole, with their states, in the one statement (locked, as the
            # plan reads them), instead of a query for the states and then the read.
            snapshots, states = load_snapshots_and_states(chunk, lock=not dry_run)
            read = {snapshot.pk: snapshot for snapshot in snapshots}
            rows = [(mid, digest, requested) for mid, (open_, digest, requested) in sorted(states.items()) if open_]
        else:
            rows = list(
                Matter.objects.filter(pk__in=chunk).active().order_by("pk").values_list(
                    "pk", "deadline_computation__inputs_hash", "deadline_computation__recompute_requested_at"
                )
            )
        for mid, digest, requested in rows:
            active.append(mid)
            if digest is not None:  # NULL only when there is no computation row (inputs_hash is NOT NULL)
                known[mid] = digest
            if requested:  # a moment, or (from the one statement) whether there is one
                pending.add(mid)
        # Matters marked pending (an office event recorded) or never settled are computed without asking.
        ask = [] if force else [mid for mid in active if known.get(mid) and mid not in pending]
        current = input_keys(ask, base=base, today=today)
        todo = [mid for mid in active if mid not in current or known.get(mid) != current[mid]]
        plan = _plan_chunk(todo, base=base, closures=closures, today=today, reason=reason, dry_run=dry_run,
                           calendars=calendars, read=read)
        part = plan.outcome
        part.matters += len(active) - len(todo)
        part.skipped += len(active) - len(todo)
        if not dry_run:
            if plan.creates or plan.updates:
                written, part.created_ids = write_changes(plan.creates, plan.updates)
                part.deadline_ids = [row.pk for row in written]
                if notify_reminders and written:
                    # The rows as just written, with their matters' clients: the sync need not read them again.
                    _notify_reminders(
                        part.deadline_ids, created_ids=part.created_ids,
                        known={row.pk: (row, plan.clients.get(row.matter_id)) for row in written},
                    )
            # Every pending matter is in ``todo`` and so computed: its mark is cleared with its computation
            # row. Closed matters are not computed; a mark left on one is cleared on its own.
            _record_computed(plan.computed, started=chunk_started)
            _record_settled(plan.settled, known)
            computed_active = set(active)
            closed = [mid for mid in chunk if mid not in computed_active]
            if closed:
                _clear_pending(closed, started=chunk_started)
    return part


def recompute_matters(
    *,
    matter_ids: Iterable[int],
    reason: str,
    today: dt.date | None = None,
    closures: Closures | None = None,
    dry_run: bool = False,
    force: bool = False,
    chunk_size: int = 200,
    user: Any = None,
    notify_reminders: bool = True,
) -> RecomputeOutcome:
    """Recompute many matters in chunks (one transaction per chunk). ``dry_run`` plans without writing.

    A matter whose inputs hash (facts, events, stored deadlines, closures, engine source) equals the one
    recorded at its last recompute is skipped unless ``force``: nothing it depends on changed.
    """
    today = today or timezone.now().date()
    closures = load_closures() if closures is None else closures
    closures_key = closures_hash(closures)
    base = engine_hash() + closures_key
    calendars = _calendars(closures_key)
    outcome = RecomputeOutcome()
    ctx: AbstractContextManager[Any] = (
        nullcontext() if dry_run else ensure_attributed(reason=reason, user=user, process=PROCESS)
    )
    created_since_analyze = 0
    with ctx:
        for chunk in _chunks(sorted(set(matter_ids)), chunk_size):
            part = _recompute_chunk(chunk, base=base, closures=closures, today=today, reason=reason,
                                    dry_run=dry_run, force=force, notify_reminders=notify_reminders,
                                    calendars=calendars)
            outcome.merge(part)
            created_since_analyze += part.count("create")
            if not dry_run and created_since_analyze >= ANALYZE_AFTER_CREATES:
                _analyze_deadlines()
                created_since_analyze = 0
    for problem in outcome.problems:
        log.warning("deadline not computable for %s: %s", problem.get("matter"), problem.get("message"))
    return outcome


_CALENDARS: dict[str, dict] = {}


def _calendars(closures_key: str) -> dict:
    """The office calendars (with their memoised roll-forwards) for this closure list, kept for the process's
    life: a worker recomputing one matter per recorded event would otherwise rebuild them, and work out the
    same closed days again, for every event. A different closure list (one added in the admin) gets new ones."""
    calendars = _CALENDARS.get(closures_key)
    if calendars is None:
        _CALENDARS.clear()
        calendars = _CALENDARS[closures_key] = {}
    return calendars


def _analyze_deadlines() -> None:
    """Fresh planner statistics during and after a bulk build (PostgreSQL).

    With the statistics still describing a small table, PostgreSQL seq-scanned the whole deadline table for
    every chunk's "stored deadlines of these matters" query (measured: 1 s instead of 16 ms per 250 matters
    once the table held 1.5 million rows), until autovacuum caught up.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The history table grows with it (one "+" row per created deadline): the deadline page reads it.
            for table in (Deadline._meta.db_table, Deadline.history.model._meta.db_table):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _record_computed(computed: dict[int, list[dict]], *, started: dt.datetime) -> None:
    """What the engine could not compute, per matter just computed (the matter page shows it from here), and
    the matter's recompute request cleared in the same statement: only a request older than this recompute
    (``started``); an event recorded while it ran keeps its mark (its own task, or the sweep, recomputes
    again). One upsert for both: a single recorded event recomputes one matter, where every round trip
    counts (issue 18). MatterComputation has no history."""
    now, cutoff = _moment(timezone.now()), _moment(started)
    requested = _quote("recompute_requested_at")
    table = _quote(MatterComputation._meta.db_table)
    _upsert_computations(
        [(mid, "", now, None, _problems(problems)) for mid, problems in computed.items()],
        f"{_quote('problems')} = EXCLUDED.{_quote('problems')}, "
        f"{_quote('computed_at')} = EXCLUDED.{_quote('computed_at')}, "
        f"{requested} = CASE WHEN {table}.{requested} <= %s THEN NULL ELSE {table}.{requested} END",
        [cutoff],
    )


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _moment(value: dt.datetime) -> Any:
    return cast(models.Field, MatterComputation._meta.get_field("computed_at")).get_db_prep_save(value, connection)


def _problems(value: list) -> Any:
    return cast(models.Field, MatterComputation._meta.get_field("problems")).get_db_prep_save(value, connection)


def _upsert_computations(rows: list[tuple], update: str, update_params: Sequence[Any] = ()) -> None:
    """Computation rows (matter, inputs hash, computed at, recompute requested at, problems; values prepared
    for the database) inserted, or on an existing matter's row ``update`` applied: plain SQL, in batches. The
    ORM's upsert cost more to build than to run, once per recorded event (issue 18)."""
    columns = ("matter_id", "inputs_hash", "computed_at", "recompute_requested_at", "problems")
    for i in range(0, len(rows), 500):
        batch = rows[i : i + 500]
        with bound_cursor() as cursor:  # prepared on the server once run often: once or twice per event
            cursor.execute(
                f"INSERT INTO {_quote(MatterComputation._meta.db_table)} "  # noqa: S608 - names are ours
                f"({', '.join(_quote(c) for c in columns)}) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
                + f" ON CONFLICT ({_quote('matter_id')}) DO UPDATE SET {update}",
                [*(value for row in batch for value in row), *update_params],
            )


def _record_settled(settled: dict[int, str], known: dict[int, str]) -> None:
    fresh = {mid: digest for mid, digest in settled.items() if known.get(mid) != digest}
    if not fresh:
        return
    now = timezone.now()
    MatterComputation.objects.bulk_create(
        [MatterComputation(matter_id=mid, inputs_hash=digest, computed_at=now) for mid, digest in fresh.items()],
        update_conflicts=True,
        unique_fields=["matter"],
        update_fields=["inputs_hash", "computed_at"],
        batch_size=1000,
    )


def _clear_pending(matter_ids: Sequence[int], *, started: dt.datetime) -> None:
    # Only requests older than this recompute: an event recorded while it ran keeps its mark (its own
    # task, or the sweep, recomputes again). MatterComputation has no history, so update() is fine here.
    MatterComputation.objects.filter(matter_id__in=matter_ids, recompute_requested_at__lte=started).update(
        recompute_requested_at=None
    )


def mark_recompute_pending(matter_id: int) -> None:
    """Hook run inside the transaction that records an office event: this matter's deadlines need a
    recompute. Committed with the event, so neither a broker outage nor a killed worker can lose it."""
    mark_recompute_pending_many([matter_id])


def mark_recompute_pending_many(matter_ids: Sequence[int]) -> None:
    """Mark matters as needing a recompute (one office event recorded, or a nightly chunk that could not be
    queued): their computation rows' request time, upserted."""
    now, problems = _moment(timezone.now()), _problems([])
    requested = _quote("recompute_requested_at")
    _upsert_computations(
        [(mid, "", None, now, problems) for mid in matter_ids], f"{requested} = EXCLUDED.{requested}"
    )


def recompute_pending(*, older_than: dt.timedelta | None = None, limit: int = 5000) -> dict[str, int]:
    """Recompute the matters still marked as needing it after ``older_than`` (default
    DEADLINES_RECOMPUTE_PENDING_GRACE_MINUTES): their on-commit task never ran or never got queued."""
    if older_than is None:
        older_than = dt.timedelta(minutes=float(getattr(settings, "DEADLINES_RECOMPUTE_PENDING_GRACE_MINUTES", 5)))
    cutoff = timezone.now() - older_than
    ids = list(
        MatterComputation.objects.filter(recompute_requested_at__lte=cutoff)
        .order_by("recompute_requested_at").values_list("matter_id", flat=True)[:limit]
    )
    if not ids:
        return {"matters": 0}
    # Marked by a recorded office event, or by a migration that added closure data (deadlines 0010).
    outcome = recompute_matters(
        matter_ids=ids, reason="recompute requested (office event recorded or closure data added) but not run then"
    )
    log.info("recompute-pending sweep: %s matters", len(ids))
    return {"matters": len(ids), **outcome.summary()}


def _notify_reminders(
    deadline_ids: list[int], *, created_ids: Sequence[int] = (), known: dict[int, tuple[Deadline, Any]] | None = None
) -> None:
    # In the same transaction as the deadline change, so a moved or superseded deadline never keeps
    # reminders for its old date (deadlines.reminders documents this contract). ``created_ids``: rows this
    # transaction inserted, which cannot have reminder rows yet; ``known``: the rows as written, with clients.
    from .. import reminders

    reminders.sync_reminders_for_deadlines(deadline_ids=sorted(set(deadline_ids)), new_ids=created_ids, known=known)


def recompute_deadlines(
    *,
    matter: Matter | None = None,
    matter_id: int | None = None,
    reason: str,
    today: dt.date | None = None,
    closures: Closures | None = None,
    dry_run: bool = False,
    force: bool = False,
    user: Any = None,
) -> RecomputeOutcome:
    """Recompute one matter's deadlines (see ``diff`` for what is written)."""
    if matter is not None and matter_id is None:
        mid = matter.pk
    elif matter is None and matter_id is not None:
        mid = matter_id
    else:
        raise ValueError("pass exactly one of matter or matter_id")
    return recompute_matters(
        matter_ids=[mid], reason=reason, today=today, closures=closures, dry_run=dry_run, force=force, user=user
    )


def all_engine_matter_ids(*, office: str | None = None) -> list[int]:
    qs = Matter.objects.all()
    if office:
        qs = qs.filter(office=office)
    return list(qs.order_by("pk").values_list("pk", flat=True))
