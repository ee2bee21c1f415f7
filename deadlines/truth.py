"""Docket truth: the Django side of lifecycle and completion-by-proof (a deadline the office record shows
done, or whose right ended, is closed instead of staying overdue).

``deadlines.rules.lifecycle`` and ``deadlines.rules.completion`` are pure; this module reads what they need
from the database (other matters that prove acts on this one, where the term starts) and decides, for one
computed deadline, whether it stays open, is done by proof, or is moot because the right ended.
``deadlines.services.lifecycle`` is the recompute's side of it: the diff calls ``closing_for`` per computed
deadline, and the recompute stores the matter's derived state with ``write_lifecycle``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from docketapp.audit import set_change_reason
from patents.models import Matter, PriorityClaim
from patents.numbers import InvalidNumber, normalize_application_number

from .rules import ComputedDeadline, EventFact
from .rules.completion import CLAIMS_PRIORITY, PHASE_OF, PUBLISHED, Closing, Related, find_proof
from .rules.lifecycle import SURVIVES_END, Lifecycle

PHASE_RELATIONS = (Matter.Relation.NATIONAL_PHASE, Matter.Relation.REGIONAL_PHASE)
# The term of a continuation, divisional or CIP runs from the earliest application it relies on
# (35 U.S.C. 154(a)(2); EPC Art. 76(1) for a divisional).
TERM_PARENT_RELATIONS = (
    Matter.Relation.CONTINUATION,
    Matter.Relation.CONTINUATION_IN_PART,
    Matter.Relation.DIVISIONAL,
)


@dataclass(frozen=True)
class MatterContext:
    related: tuple[Related, ...] = ()
    term_start: dt.date | None = None
    lifecycle: tuple = ()  # (state, since, event id, reason, term_end) as stored on the matter


def _normalized(office: str, number: str) -> str:
    try:
        return normalize_application_number(office, number)
    except InvalidNumber:
        return "".join(number.split()).upper()


# The columns of the matters themselves that ``load_contexts`` reads, in this order (the recompute reads them
# with the rest of a matter's row, in its one locked query).
CONTEXT_COLUMNS = (
    "pk", "office", "application_number_normalized", "filing_date", "parent_id", "parent_relation",
    "publication_number", "publication_date",
    "lifecycle_state", "lifecycle_since", "lifecycle_event_id", "lifecycle_reason", "term_end",
)


class PhaseChild(NamedTuple):
    """A national or regional phase entered from a matter (its own office, reference, filing date, id)."""

    office: str
    reference: str
    filing_date: dt.date | None
    pk: int


# What a priority claim that may name one of these matters says, and of the matter that makes it.
CLAIMANT_COLUMNS = (
    "country", "date", "number", "matter_id", "matter__office", "matter__reference", "matter__filing_date",
)


def load_contexts(
    rows: Sequence[tuple],
    *,
    children: dict[int, list[PhaseChild]] | None = None,
    claimants: dict[int, list[tuple]] | None = None,
) -> dict[int, MatterContext]:
    """Facts about other matters that prove acts on these, plus where each one's term starts.

    ``rows``: the matters' own ``CONTEXT_COLUMNS``, as the recompute read them with the rest of their row.
    ``children`` and ``claimants``: their phase children, and per matter the priority claims of its office and
    filing date (``CLAIMANT_COLUMNS``), when the caller read them with the rows (PostgreSQL); else read here.
    """
    ids = [row[0] for row in rows]
    related: dict[int, list[Related]] = {pk: [] for pk, *_ in rows}
    for pk, office, _number, _filing, _parent, _relation, publication, published_on, *_ in rows:
        if publication:
            related[pk].append(Related(PUBLISHED, office, publication, published_on, pk))
    if children is None:
        children = {}
        for parent_id, office, reference, filing, pk in (
            Matter.objects.filter(parent_id__in=ids, parent_relation__in=PHASE_RELATIONS)
            .order_by("filing_date", "pk")
            .values_list("parent_id", "office", "reference", "filing_date", "pk")
        ):
            children.setdefault(parent_id, []).append(PhaseChild(office, reference, filing, pk))
    for parent_id, phases in children.items():
        for office, reference, filing, pk in phases:
            related[parent_id].append(Related(PHASE_OF, office, reference, filing, pk))
    # Claims of this matter as a priority: same office, same date, same number once normalized.
    wanted = {(office, filing, number): pk for pk, office, number, filing, *_ in rows if number and filing}
    if claimants is not None:
        # Read with the rows (PostgreSQL): each matter's candidates (claims of its office and filing date).
        for pk, candidates in claimants.items():
            for country, day, number, mid, office, reference, filing in candidates:
                if wanted.get((country, day, _normalized(country, number))) == pk and pk != mid:
                    related[pk].append(Related(CLAIMS_PRIORITY, office, reference, filing, mid))
    elif wanted:
        claims = (
            PriorityClaim.objects.filter(
                country__in={k[0] for k in wanted}, date__in={k[1] for k in wanted}
            )
            .order_by("matter__filing_date", "matter_id")
            .values_list(*CLAIMANT_COLUMNS)
        )
        for country, day, number, mid, office, reference, filing in claims:
            pk = wanted.get((country, day, _normalized(country, number)))
            if pk is not None and pk != mid:
                related[pk].append(Related(CLAIMS_PRIORITY, office, reference, filing, mid))
    out = {}
    for pk, _office, _number, filing, parent_id, relation, _publication, _published_on, *stored in rows:
        start = filing
        if parent_id and relation in TERM_PARENT_RELATIONS:
            start = _earliest_ancestor_filing(parent_id) or filing
        out[pk] = MatterContext(tuple(related[pk]), start, tuple(stored))
    return out


def _earliest_ancestor_filing(parent_id: int) -> dt.date | None:
    earliest = None
    seen: set[int] = set()
    current: int | None = parent_id
    while current and current not in seen:
        seen.add(current)
        row = (
            Matter.objects.filter(pk=current)
            .values_list("filing_date", "parent_id", "parent_relation", "kind")
            .first()
        )
        if row is None:
            break
        filing, parent, relation, kind = row
        if filing and kind != Matter.Kind.PROVISIONAL and (earliest is None or filing < earliest):
            earliest = filing
        current = parent if relation in TERM_PARENT_RELATIONS else None
    return earliest


def closing_for(
    cd: ComputedDeadline, *, events: Sequence[EventFact], context: MatterContext, lifecycle: Lifecycle | None
) -> Closing | None:
    """Why ``cd`` is closed although the engine computed it open: a proof that it was done, or the end of the
    right. None: it is truly open."""
    proof = find_proof(
        rule_id=cd.rule,
        rule_office=cd.office,
        trigger_ref=cd.trigger,
        trigger_date=cd.trigger_date,
        events=events,
        related=context.related,
    )
    if proof is not None:
        return proof
    if lifecycle is not None and lifecycle.ended:
        # Remedies and appeals against the end itself still matter; so does anything the end (or a later
        # event) triggered.
        # Once the maximum term is over, no remedy can bring the right back: nothing survives.
        survives = cd.rule in SURVIVES_END or (lifecycle.since is not None and cd.trigger_date >= lifecycle.since)
        if survives and not lifecycle.term_over:
            return None
        return Closing("moot", lifecycle.since, f"moot: {lifecycle.label.lower()}, {lifecycle.reason}",
                       lifecycle.cause_ref)
    return None


def lifecycle_values(lifecycle: Lifecycle) -> tuple:
    return (
        lifecycle.state.value,
        lifecycle.since,
        int(lifecycle.cause_ref) if lifecycle.cause_ref and lifecycle.cause_ref.isdigit() else None,
        lifecycle.reason[:500],
        lifecycle.term_end,
    )


def write_lifecycle(*, matter_id: int, lifecycle: Lifecycle, reason: str) -> bool:
    """Store the derived state on the matter (with history) when it changed."""
    matter = Matter.objects.get(pk=matter_id)
    state, since, event_id, why, end = lifecycle_values(lifecycle)
    old = (matter.lifecycle_state, matter.lifecycle_since, matter.lifecycle_event_id, matter.lifecycle_reason,
           matter.term_end)
    if old == (state, since, event_id, why, end):
        return False
    matter.lifecycle_state, matter.lifecycle_since, matter.lifecycle_event_id = state, since, event_id
    matter.lifecycle_reason, matter.term_end = why, end
    set_change_reason(matter, f"{reason}: state {old[0] or '–'} → {state} ({why})")
    matter.save(update_fields=["lifecycle_state", "lifecycle_since", "lifecycle_event", "lifecycle_reason",
                               "term_end", "updated_at"])
    return True
