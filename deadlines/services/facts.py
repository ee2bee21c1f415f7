"""What the rules engine reads: a matter's facts, its office events, the stored deadlines and closures.

Read with plain value queries (no model instances), so a recompute of thousands of matters stays cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from patents.models import Matter, OfficeEvent, PriorityClaim

from ..models import Deadline, OfficeClosure
from ..rules import Closures, EventFact, MatterFacts, normalize_office
from ..truth import CONTEXT_COLUMNS, MatterContext, load_contexts

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
    "receiving_office", "designated_offices",
)


def load_snapshots(ids: Sequence[int], *, lock: bool) -> list[MatterSnapshot]:
    qs = Matter.objects.filter(pk__in=ids).order_by("pk")
    if lock:
        # Two recomputes of one matter (two events recorded at once) must not both insert the same key.
        qs = qs.select_for_update(of=("self",))
    # The matter's own facts and what the docket truth reads of it, in one query.
    both = list(qs.values_list(*SNAPSHOT_COLUMNS, *CONTEXT_COLUMNS))
    rows = [row[: len(SNAPSHOT_COLUMNS)] for row in both]
    claims = _priority_dates(ids)
    events = _event_facts(ids)
    stored = _stored_deadlines(ids)
    contexts = load_contexts([row[len(SNAPSHOT_COLUMNS):] for row in both])
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
