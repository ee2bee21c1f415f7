"""Office closures: which matters a closure can move, a preview of what would move (``preview-change``,
nothing written), applying the change with the closure named as the reason, and seeding the closure list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from docketapp.audit import attributed, ensure_attributed, history_kwargs

from ..models import Deadline, OfficeClosure
from ..rules import Closures, normalize_office
from .facts import load_closures
from .recompute import PROCESS, RecomputeOutcome, recompute_matters


def candidate_matters_for_closure(*, day: dt.date, office: str | None = None) -> list[int]:
    """Matters with an open engine deadline a closure on ``day`` can move: adding a closure moves dates that
    fall on it; removing one moves dates that were rolled past it (at most the roll-forward limit later)."""
    from ..rules.calendars import MAX_ROLL_DAYS, RECURRING_SOURCE

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
    # Always its own attribution (never the caller's): the history names the closure change as the reason.
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


def seed_office_closures(*, rows=None) -> dict[str, int]:
    """Store the seed closures (deadlines.closure_data) that were never stored before.

    A closure someone deleted in the admin is not re-added (its history shows it existed): the seed must not
    undo a correction.
    """
    from ..closure_data import seed_closures

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
        with ensure_attributed(
            reason="seed office closures from deadlines.closure_data", process="deadlines.seed_closures"
        ):
            if new:
                bulk_create_with_history(new, OfficeClosure, batch_size=500, **history_kwargs())
    return {"created": len(new), "kept": len(rows) - len(new)}
