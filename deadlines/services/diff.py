"""The recompute diff: run the engine on one matter's facts and compare its result with the stored deadlines.

Stored and computed deadlines are matched by their stable ``key``:

* a key the engine produces and nothing stores -> created (past-due ones too: created open, so they show as
  overdue, never dropped);
* a stored open deadline whose dates changed -> moved, the history reason saying old -> new and why;
* a stored open deadline the engine now reports answered/replaced, or no longer produces -> superseded;
* a stored deadline an office fact proves done, or whose right ended -> completed or moot; reopened when
  that fact goes away;
* done, waived and missed deadlines are never touched (a recompute must not reopen or alter a human
  decision);
* nothing changed -> nothing planned (idempotent).

Nothing is written here: ``plan_matter`` returns the changes, and the rows to create and update.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from docketapp.audit import set_change_reason

from ..models import Deadline
from ..rules import Closures, ComputedDeadline, compute
from ..rules.completion import Closing
from ..rules.lifecycle import Lifecycle
from .facts import MatterSnapshot, StoredDeadline
from .lifecycle import closing, closing_values, matter_lifecycle

# Human decisions the engine must never overwrite.
FINAL_STATUSES = frozenset(
    {Deadline.Status.DONE, Deadline.Status.WAIVED, Deadline.Status.MISSED, Deadline.Status.LET_LAPSE}
)
# Closed by the engine from office facts: it reopens them when the fact goes away.
ENGINE_CLOSED = frozenset({Deadline.Status.COMPLETED, Deadline.Status.MOOT})


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
class Update:
    pk: int
    values: dict[str, Any]
    reason: str
    reset_verification: bool = False


# One encoder for every fingerprint: ``json.dumps`` builds a new JSONEncoder per call (measurable at a million
# deadlines). Same options as ``json.dumps(values, default=str, separators=(",", ":"))``, hence the same text and
# the same stored fingerprints; ``check_circular`` off because the values are trees built just before.
_fingerprint_json = json.JSONEncoder(default=str, separators=(",", ":"), check_circular=False).encode


def deadline_values(cd: ComputedDeadline) -> tuple[dict[str, Any], str]:
    """Field values for a computed deadline, and their fingerprint (what a recompute compares)."""
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
        "optional": cd.optional,
        "explanation": cd.explanation,
        # As ComputedDeadline.as_json() writes them (without building the rest of that dict).
        "remedies": [{**r, "until": r["until"].isoformat() if r.get("until") else None} for r in cd.remedies],
        "trigger_event_id": int(cd.trigger) if cd.trigger.isdigit() else None,
    }
    # Comparing a fingerprint instead of the stored JSON lets a recompute skip loading and decoding every
    # explanation; any change in any computed field changes the fingerprint.
    canonical = _fingerprint_json(values)
    return values, hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()


def _dates(old: dt.date | None, new: dt.date | None) -> str:
    return f"{old.isoformat() if old else '–'} → {new.isoformat() if new else '–'}"


def _moved(row: StoredDeadline, cd: ComputedDeadline) -> bool:
    return row.due_date != cd.due_date or row.latest_date != cd.latest_date


@dataclass
class MatterDiff:
    """The diff of one matter, built one computed deadline at a time (one method per kind of change)."""

    snapshot: MatterSnapshot
    today: dt.date
    reason: str
    lifecycle: Lifecycle | None
    changes: list[Change] = field(default_factory=list)
    creates: list[Deadline] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)

    def _change(self, action: str, row: StoredDeadline, cd: ComputedDeadline, why: str) -> None:
        self.changes.append(
            Change(action, self.snapshot.pk, cd.key, row.title, why, row.pk, row.due_date, cd.due_date,
                   row.latest_date, cd.latest_date)
        )

    def create(self, cd: ComputedDeadline) -> None:
        """A key nothing stores yet: a new row, closed at once when an office fact already closes it."""
        values, fingerprint = deadline_values(cd)
        status = Deadline.Status.SUPERSEDED if cd.status == "superseded" else Deadline.Status.OPEN
        closed = None if status == Deadline.Status.SUPERSEDED else closing(cd, self.snapshot, self.lifecycle)
        if closed is not None:
            status = Deadline.Status(closed.status)
        new = Deadline(
            matter_id=self.snapshot.pk,
            key=cd.key,
            origin=Deadline.Origin.ENGINE,
            status=status,
            fingerprint=fingerprint,
            **values,
            **closing_values(closed),
        )
        if status == Deadline.Status.SUPERSEDED:
            why = f"{self.reason}: recorded as already {cd.superseded_reason}"
        elif closed is not None:
            why = f"{self.reason}: recorded as {closed.reason}"
        elif cd.due_date < self.today:
            why = f"{self.reason}: created past due (due {cd.due_date.isoformat()}), flagged overdue"
        else:
            why = f"{self.reason}: created, due {cd.due_date.isoformat()}"
        set_change_reason(new, why)
        self.creates.append(new)
        self.changes.append(
            Change("create", self.snapshot.pk, cd.key, values["title"], why, None, None, cd.due_date, None,
                   cd.latest_date)
        )

    def hold(self, row: StoredDeadline, cd: ComputedDeadline) -> None:
        """A human decision (done, waived, missed): never changed, but a date the engine now disagrees with
        is reported."""
        if _moved(row, cd):
            label = Deadline.Status(row.status).label.lower()
            self._change("held", row, cd, f"{label}: not changed (engine now says due {cd.due_date.isoformat()})")

    def supersede(self, row: StoredDeadline, cd: ComputedDeadline) -> None:
        """The engine reports the stored deadline answered or replaced."""
        values, fingerprint = deadline_values(cd)
        why = f"{self.reason}: superseded, {cd.superseded_reason}"
        self.updates.append(
            Update(row.pk, {**values, "fingerprint": fingerprint, "status": Deadline.Status.SUPERSEDED}, why)
        )
        self._change("supersede", row, cd, why)

    def close_or_reopen(self, row: StoredDeadline, cd: ComputedDeadline) -> bool:
        """Close the row when an office fact closes it, reopen it when that fact is gone; False when its
        status is already right."""
        closed = closing(cd, self.snapshot, self.lifecycle)
        wanted = Deadline.Status(closed.status) if closed is not None else Deadline.Status.OPEN
        closed_reason = closed.reason if closed is not None else ""
        if row.status == wanted and row.closed_reason == closed_reason:
            return False
        why, action = self._closing_reason(row, closed, wanted)
        values, fingerprint = deadline_values(cd)
        self.updates.append(
            Update(
                row.pk,
                {**values, "fingerprint": fingerprint, "status": wanted, **closing_values(closed)},
                why,
                reset_verification=_moved(row, cd),
            )
        )
        self._change(action, row, cd, why)
        return True

    def _closing_reason(self, row: StoredDeadline, closed: Closing | None, wanted: str) -> tuple[str, str]:
        if closed is not None:
            action = "complete" if wanted == Deadline.Status.COMPLETED else "moot"
            return f"{self.reason}: {closed.reason}", action
        if row.status == Deadline.Status.COMPLETED:
            return f"{self.reason}: reopened, the fact that proved it done is no longer recorded", "reopen"
        gone = self.lifecycle.reason if self.lifecycle else "the fact that closed it is gone"
        return f"{self.reason}: reopened, {gone}", "reopen"

    def refresh(self, row: StoredDeadline, cd: ComputedDeadline) -> None:
        """An open row the engine still produces: moved when its dates changed, updated when only the
        explanation did, untouched when nothing did."""
        values, fingerprint = deadline_values(cd)
        if row.fingerprint == fingerprint:
            return
        moved = _moved(row, cd)
        if moved:
            parts = []
            if row.due_date != cd.due_date:
                parts.append(f"due {_dates(row.due_date, cd.due_date)}")
            if row.latest_date != cd.latest_date:
                parts.append(f"latest {_dates(row.latest_date, cd.latest_date)}")
            why = f"{self.reason}: moved {'; '.join(parts)}"
            action = "move"
        else:
            why = f"{self.reason}: explanation updated (same dates)"
            action = "update"
        # A moved date is a new date: it needs a fresh second look (two-person verification).
        self.updates.append(Update(row.pk, {**values, "fingerprint": fingerprint}, why, reset_verification=moved))
        self._change(action, row, cd, why)

    def drop(self, row: StoredDeadline) -> None:
        """A stored open row the engine no longer produces: superseded, with the reason why."""
        why = (
            f"{self.reason}: superseded, no longer produced by the rules (its trigger event was removed or the "
            "matter's facts changed)"
        )
        grant_date = self.snapshot.facts.grant_date
        if row.key.startswith("EP.RENEWAL_FEE:") and grant_date:
            why = (
                f"{self.reason}: superseded, paid to the national offices from here on: the grant was mentioned "
                f"on {grant_date.isoformat()} and the EPO collects only up to the year of the "
                "mention (EPC Art. 86(2), 141(1))"
            )
        self.updates.append(Update(row.pk, {"status": Deadline.Status.SUPERSEDED}, why))
        self.changes.append(
            Change("supersede", self.snapshot.pk, row.key, row.title, why, row.pk, row.due_date, None,
                   row.latest_date, None)
        )


def _engine_rows(snapshot: MatterSnapshot) -> tuple[dict[str, StoredDeadline], set[str]]:
    """The stored engine deadlines: the live ones by key, and the keys stored as superseded."""
    live: dict[str, StoredDeadline] = {}
    superseded_keys: set[str] = set()
    for row in snapshot.stored:
        if row.origin != Deadline.Origin.ENGINE:
            continue
        if row.status == Deadline.Status.SUPERSEDED:
            superseded_keys.add(row.key)
        else:
            live[row.key] = row
    return live, superseded_keys


def plan_matter(
    *,
    snapshot: MatterSnapshot,
    closures: Closures,
    today: dt.date,
    reason: str,
    lifecycle: Lifecycle | None = None,
    calendars: dict | None = None,
) -> tuple[list[Change], list[Deadline], list[Update], list[dict]]:
    """The diff for one matter: what to create and what to update (nothing is written here).

    ``calendars``: office calendars to reuse across matters computed with the same ``closures`` (a pass)."""
    if lifecycle is None:
        lifecycle = matter_lifecycle(snapshot, today)
    live, superseded_keys = _engine_rows(snapshot)
    # An answered deadline already stored as superseded need not be computed again.
    done_keys = superseded_keys - set(live)
    result = compute(snapshot.facts, snapshot.events, closures, today=today, skip_if_superseded=done_keys.__contains__,
                     calendars=calendars)
    diff = MatterDiff(snapshot=snapshot, today=today, reason=reason, lifecycle=lifecycle)
    seen: set[str] = set()
    for cd in result.deadlines:
        seen.add(cd.key)
        row = live.get(cd.key)
        if row is None:
            if not (cd.status == "superseded" and cd.key in superseded_keys):
                diff.create(cd)
        elif row.status in FINAL_STATUSES:
            diff.hold(row, cd)
        elif cd.status == "superseded":
            diff.supersede(row, cd)
        elif not diff.close_or_reopen(row, cd):
            diff.refresh(row, cd)
    for key, row in live.items():
        if key not in seen and row.status not in FINAL_STATUSES:
            diff.drop(row)
    problems = [{**p, "matter_id": snapshot.pk, "matter": snapshot.reference} for p in result.problems]
    return diff.changes, diff.creates, diff.updates, problems
