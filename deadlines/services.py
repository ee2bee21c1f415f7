"""Deadline workflows: recompute a matter's deadlines from its office events, preview what would move.

The arithmetic lives in the pure ``deadlines.rules`` package; this module turns rows into facts, runs the
engine, and reconciles the result with the stored ``Deadline`` rows by their stable ``key``:

* a key the engine produces and nothing stores -> created (past-due ones too: created open, so they show as
  overdue, never dropped);
* a stored open deadline whose dates changed -> moved, the history reason saying old -> new and why;
* a stored open deadline the engine now reports answered/replaced, or no longer produces -> superseded;
* done, waived and missed deadlines are never touched (a recompute must not reopen or alter a human
  decision);
* nothing changed -> nothing written, not even a history row (idempotent).

All writes are attributed through ``docketapp.audit``: the caller's attribution if there is one (a user
action), else the named process ``deadlines.recompute``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from docketapp.audit import attributed, current
from docketapp.audit_chain import seal
from patents.models import Matter, OfficeEvent

from .models import Deadline, MatterComputation, OfficeClosure
from .rules import Closures, ComputedDeadline, EventFact, MatterFacts, compute, normalize_office
from .rules.lifecycle import Lifecycle, derive
from .truth import MatterContext, closing_for, lifecycle_values, load_contexts, write_lifecycle

log = logging.getLogger(__name__)

PROCESS = "deadlines.recompute"
COPY_THRESHOLD = 50  # below this, plain bulk inserts are as fast as COPY's extra round trips
ANALYZE_AFTER_CREATES = 100_000  # refresh planner statistics after this many new rows
# Human decisions the engine must never overwrite.
FINAL_STATUSES = frozenset({Deadline.Status.DONE, Deadline.Status.WAIVED, Deadline.Status.MISSED})
# Closed by the engine from office facts (issue 14): it reopens them when the fact goes away.
ENGINE_CLOSED = frozenset({Deadline.Status.COMPLETED, Deadline.Status.MOOT})
MATTER_KINDS = {
    Matter.Kind.PATENT: "patent",
    Matter.Kind.PROVISIONAL: "provisional",
    Matter.Kind.PCT: "pct",
    Matter.Kind.REGIONAL: "patent",
    Matter.Kind.DESIGN: "design",
    Matter.Kind.UTILITY_MODEL: "utility_model",
}


# --- facts -------------------------------------------------------------------------------------------------


def load_closures() -> Closures:
    """Every stored closure, in the shape the pure engine takes (office -> {date: (reason, source)})."""
    out: dict[str, dict[dt.date, tuple[str, str]]] = {}
    for office, day, reason, source in OfficeClosure.objects.values_list("office", "date", "reason", "source"):
        out.setdefault(normalize_office(office) or office, {})[day] = (
            reason,
            source or "OfficeClosure table",
        )
    return out


def _facts(
    *,
    office,
    kind,
    parent_relation,
    filing_date,
    grant_date,
    applicant_residence,
    receiving_office,
    designated_offices,
    priority_dates,
) -> MatterFacts:
    route = "pct" if parent_relation in (Matter.Relation.NATIONAL_PHASE, Matter.Relation.REGIONAL_PHASE) else "direct"
    return MatterFacts(
        office=office,
        kind=MATTER_KINDS.get(kind, kind),
        route=route,
        filing_date=filing_date,
        priority_date=min(priority_dates) if priority_dates else None,
        grant_date=grant_date,
        applicant_residence=applicant_residence,
        receiving_office=receiving_office or None,
        designated_offices=tuple(designated_offices or ()),
    )


def matter_facts(matter: Matter) -> MatterFacts:
    """The facts of one matter as the engine sees them."""
    return _facts(
        office=matter.office,
        kind=matter.kind,
        parent_relation=matter.parent_relation,
        filing_date=matter.filing_date,
        grant_date=matter.grant_date,
        applicant_residence=matter.applicant_residence,
        receiving_office=matter.receiving_office,
        designated_offices=matter.designated_offices,
        priority_dates=[c.date for c in matter.priority_claims.all()],
    )


def event_facts(events: Iterable[OfficeEvent]) -> list[EventFact]:
    return [EventFact(ref=str(e.pk), code=e.event_type.code, date=e.date, params=dict(e.params or {})) for e in events]


# --- the diff ----------------------------------------------------------------------------------------------


@dataclass
class Change:
    # "create" | "move" | "update" | "supersede" | "held" (final status, not touched) | "complete" (proven
    # done by a later fact) | "moot" (the right ended) | "reopen" (the closing fact went away)
    action: str
    matter_id: int
    key: str
    title: str
    reason: str
    deadline_id: int | None = None
    old_due: dt.date | None = None
    new_due: dt.date | None = None
    old_latest: dt.date | None = None
    new_latest: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}


@dataclass
class RecomputeOutcome:
    matters: int = 0
    skipped: int = 0  # inputs unchanged since the last recompute
    changes: list[Change] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    deadline_ids: list[int] = field(default_factory=list)  # rows written (for reminder sync)

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


def _values(cd: ComputedDeadline) -> tuple[dict[str, Any], str]:
    """Field values for a computed deadline, and their fingerprint (what a recompute compares)."""
    data = cd.as_json()
    values = {
        "rule_id": cd.rule,
        "rule_version": str(cd.rule_version),
        "title": cd.title[:300],
        "office": cd.office,  # ST.3 code of the office the act is done at (WO = International Bureau)
        "kind": cd.kind,
        "due_date": cd.due_date,
        "extendable": cd.extendable,
        "latest_date": cd.latest_date,
        "citation": cd.citation[:300],
        "explanation": data["explanation"],
        "remedies": data["remedies"],
        "trigger_event_id": int(cd.trigger) if cd.trigger.isdigit() else None,
    }
    # Comparing a fingerprint instead of the stored JSON lets a recompute skip loading and decoding every
    # explanation; any change in any computed field changes the fingerprint.
    canonical = json.dumps(values, default=str, separators=(",", ":"))
    return values, hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()


@dataclass
class Update:
    pk: int
    values: dict[str, Any]
    reason: str
    reset_verification: bool = False


def _dates(old: dt.date | None, new: dt.date | None) -> str:
    return f"{old.isoformat() if old else '–'} → {new.isoformat() if new else '–'}"


def plan_matter(
    *,
    snapshot: MatterSnapshot,
    closures: Closures,
    today: dt.date,
    reason: str,
    lifecycle: Lifecycle | None = None,
) -> tuple[list[Change], list[Deadline], list[Update], list[dict]]:
    """The diff for one matter: what to create and what to update (nothing is written here)."""
    mid = snapshot.pk
    if lifecycle is None:
        lifecycle = matter_lifecycle(snapshot, today)
    live: dict[str, StoredDeadline] = {}
    superseded_keys: set[str] = set()
    for row in snapshot.stored:
        if row.origin != Deadline.Origin.ENGINE:
            continue
        if row.status == Deadline.Status.SUPERSEDED:
            superseded_keys.add(row.key)
        else:
            live[row.key] = row
    # An answered deadline already stored as superseded need not be computed again.
    done_keys = superseded_keys - set(live)
    result = compute(snapshot.facts, snapshot.events, closures, today=today, skip_if_superseded=done_keys.__contains__)
    changes: list[Change] = []
    creates: list[Deadline] = []
    updates: list[Update] = []
    seen: set[str] = set()
    for cd in result.deadlines:
        seen.add(cd.key)
        row = live.get(cd.key)
        if row is None:
            if cd.status == "superseded" and cd.key in superseded_keys:
                continue
            values, fingerprint = _values(cd)
            status = Deadline.Status.SUPERSEDED if cd.status == "superseded" else Deadline.Status.OPEN
            closing = None if status == Deadline.Status.SUPERSEDED else closing_for(
                cd, events=snapshot.events, context=snapshot.context, lifecycle=lifecycle
            )
            if closing is not None:
                status = Deadline.Status(closing.status)
            new = Deadline(
                matter_id=mid,
                key=cd.key,
                origin=Deadline.Origin.ENGINE,
                status=status,
                fingerprint=fingerprint,
                **values,
                **_closing_values(closing),
            )
            if status == Deadline.Status.SUPERSEDED:
                why = f"{reason}: recorded as already {cd.superseded_reason}"
            elif closing is not None:
                why = f"{reason}: recorded as {closing.reason}"
            elif cd.due_date < today:
                why = f"{reason}: created past due (due {cd.due_date.isoformat()}), flagged overdue"
            else:
                why = f"{reason}: created, due {cd.due_date.isoformat()}"
            new._change_reason = why
            creates.append(new)
            changes.append(
                Change("create", mid, cd.key, values["title"], why, None, None, cd.due_date, None, cd.latest_date)
            )
            continue
        if row.status in FINAL_STATUSES:
            if row.due_date != cd.due_date or row.latest_date != cd.latest_date:
                changes.append(
                    Change(
                        "held",
                        mid,
                        cd.key,
                        row.title,
                        f"{Deadline.Status(row.status).label.lower()}: not changed (engine now says due "
                        f"{cd.due_date.isoformat()})",
                        row.pk,
                        row.due_date,
                        cd.due_date,
                        row.latest_date,
                        cd.latest_date,
                    )
                )
            continue
        values, fingerprint = _values(cd)
        if cd.status == "superseded":
            why = f"{reason}: superseded, {cd.superseded_reason}"
            updates.append(
                Update(row.pk, {**values, "fingerprint": fingerprint, "status": Deadline.Status.SUPERSEDED}, why)
            )
            changes.append(
                Change(
                    "supersede",
                    mid,
                    cd.key,
                    row.title,
                    why,
                    row.pk,
                    row.due_date,
                    cd.due_date,
                    row.latest_date,
                    cd.latest_date,
                )
            )
            continue
        closing = closing_for(cd, events=snapshot.events, context=snapshot.context, lifecycle=lifecycle)
        wanted = Deadline.Status(closing.status) if closing is not None else Deadline.Status.OPEN
        closed_reason = closing.reason if closing is not None else ""
        if row.status != wanted or row.closed_reason != closed_reason:
            if closing is not None:
                why = f"{reason}: {closing.reason}"
                action = "complete" if wanted == Deadline.Status.COMPLETED else "moot"
            else:
                why = f"{reason}: reopened, {lifecycle.reason if lifecycle else 'the fact that closed it is gone'}"
                if row.status == Deadline.Status.COMPLETED:
                    why = f"{reason}: reopened, the fact that proved it done is no longer recorded"
                action = "reopen"
            updates.append(
                Update(
                    row.pk,
                    {**values, "fingerprint": fingerprint, "status": wanted, **_closing_values(closing)},
                    why,
                    reset_verification=row.due_date != cd.due_date or row.latest_date != cd.latest_date,
                )
            )
            changes.append(
                Change(action, mid, cd.key, row.title, why, row.pk, row.due_date, cd.due_date, row.latest_date,
                       cd.latest_date)
            )
            continue
        if row.fingerprint == fingerprint:
            continue
        moved = row.due_date != cd.due_date or row.latest_date != cd.latest_date
        if moved:
            parts = []
            if row.due_date != cd.due_date:
                parts.append(f"due {_dates(row.due_date, cd.due_date)}")
            if row.latest_date != cd.latest_date:
                parts.append(f"latest {_dates(row.latest_date, cd.latest_date)}")
            why = f"{reason}: moved {'; '.join(parts)}"
            action = "move"
        else:
            why = f"{reason}: explanation updated (same dates)"
            action = "update"
        # A moved date is a new date: it needs a fresh second look (two-person verification).
        updates.append(Update(row.pk, {**values, "fingerprint": fingerprint}, why, reset_verification=moved))
        changes.append(
            Change(
                action,
                mid,
                cd.key,
                row.title,
                why,
                row.pk,
                row.due_date,
                cd.due_date,
                row.latest_date,
                cd.latest_date,
            )
        )
    for key, row in live.items():
        if key in seen or row.status in FINAL_STATUSES:
            continue
        why = (
            f"{reason}: superseded, no longer produced by the rules (its trigger event was removed or the "
            "matter's facts changed)"
        )
        if key.startswith("EP.RENEWAL_FEE:") and snapshot.facts.grant_date:
            why = (
                f"{reason}: superseded, paid to the national offices from here on: the grant was mentioned on "
                f"{snapshot.facts.grant_date.isoformat()} and the EPO collects only up to the year of the "
                "mention (EPC Art. 86(2), 141(1))"
            )
        updates.append(Update(row.pk, {"status": Deadline.Status.SUPERSEDED}, why))
        changes.append(Change("supersede", mid, key, row.title, why, row.pk, row.due_date, None, row.latest_date, None))
    problems = [{**p, "matter_id": mid, "matter": snapshot.reference} for p in result.problems]
    return changes, creates, updates, problems


# --- recompute ---------------------------------------------------------------------------------------------


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _history_kwargs() -> dict[str, Any]:
    attribution = current()
    assert attribution is not None
    return {
        "default_user": attribution.user,
        "default_change_reason": attribution.reason,
        "custom_historical_attrs": {"history_actor": attribution.actor},
    }


@dataclass(frozen=True)
class StoredDeadline:
    pk: int
    key: str
    origin: str
    status: str
    due_date: dt.date
    latest_date: dt.date | None
    title: str
    fingerprint: str
    closed_reason: str = ""


@dataclass
class MatterSnapshot:
    """What a recompute needs of one matter, read with plain value queries (no model instances)."""

    pk: int
    reference: str
    facts: MatterFacts
    events: list[EventFact]
    stored: list[StoredDeadline]
    context: MatterContext = field(default_factory=MatterContext)


def matter_lifecycle(snapshot: MatterSnapshot, today: dt.date) -> Lifecycle:
    return derive(snapshot.facts, snapshot.events, today=today, term_start=snapshot.context.term_start)


def _closing_values(closing) -> dict[str, Any]:
    if closing is None:
        return {"closed_by_event_id": None, "closed_on": None, "closed_reason": ""}
    ref = closing.event_ref
    return {
        "closed_by_event_id": int(ref) if ref and ref.isdigit() else None,
        "closed_on": closing.on,
        "closed_reason": closing.reason,
    }


def load_snapshots(ids: Sequence[int], *, lock: bool) -> list[MatterSnapshot]:
    from patents.models import PriorityClaim

    qs = Matter.objects.filter(pk__in=ids).order_by("pk")
    if lock:
        # Two recomputes of one matter (two events recorded at once) must not both insert the same key.
        qs = qs.select_for_update(of=("self",))
    rows = list(
        qs.values_list(
            "pk",
            "reference",
            "office",
            "kind",
            "parent_relation",
            "filing_date",
            "grant_date",
            "applicant_residence",
            "receiving_office",
            "designated_offices",
        )
    )
    claims: dict[int, list[dt.date]] = {}
    for mid, day in PriorityClaim.objects.filter(matter_id__in=ids).values_list("matter_id", "date"):
        claims.setdefault(mid, []).append(day)
    events: dict[int, list[EventFact]] = {}
    for mid, pk, code, day, params in (
        OfficeEvent.objects.filter(matter_id__in=ids, event_type__internal=False)
        .order_by("matter_id", "date", "pk")
        .values_list("matter_id", "pk", "event_type__code", "date", "params")
    ):
        events.setdefault(mid, []).append(EventFact(ref=str(pk), code=code, date=day, params=dict(params or {})))
    stored: dict[int, list[StoredDeadline]] = {}
    for mid, *values in (
        Deadline.objects.filter(matter_id__in=ids, origin=Deadline.Origin.ENGINE)
        .order_by("pk")
        .values_list(
            "matter_id", "pk", "key", "origin", "status", "due_date", "latest_date", "title", "fingerprint",
            "closed_reason",
        )
    ):
        stored.setdefault(mid, []).append(StoredDeadline(*values))
    contexts = load_contexts(ids)
    out = []
    for pk, reference, office, kind, relation, filing, grant, residence, ro, designated in rows:
        facts = _facts(
            office=office,
            kind=kind,
            parent_relation=relation,
            filing_date=filing,
            grant_date=grant,
            applicant_residence=residence,
            receiving_office=ro,
            designated_offices=designated,
            priority_dates=claims.get(pk, []),
        )
        out.append(
            MatterSnapshot(
                pk, reference, facts, events.get(pk, []), stored.get(pk, []), contexts.get(pk, MatterContext())
            )
        )
    return out


def _copy_rows(model, objs: list, *, skip_auto: bool, json_cache: dict[int, str]) -> None:
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


def _copy_create_with_history(creates: list[Deadline]) -> list[int]:
    """PostgreSQL: insert new deadlines and their "+" history rows with COPY.

    Why not bulk_create_with_history: with tens of thousands of rows carrying a kilobyte of explanation
    JSON each, Django's INSERT (UNNEST arrays or VALUES lists, bound client-side by psycopg) spent about a
    millisecond per row in Python; COPY streams the same rows at a small fraction of that (see the
    recompute benchmark). The history rows are built exactly as simple-history's bulk path builds them.
    """
    attribution = current()
    assert attribution is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Deadline._meta.db_table, len(creates)],
        )
        ids = [r[0] for r in cursor.fetchall()]
    now = timezone.now()
    history_model = Deadline.history.model
    tracked = history_model.tracked_fields
    history = []
    for obj, pk in zip(creates, ids, strict=True):
        obj.pk = pk
        obj.created_at = now
        obj.updated_at = now
        obj._state.adding = False
        history.append(
            history_model(
                history_date=now,
                history_user=attribution.user,
                history_type="+",
                history_change_reason=getattr(obj, "_change_reason", "") or attribution.reason,
                history_actor=attribution.actor,
                **{f.attname: getattr(obj, f.attname) for f in tracked},
            )
        )
    json_cache: dict[int, str] = {}
    _copy_rows(Deadline, creates, skip_auto=False, json_cache=json_cache)
    # COPY bypasses the history manager's bulk_create: put the rows on the table's hash chain here. After
    # the deadlines' COPY, so the chain head (locked until commit) waits for as little as possible.
    seal(history_model, history, connection.alias)
    _copy_rows(history_model, history, skip_auto=True, json_cache=json_cache)
    return ids


def _write(creates: list[Deadline], updates: list[Update]) -> list[int]:
    kwargs = _history_kwargs()
    written: list[int] = []
    if updates:
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
            row._change_reason = update.reason
            by_fields.setdefault(tuple(sorted(fields | {"updated_at"})), []).append(row)
        # Supersede first: a live row and its replacement may share a key (unique among live rows).
        for fields, group in by_fields.items():
            bulk_update_with_history(group, Deadline, list(fields), batch_size=500, **kwargs)
            written.extend(r.pk for r in group)
    if creates:
        if connection.vendor == "postgresql" and len(creates) >= COPY_THRESHOLD:
            written.extend(_copy_create_with_history(creates))
        else:
            created = bulk_create_with_history(creates, Deadline, batch_size=500, **kwargs)
            written.extend(r.pk for r in created if r.pk)
    return written


@functools.cache
def engine_hash() -> str:
    """Identity of the engine itself: its source and the calendar libraries' versions."""
    import dateutil
    import holidays

    from . import rules

    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(Path(rules.__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(f"holidays {holidays.__version__} dateutil {dateutil.__version__}".encode())
    return digest.hexdigest()


def closures_hash(closures: Closures) -> str:
    items = sorted((office, sorted(days.items())) for office, days in closures.items())
    return hashlib.sha1(repr(items).encode(), usedforsecurity=False).hexdigest()


def inputs_hash(snapshot: MatterSnapshot, base: str, lifecycle: Lifecycle | None = None) -> str:
    """Everything a matter's deadlines depend on -- including the stored rows themselves, so a deadline
    deleted or edited by hand is noticed by the next pass instead of staying skipped. The other matters that
    prove acts on this one and the derived state (which moves with today: a term ends) are part of it."""
    stored = sorted((d.key, d.status, d.fingerprint, d.due_date, d.latest_date) for d in snapshot.stored)
    data = repr((base, snapshot.facts, snapshot.events, stored, snapshot.context.related,
                 snapshot.context.term_start, lifecycle))
    return hashlib.sha1(data.encode(), usedforsecurity=False).hexdigest()


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
    base = engine_hash() + closures_hash(closures)
    ids = sorted(set(matter_ids))
    outcome = RecomputeOutcome()
    if current() is None and not dry_run:
        ctx = attributed(reason=reason, user=user, process=None if user else PROCESS)
    else:
        ctx = nullcontext()
    created_since_analyze = 0
    with ctx:
        for chunk in _chunks(ids, chunk_size):
            part = RecomputeOutcome()
            chunk_started = timezone.now()
            with transaction.atomic():
                creates: list[Deadline] = []
                updates: list[Update] = []
                known = dict(
                    MatterComputation.objects.filter(matter_id__in=chunk).values_list("matter_id", "inputs_hash")
                )
                settled: dict[int, str] = {}
                computed: dict[int, list[dict]] = {}
                for snapshot in load_snapshots(chunk, lock=not dry_run):
                    lifecycle = matter_lifecycle(snapshot, today)
                    digest = inputs_hash(snapshot, base, lifecycle)
                    part.matters += 1
                    if not force and known.get(snapshot.pk) == digest:
                        part.skipped += 1
                        continue
                    if not dry_run and snapshot.context.lifecycle != lifecycle_values(lifecycle):
                        write_lifecycle(matter_id=snapshot.pk, lifecycle=lifecycle, reason=reason)
                    changes, c, u, problems = plan_matter(
                        snapshot=snapshot, closures=closures, today=today, reason=reason, lifecycle=lifecycle
                    )
                    part.changes.extend(changes)
                    part.problems.extend(problems)
                    computed[snapshot.pk] = problems
                    creates.extend(c)
                    updates.extend(u)
                    if not c and not u:
                        # Nothing to write: these inputs are settled. (After a write the stored rows differ,
                        # so the next pass recomputes once more and then settles.)
                        settled[snapshot.pk] = digest
                if not dry_run:
                    if creates or updates:
                        part.deadline_ids = _write(creates, updates)
                        if notify_reminders and part.deadline_ids:
                            _notify_reminders(part.deadline_ids)
                    _record_computed(computed)
                    _record_settled(settled, known)
                    _clear_pending(chunk, started=chunk_started)
            outcome.merge(part)
            created_since_analyze += part.count("create")
            if not dry_run and created_since_analyze >= ANALYZE_AFTER_CREATES:
                _analyze_deadlines()
                created_since_analyze = 0
    for problem in outcome.problems:
        log.warning("deadline not computable for %s: %s", problem.get("matter"), problem.get("message"))
    return outcome


def _analyze_deadlines() -> None:
    """Fresh planner statistics during and after a bulk build (PostgreSQL).

    With the statistics still describing a small table, PostgreSQL seq-scanned the whole deadline table for
    every chunk's "stored deadlines of these matters" query (measured: 1 s instead of 16 ms per 250 matters
    once the table held 1.5 million rows), until autovacuum caught up.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Deadline._meta.db_table}")


def _record_computed(computed: dict[int, list[dict]]) -> None:
    # What the engine could not compute, per matter just computed: the matter page shows it from here.
    now = timezone.now()
    MatterComputation.objects.bulk_create(
        [MatterComputation(matter_id=mid, problems=problems, computed_at=now) for mid, problems in computed.items()],
        update_conflicts=True,
        unique_fields=["matter"],
        update_fields=["problems", "computed_at"],
        batch_size=1000,
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
    MatterComputation.objects.bulk_create(
        [MatterComputation(matter_id=matter_id, recompute_requested_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["matter"],
        update_fields=["recompute_requested_at"],
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
    outcome = recompute_matters(matter_ids=ids, reason="office events recorded; recompute was not queued at the time")
    log.info("recompute-pending sweep: %s matters", len(ids))
    return {"matters": len(ids), **outcome.summary()}


def _notify_reminders(deadline_ids: list[int]) -> None:
    # In the same transaction as the deadline change, so a moved or superseded deadline never keeps
    # reminders for its old date (deadlines.reminders documents this contract).
    from . import reminders

    reminders.sync_reminders_for_deadlines(deadline_ids=sorted(set(deadline_ids)))


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
    """Recompute one matter's deadlines (see the module docstring for what is written)."""
    if (matter is None) == (matter_id is None):
        raise ValueError("pass exactly one of matter or matter_id")
    mid = matter.pk if matter is not None else matter_id
    return recompute_matters(
        matter_ids=[mid], reason=reason, today=today, closures=closures, dry_run=dry_run, force=force, user=user
    )


# --- previews of rule and closure changes --------------------------------------------------------------


def candidate_matters_for_closure(*, day: dt.date, office: str | None = None) -> list[int]:
    """Matters with an open engine deadline a closure on ``day`` can move: adding a closure moves dates that
    fall on it; removing one moves dates that were rolled past it (at most the roll-forward limit later)."""
    from .rules.calendars import MAX_ROLL_DAYS, RECURRING_SOURCE

    window_end = day + dt.timedelta(days=MAX_ROLL_DAYS)
    if normalize_office(office) in RECURRING_SOURCE:
        # The first published closure of an EPO/IB year ends its provisional status (recurring days no longer
        # applied): any date in that year can move, not only those near ``day``.
        day = dt.date(day.year, 1, 1)
        window_end = dt.date(day.year, 12, 31) + dt.timedelta(days=MAX_ROLL_DAYS)
    qs = Deadline.objects.filter(origin=Deadline.Origin.ENGINE, status=Deadline.Status.OPEN)
    due = qs.filter(due_date__gte=day, due_date__lte=window_end).values_list("matter_id", flat=True)
    latest = qs.filter(latest_date__gte=day, latest_date__lte=window_end).values_list("matter_id", flat=True)
    return sorted(set(due) | set(latest))


def with_closure_change(
    closures: Closures, *, office: str, day: dt.date, remove: bool = False, reason: str = "", source: str = ""
) -> Closures:
    code = normalize_office(office) or office
    changed = {k: dict(v) for k, v in closures.items()}
    office_days = changed.setdefault(code, {})
    if remove:
        office_days.pop(day, None)
    else:
        office_days[day] = (reason or "closure", source or "pending change")
    return changed


def preview_closure_change(
    *,
    office: str,
    day: dt.date,
    remove: bool = False,
    reason: str = "",
    source: str = "",
    today: dt.date | None = None,
) -> RecomputeOutcome:
    """Which stored deadlines would move if this closure were added (or removed): nothing is written."""
    closures = with_closure_change(load_closures(), office=office, day=day, remove=remove, reason=reason, source=source)
    what = "removed" if remove else "added"
    return recompute_matters(
        matter_ids=candidate_matters_for_closure(day=day, office=office),
        reason=f"closure {what}: {office} {day.isoformat()}",
        today=today,
        closures=closures,
        dry_run=True,
    )


@transaction.atomic
def apply_closure_change(
    *,
    office: str,
    day: dt.date,
    remove: bool = False,
    reason: str = "",
    source: str = "",
    kind: str = OfficeClosure.Kind.CLOSURE,
    user: Any = None,
    today: dt.date | None = None,
) -> RecomputeOutcome:
    """Add (or remove) the closure and move the affected deadlines, each with the closure named as reason."""
    what = "removed" if remove else "added"
    why = f"office closure {what}: {office} {day.isoformat()}" + (f" ({reason}; {source})" if reason else "")
    candidates = candidate_matters_for_closure(day=day, office=office)
    with attributed(reason=why, user=user, process=None if user else PROCESS):
        existing = OfficeClosure.objects.filter(office=office, date=day).first()
        if remove:
            if existing is not None:
                existing.delete()
        elif existing is None:
            row = OfficeClosure(office=office, date=day, reason=reason, source=source, kind=kind)
            row.full_clean()
            row.save()
        return recompute_matters(matter_ids=candidates, reason=why, today=today)


def all_engine_matter_ids(*, office: str | None = None) -> list[int]:
    qs = Matter.objects.all()
    if office:
        qs = qs.filter(office=office)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def seed_office_closures(*, rows=None) -> dict[str, int]:
    """Store the seed closures (deadlines.closure_data) that were never stored before.

    A closure someone deleted in the admin is not re-added (its history shows it existed): the seed must not
    undo a correction.
    """
    from .closure_data import seed_closures

    rows = seed_closures() if rows is None else rows
    existing = set(OfficeClosure.objects.values_list("office", "date"))
    ever = set(OfficeClosure.history.values_list("office", "date"))
    new = [
        OfficeClosure(
            office=r.office,
            date=r.date,
            reason=r.reason[:200],
            source=r.source[:300],
            kind=OfficeClosure.Kind.CLOSURE,
        )
        for r in rows
        if (r.office, r.date) not in existing and (r.office, r.date) not in ever
    ]
    with transaction.atomic():
        ctx = (
            nullcontext()
            if current() is not None
            else attributed(
                reason="seed office closures from deadlines.closure_data", process="deadlines.seed_closures"
            )
        )
        with ctx:
            if new:
                bulk_create_with_history(new, OfficeClosure, batch_size=500, **_history_kwargs())
    return {"created": len(new), "kept": len(rows) - len(new)}


def explain_deadline(*, deadline: Deadline) -> str:
    """Plain-text explanation of a stored deadline (for the CLI; the dashboard renders the same JSON)."""
    exp = deadline.explanation or {}
    lines = [
        f"{deadline.title} — {deadline.matter.reference}",
        f"  rule {deadline.rule_id} v{deadline.rule_version} ({deadline.get_kind_display()}), {deadline.citation}",
        f"  status {deadline.status}; due {deadline.due_date.isoformat()}"
        + (f"; latest {deadline.latest_date.isoformat()}" if deadline.latest_date else ""),
    ]
    trig = (exp.get("inputs") or {}).get("trigger") or {}
    if trig:
        lines.append(
            f"  trigger: {trig.get('code')} of {trig.get('date')} (event {trig.get('ref')})"
            + (f" params {trig.get('params')}" if trig.get("params") else "")
        )
    cal = (exp.get("inputs") or {}).get("calendar")
    if cal:
        lines.append(f"  {cal}; arithmetic: {(exp.get('inputs') or {}).get('convention')}")
    for step in exp.get("steps", []):
        op = step.get("op")
        if op == "add":
            lines.append(
                f"  + {step['period']} from {step['from']} ({step.get('base', '')}) = {step['result']}"
                f"  [{step.get('citation')}: {step.get('note')}]"
            )
        elif op == "roll_forward":
            lines.append(f"  {step['what']} {step['from']} → {step['result']} (office closed:")
            for day in step.get("skipped", []):
                causes = "; ".join(f"{c['name']} [{c['source']}]" for c in day.get("causes", []))
                lines.append(f"      {day['date']}: {causes}")
            lines.append("    )")
        elif op == "extension":
            lines.append(f"  {step['model']} ({step.get('citation')}):")
            for option in step.get("options", []):
                lines.append(
                    f"      {option.get('months')} month(s): until {option['until']}"
                    + (f" (unrolled {option['unrolled']})" if option.get("unrolled") != option["until"] else "")
                )
        else:
            detail = {k: v for k, v in step.items() if k != "op"}
            lines.append(f"  {op}: {json.dumps(detail, default=str)}")
    for rem in deadline.remedies or []:
        lines.append(
            f"  remedy: {rem.get('name')} until {rem.get('until') or '(depends on a later communication)'}"
            f" [{rem.get('citation')}] {rem.get('basis') or ''}".rstrip()
        )
    for warning in exp.get("warnings", []):
        lines.append(f"  warning: {warning}")
    if exp.get("superseded"):
        lines.append(f"  superseded: {exp['superseded']}")
    if deadline.closed_reason:
        lines.append(f"  closed by the office record: {deadline.closed_reason}")
    if exp.get("notes"):
        lines.append(f"  note: {exp['notes']}")
    return "\n".join(lines)
