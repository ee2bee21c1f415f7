"""Glue between a recompute and the docket truth (``deadlines.truth``): the matter's derived lifecycle, and
whether a computed deadline is closed by an office fact (done by proof, or moot because the right ended)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..rules import ComputedDeadline
from ..rules.completion import Closing
from ..rules.lifecycle import Lifecycle, derive
from ..truth import closing_for, lifecycle_values, write_lifecycle
from .facts import MatterSnapshot


def matter_lifecycle(snapshot: MatterSnapshot, today: dt.date) -> Lifecycle:
    return derive(snapshot.facts, snapshot.events, today=today, term_start=snapshot.context.term_start)


def closing(cd: ComputedDeadline, snapshot: MatterSnapshot, lifecycle: Lifecycle | None) -> Closing | None:
    """The office fact that closes this computed deadline, if any."""
    return closing_for(cd, events=snapshot.events, context=snapshot.context, lifecycle=lifecycle)


def closing_values(closing: Closing | None) -> dict[str, Any]:
    """The deadline's closed_* fields for a closing (all empty when it stays open)."""
    if closing is None:
        return {"closed_by_event_id": None, "closed_on": None, "closed_reason": ""}
    ref = closing.event_ref
    return {
        "closed_by_event_id": int(ref) if ref and ref.isdigit() else None,
        "closed_on": closing.on,
        "closed_reason": closing.reason,
    }


def store_lifecycle(snapshot: MatterSnapshot, lifecycle: Lifecycle, *, reason: str) -> bool:
    """Write the matter's derived state (with history) when it differs from what the matter stores; True
    when it wrote."""
    if snapshot.context.lifecycle != lifecycle_values(lifecycle):
        write_lifecycle(matter_id=snapshot.pk, lifecycle=lifecycle, reason=reason)
        return True
    return False
