"""What the rules engine reads: a matter's facts, its office events, the stored deadlines and closures.

Read with plain value queries (no model instances), so a recompute of thousands of matters stays cheap.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from django.db import connection, models

from docketapp.plain_rows import bound_cursor
from patents.models import EventType, Matter, OfficeEvent, PriorityClaim

from ..models import Deadline, MatterComputation, OfficeClosure
from ..rules import Closures, EventFact, MatterFacts, normalize_office
from ..truth import CLAIMANT_COLUMNS, CONTEXT_COLUMNS, MatterContext, PhaseChild, load_contexts

MATTER_KINDS = {
    Matter.Kind.PATENT: "patent",
    Matter.Kind.PROVISIONAL: "provisional",
    Matter.Kind.PCT: "pct",
    Matter.Kind.REGIONAL: "patent",
    Matter.Kind.DESIGN: "design",
    Matter.Kind.UTILITY_MODEL: "utility_model",
}
PHASE_RELATIONS = (Matter.Relation.NATIONAL_PHASE, Matter.Relation.REGIONAL_PHASE)


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
    route = "pct" if parent_relation in PHASE_RELATIONS else "direct"
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


class StoredDeadline(NamedTuple):
    """A stored engine deadline as the diff reads it (a tuple: a 100k-matter pass builds 1.5 million of them,
    and a frozen dataclass costs several times more to construct)."""

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
    client_id: int | None = None  # whose reminder policy applies to the deadlines written for it


def _priority_dates(ids: Sequence[int]) -> dict[int, list[dt.date]]:
    claims: dict[int, list[dt.date]] = {}
    for mid, day in PriorityClaim.objects.filter(matter_id__in=ids).values_list("matter_id", "date"):
        claims.setdefault(mid, []).append(day)
    return claims


def _event_facts(ids: Sequence[int]) -> dict[int, list[EventFact]]:
    # Internal events (the docket's own bookkeeping) never reach the engine.
    events: dict[int, list[EventFact]] = {}
    for mid, pk, code, day, params in (
        OfficeEvent.objects.filter(matter_id__in=ids, event_type__internal=False)
        .order_by("matter_id", "date", "pk")
        .values_list("matter_id", "pk", "event_type__code", "date", "params")
    ):
        events.setdefault(mid, []).append(EventFact(ref=str(pk), code=code, date=day, params=dict(params or {})))
    return events


def _stored_deadlines(ids: Sequence[int]) -> dict[int, list[StoredDeadline]]:
    stored: dict[int, list[StoredDeadline]] = {}
    for mid, *values in (
        Deadline.objects.filter(matter_id__in=ids, origin=Deadline.Origin.ENGINE)
        .order_by("pk")
        .values_list(
            "matter_id", "pk", "key", "origin", "status", "due_date", "latest_date", "title", "fingerprint",
            "closed_reason",
        )
    ):
        stored.setdefault(mid, []).append(StoredDeadline._make(values))
    return stored


SNAPSHOT_COLUMNS = (
    "pk", "reference", "office", "kind", "parent_relation", "filing_date", "grant_date", "applicant_residence",
    "receiving_office", "designated_offices", "client_id",
)


# A matter's place in the recompute: on the active docket (not closed), its last settled inputs hash (None: never
# computed), and whether a recompute was asked for (an office event recorded).
MatterState = tuple[bool, str | None, bool]


def load_snapshots_and_states(ids: Sequence[int], *, lock: bool) -> tuple[list[MatterSnapshot], dict[int, MatterState]]:
    """PostgreSQL, up to ONE_STATEMENT_UP_TO matters (``one_statement``): the snapshots of every one of ``ids``,
    closed or not, with their states, in the one statement. A recorded office event's recompute needs both, and
    the state's own query was one more round trip (issue 18)."""
    states: dict[int, MatterState] = {}
    return _load(ids, lock=lock, states=states), states


def load_snapshots(ids: Sequence[int], *, lock: bool) -> list[MatterSnapshot]:
    return _load(ids, lock=lock)


def _load(ids: Sequence[int], *, lock: bool, states: dict[int, MatterState] | None = None) -> list[MatterSnapshot]:
    children: dict[int, list[PhaseChild]] | None
    claimants: dict[int, list[tuple]] | None
    if states is not None or one_statement(len(ids)):
        both, claims, events, stored, children, claimants = _read_postgresql(ids, lock=lock, states=states)
    else:
        qs = Matter.objects.filter(pk__in=ids).order_by("pk")
        if lock:
            # Two recomputes of one matter (two events recorded at once) must not both insert the same key. NO KEY
            # UPDATE (MATTER_LOCK): the lock two recomputes need, and not one that blocks a foreign-key check.
            qs = qs.select_for_update(of=("self",), no_key=True)
        # The matter's own facts and what the docket truth reads of it, in one query.
        both = list(qs.values_list(*SNAPSHOT_COLUMNS, *CONTEXT_COLUMNS))
        claims = _priority_dates(ids)
        events = _event_facts(ids)
        stored = _stored_deadlines(ids)
        children = claimants = None  # load_contexts reads them
    rows = [row[: len(SNAPSHOT_COLUMNS)] for row in both]
    contexts = load_contexts([row[len(SNAPSHOT_COLUMNS):] for row in both], children=children, claimants=claimants)
    out = []
    for pk, reference, office, kind, relation, filing, grant, residence, ro, designated, client_id in rows:
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
                pk, reference, facts, events.get(pk, []), stored.get(pk, []), contexts.get(pk, MatterContext()),
                client_id,
            )
        )
    return out


# The lock a recompute takes on its matters. Two recomputes of one matter wait for each other on it, but a
# transaction that inserted a row pointing at the matter (an office event, its pending mark) and checks that
# foreign key at COMMIT (Django's constraints are deferred) takes FOR KEY SHARE, which NO KEY UPDATE lets
# through. FOR UPDATE blocked that check while the recompute waited for the same transaction's new computation
# row: a deadlock, seen in the end-to-end worker test (tests/deadlines/test_recompute_locks.py).
MATTER_LOCK = "FOR NO KEY UPDATE"


# --- PostgreSQL: everything a recompute reads of its matters in one statement ------------------------------


# Up to this many matters (a recorded office event recomputes one) the one-statement read saves round trips; a
# full pass's chunks of hundreds read faster table by table (measured at 100k: the JSON arrays cost the
# database and this process about 4 % more CPU than the six queries).
ONE_STATEMENT_UP_TO = 20


def one_statement(count: int) -> bool:
    return connection.vendor == "postgresql" and count <= ONE_STATEMENT_UP_TO


# After the matter's own columns: five JSON arrays (priority dates, events, stored deadlines, phase children,
# claimants), then the state (on the active docket, settled inputs hash, recompute asked).
JSON_COLUMNS, STATE_COLUMNS = 5, 3


@functools.cache
def _snapshot_sql() -> str:
    """The matters' rows, each with its priority dates, office events, stored engine deadlines, national or
    regional phase children and the priority claims that may name it, as JSON arrays, and its state: one round
    trip instead of seven. A single recorded office event recomputes one matter, where each round trip and each
    ORM-built query counts (issue 18). The same rows,
    filters and orders as the per-table queries the other databases use (``_priority_dates``,
    ``_event_facts``, ``_stored_deadlines``, ``truth.load_contexts``); tests/deadlines/
    test_snapshot_read.py holds the two equal."""
    q = connection.ops.quote_name

    def col(model: Any, name: str, alias: str) -> str:
        column = model._meta.pk.column if name == "pk" else model._meta.get_field(name).column
        return f"{alias}.{q(column)}"

    def table(model: Any) -> str:
        return q(model._meta.db_table)

    matter_cols = ", ".join(col(Matter, name, "m") for name in (*SNAPSHOT_COLUMNS, *CONTEXT_COLUMNS))
    stored_cols = ", ".join(col(Deadline, name, "d") for name in StoredDeadline._fields)
    claimant_cols = ", ".join(
        col(Matter, name.removeprefix("matter__"), "o") if name.startswith("matter__")
        else col(PriorityClaim, name.removesuffix("_id"), "p")
        for name in CLAIMANT_COLUMNS
    )
    return (
        f"SELECT {matter_cols}, "  # noqa: S608 - every name is our models' own
        f"(SELECT json_agg({col(PriorityClaim, 'date', 'c')}) FROM {table(PriorityClaim)} c "
        f"WHERE {col(PriorityClaim, 'matter', 'c')} = m.{q('id')}), "
        f"(SELECT json_agg(json_build_array({col(OfficeEvent, 'pk', 'e')}, {col(EventType, 'code', 't')}, "
        f"{col(OfficeEvent, 'date', 'e')}, {col(OfficeEvent, 'params', 'e')}) "
        f"ORDER BY {col(OfficeEvent, 'date', 'e')}, {col(OfficeEvent, 'pk', 'e')}) "
        f"FROM {table(OfficeEvent)} e JOIN {table(EventType)} t "
        f"ON {col(EventType, 'pk', 't')} = {col(OfficeEvent, 'event_type', 'e')} "
        f"WHERE {col(OfficeEvent, 'matter', 'e')} = m.{q('id')} AND NOT {col(EventType, 'internal', 't')}), "
        f"(SELECT json_agg(json_build_array({stored_cols}) ORDER BY {col(Deadline, 'pk', 'd')}) "
        f"FROM {table(Deadline)} d WHERE {col(Deadline, 'matter', 'd')} = m.{q('id')} "
        f"AND {col(Deadline, 'origin', 'd')} = %s), "
        f"(SELECT json_agg(json_build_array({col(Matter, 'office', 'k')}, {col(Matter, 'reference', 'k')}, "
        f"{col(Matter, 'filing_date', 'k')}, {col(Matter, 'pk', 'k')}) "
        f"ORDER BY {col(Matter, 'filing_date', 'k')}, {col(Matter, 'pk', 'k')}) "
        f"FROM {table(Matter)} k WHERE {col(Matter, 'parent', 'k')} = m.{q('id')} "
        f"AND {col(Matter, 'parent_relation', 'k')} = ANY(%s)), "
        # Priority claims that may name this matter: its office and filing date (the number is compared once
        # normalized, in Python). Only for a matter with a number and a filing date, as load_contexts asks.
        f"(SELECT json_agg(json_build_array({claimant_cols}) "
        f"ORDER BY {col(Matter, 'filing_date', 'o')}, {col(PriorityClaim, 'matter', 'p')}) "
        f"FROM {table(PriorityClaim)} p JOIN {table(Matter)} o "
        f"ON {col(Matter, 'pk', 'o')} = {col(PriorityClaim, 'matter', 'p')} "
        f"WHERE {col(PriorityClaim, 'country', 'p')} = {col(Matter, 'office', 'm')} "
        f"AND {col(PriorityClaim, 'date', 'p')} = {col(Matter, 'filing_date', 'm')} "
        f"AND {col(Matter, 'application_number_normalized', 'm')} <> ''), "
        # Its state (STATE_COLUMNS): on the active docket, its computation row's inputs hash and recompute request.
        f"{col(Matter, 'closed_at', 'm')} IS NULL, {col(MatterComputation, 'inputs_hash', 's')}, "
        f"{col(MatterComputation, 'recompute_requested_at', 's')} IS NOT NULL "
        f"FROM {table(Matter)} m LEFT JOIN {table(MatterComputation)} s "
        f"ON {col(MatterComputation, 'matter', 's')} = m.{q('id')} "
        f"WHERE m.{q('id')} = ANY(%s) ORDER BY m.{q('id')}"
    )


def _json(value: Any) -> list:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _read_postgresql(
    ids: Sequence[int], *, lock: bool, states: dict[int, MatterState] | None = None
) -> tuple[list[tuple], dict, dict, dict, dict, dict]:
    designated = cast(models.JSONField, Matter._meta.get_field("designated_offices"))
    at = SNAPSHOT_COLUMNS.index("designated_offices")
    width = len(SNAPSHOT_COLUMNS) + len(CONTEXT_COLUMNS)
    state_at = width + JSON_COLUMNS
    sql = _snapshot_sql() + (f" {MATTER_LOCK} OF m" if lock else "")
    with bound_cursor() as cursor:
        cursor.execute(sql, [Deadline.Origin.ENGINE.value, [r.value for r in PHASE_RELATIONS], list(ids)])
        fetched = cursor.fetchall()
    both: list[tuple] = []
    claims: dict[int, list[dt.date]] = {}
    events: dict[int, list[EventFact]] = {}
    stored: dict[int, list[StoredDeadline]] = {}
    children: dict[int, list[PhaseChild]] = {}
    claimants: dict[int, list[tuple]] = {}
    for row in fetched:
        own = list(row[:width])
        if isinstance(own[at], str | bytes):  # jsonb comes back as text (Django decodes it in the field)
            own[at] = json.loads(own[at], cls=designated.decoder)
        both.append(tuple(own))
        pk = own[0]
        claim_days, event_rows, stored_rows, child_rows, claimant_rows = (_json(v) for v in row[width:state_at])
        if states is not None:
            active, digest, requested = row[state_at : state_at + STATE_COLUMNS]
            states[pk] = (bool(active), digest, bool(requested))
        claims[pk] = [dt.date.fromisoformat(day) for day in claim_days]
        events[pk] = [
            EventFact(ref=str(epk), code=code, date=dt.date.fromisoformat(day), params=dict(params or {}))
            for epk, code, day, params in event_rows
        ]
        stored[pk] = [
            StoredDeadline(dpk, key, origin, status, dt.date.fromisoformat(due), _day(latest), title, fp, reason)
            for dpk, key, origin, status, due, latest, title, fp, reason in stored_rows
        ]
        children[pk] = [PhaseChild(office, ref, _day(filing), cpk) for office, ref, filing, cpk in child_rows]
        claimants[pk] = [
            (country, dt.date.fromisoformat(day), number, mid, office, ref, _day(filing))
            for country, day, number, mid, office, ref, filing in claimant_rows
        ]
    return both, claims, events, stored, children, claimants
