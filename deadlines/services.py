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
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from docketapp.audit import attributed, current
from patents.models import Matter, OfficeEvent

from .models import Deadline, OfficeClosure
from .rules import Closures, ComputedDeadline, EventFact, MatterFacts, compute, normalize_office

log = logging.getLogger(__name__)

PROCESS = "deadlines.recompute"
# Human decisions the engine must never overwrite.
FINAL_STATUSES = frozenset({Deadline.Status.DONE, Deadline.Status.WAIVED, Deadline.Status.MISSED})
COMPARED_FIELDS = (
    "rule_id",
    "rule_version",
    "title",
    "office",
    "kind",
    "due_date",
    "extendable",
    "latest_date",
    "citation",
    "explanation",
    "remedies",
    "trigger_event_id",
)
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
    for office, day, reason, source in OfficeClosure.objects.values_list(
        "office", "date", "reason", "source"
    ):
        out.setdefault(normalize_office(office) or office, {})[day] = (
            reason,
            source or "OfficeClosure table",
        )
    return out


def matter_facts(matter: Matter) -> MatterFacts:
    """Facts of a matter; expects ``priority_claims`` prefetched when called in bulk."""
    claims = [c.date for c in matter.priority_claims.all()]
    route = (
        "pct"
        if matter.parent_relation in (Matter.Relation.NATIONAL_PHASE, Matter.Relation.REGIONAL_PHASE)
        else ("direct")
    )
    return MatterFacts(
        office=matter.office,
        kind=MATTER_KINDS.get(matter.kind, matter.kind),
        route=route,
        filing_date=matter.filing_date,
        priority_date=min(claims) if claims else None,
        grant_date=matter.grant_date,
        applicant_residence=matter.applicant_residence,
        receiving_office=matter.receiving_office or None,
        designated_offices=tuple(matter.designated_offices or ()),
    )


def event_facts(events: Iterable[OfficeEvent]) -> list[EventFact]:
    return [
        EventFact(ref=str(e.pk), code=e.event_type.code, date=e.date, params=dict(e.params or {}))
        for e in events
    ]


# --- the diff ----------------------------------------------------------------------------------------------


@dataclass
class Change:
    action: str  # "create" | "move" | "update" | "supersede" | "held" (final status, not touched)
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
    changes: list[Change] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    deadline_ids: list[int] = field(default_factory=list)  # rows written (for reminder sync)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> dict[str, int]:
        out = {"matters": self.matters, "problems": len(self.problems)}
        for action in ("create", "move", "update", "supersede", "held"):
            out[action] = self.count(action)
        return out

    def merge(self, other: RecomputeOutcome) -> None:
        self.matters += other.matters
        self.changes.extend(other.changes)
        self.problems.extend(other.problems)
        self.deadline_ids.extend(other.deadline_ids)


def _json(value: Any) -> Any:
    # The stored JSON is what we compare with, so normalise the computed value the same way.
    return json.loads(json.dumps(value, default=str))


def _values(cd: ComputedDeadline) -> dict[str, Any]:
    data = cd.as_json()
    return {
        "rule_id": cd.rule,
        "rule_version": str(cd.rule_version),
        "title": cd.title[:300],
        "office": cd.office,  # ST.3 code of the office the act is done at (WO = International Bureau)
        "kind": cd.kind,
        "due_date": cd.due_date,
        "extendable": cd.extendable,
        "latest_date": cd.latest_date,
        "citation": cd.citation[:300],
        "explanation": _json(data["explanation"]),
        "remedies": _json(data["remedies"]),
        "trigger_event_id": int(cd.trigger) if cd.trigger.isdigit() else None,
    }


def _dates(old: dt.date | None, new: dt.date | None) -> str:
    return f"{old.isoformat() if old else '–'} → {new.isoformat() if new else '–'}"


def plan_matter(
    *,
    matter: Matter,
    events: Sequence[OfficeEvent],
    stored: Sequence[Deadline],
    closures: Closures,
    today: dt.date,
    reason: str,
) -> tuple[list[Change], list[Deadline], list[tuple[Deadline, list[str]]], list[dict]]:
    """Pure-ish diff for one matter: what to create and update (nothing is written here)."""
    result = compute(matter_facts(matter), event_facts(events), closures, today=today)
    live: dict[str, Deadline] = {}
    superseded_keys: set[str] = set()
    for row in stored:
        if row.origin != Deadline.Origin.ENGINE:
            continue
        if row.status == Deadline.Status.SUPERSEDED:
            superseded_keys.add(row.key)
        else:
            live[row.key] = row
    changes: list[Change] = []
    creates: list[Deadline] = []
    updates: list[tuple[Deadline, list[str]]] = []
    seen: set[str] = set()
    for cd in result.deadlines:
        seen.add(cd.key)
        values = _values(cd)
        row = live.get(cd.key)
        if row is None:
            if cd.status == "superseded" and cd.key in superseded_keys:
                continue
            status = Deadline.Status.SUPERSEDED if cd.status == "superseded" else Deadline.Status.OPEN
            new = Deadline(matter=matter, key=cd.key, origin=Deadline.Origin.ENGINE, status=status, **values)
            if status == Deadline.Status.SUPERSEDED:
                why = f"{reason}: recorded as already {cd.superseded_reason}"
            elif cd.due_date < today:
                why = f"{reason}: created past due (due {cd.due_date.isoformat()}), flagged overdue"
            else:
                why = f"{reason}: created, due {cd.due_date.isoformat()}"
            new._change_reason = why
            creates.append(new)
            changes.append(
                Change(
                    "create",
                    matter.pk,
                    cd.key,
                    values["title"],
                    why,
                    None,
                    None,
                    cd.due_date,
                    None,
                    cd.latest_date,
                )
            )
            continue
        if row.status in FINAL_STATUSES:
            if row.due_date != cd.due_date or row.latest_date != cd.latest_date:
                changes.append(
                    Change(
                        "held",
                        matter.pk,
                        cd.key,
                        row.title,
                        f"{row.get_status_display().lower()}: not changed (engine now says due "
                        f"{cd.due_date.isoformat()})",
                        row.pk,
                        row.due_date,
                        cd.due_date,
                        row.latest_date,
                        cd.latest_date,
                    )
                )
            continue
        dirty = [name for name in COMPARED_FIELDS if getattr(row, name) != values[name]]
        if cd.status == "superseded":
            old_due, old_latest = row.due_date, row.latest_date
            for name in dirty:
                setattr(row, name, values[name])
            row.status = Deadline.Status.SUPERSEDED
            why = f"{reason}: superseded, {cd.superseded_reason}"
            row._change_reason = why
            updates.append((row, [*dirty, "status"]))
            changes.append(
                Change(
                    "supersede",
                    matter.pk,
                    cd.key,
                    row.title,
                    why,
                    row.pk,
                    old_due,
                    cd.due_date,
                    old_latest,
                    cd.latest_date,
                )
            )
            continue
        if not dirty:
            continue
        old_due, old_latest = row.due_date, row.latest_date
        for name in dirty:
            setattr(row, name, values[name])
        fields = list(dirty)
        if "due_date" in dirty or "latest_date" in dirty:
            parts = []
            if "due_date" in dirty:
                parts.append(f"due {_dates(old_due, cd.due_date)}")
            if "latest_date" in dirty:
                parts.append(f"latest {_dates(old_latest, cd.latest_date)}")
            why = f"{reason}: moved {'; '.join(parts)}"
            # A moved date is a new date: it needs a fresh second look (two-person verification).
            row.last_changed_by = None
            row.verified_by = None
            row.verified_at = None
            fields += ["last_changed_by", "verified_by", "verified_at"]
            action = "move"
        else:
            why = f"{reason}: explanation updated ({', '.join(dirty)})"
            action = "update"
        row._change_reason = why
        updates.append((row, fields))
        changes.append(
            Change(
                action,
                matter.pk,
                cd.key,
                row.title,
                why,
                row.pk,
                old_due,
                cd.due_date,
                old_latest,
                cd.latest_date,
            )
        )
    for key, row in live.items():
        if key in seen or row.status in FINAL_STATUSES:
            continue
        row.status = Deadline.Status.SUPERSEDED
        why = (
            f"{reason}: superseded, no longer produced by the rules (its trigger event was removed or the "
            "matter's facts changed)"
        )
        row._change_reason = why
        updates.append((row, ["status"]))
        changes.append(
            Change(
                "supersede", matter.pk, key, row.title, why, row.pk, row.due_date, None, row.latest_date, None
            )
        )
    problems = [{**p, "matter_id": matter.pk, "matter": matter.reference} for p in result.problems]
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


def _matters_with_facts(ids: Sequence[int], *, lock: bool):
    qs = Matter.objects.filter(pk__in=ids).order_by("pk")
    if lock:
        # Two recomputes of one matter (two events recorded at once) must not both insert the same key.
        qs = qs.select_for_update(of=("self",))
    return qs.prefetch_related(
        "priority_claims",
        Prefetch(
            "events",
            queryset=OfficeEvent.objects.for_deadlines().order_by("date", "pk"),
            to_attr="deadline_events",
        ),
        Prefetch(
            "deadlines",
            queryset=Deadline.objects.filter(origin=Deadline.Origin.ENGINE).order_by("pk"),
            to_attr="engine_deadlines",
        ),
    )


def _write(creates: list[Deadline], updates: list[tuple[Deadline, list[str]]]) -> list[int]:
    kwargs = _history_kwargs()
    written: list[int] = []
    if updates:
        # Supersede first: a live row and its replacement may share a key (unique among live rows).
        by_fields: dict[tuple[str, ...], list[Deadline]] = {}
        for row, fields in updates:
            by_fields.setdefault(tuple(sorted({*fields, "updated_at"})), []).append(row)
        now = timezone.now()
        for fields, rows in by_fields.items():
            for row in rows:
                row.updated_at = now
            bulk_update_with_history(rows, Deadline, list(fields), batch_size=500, **kwargs)
            written.extend(r.pk for r in rows)
    if creates:
        created = bulk_create_with_history(creates, Deadline, batch_size=500, **kwargs)
        written.extend(r.pk for r in created if r.pk)
    return written


def recompute_matters(
    *,
    matter_ids: Iterable[int],
    reason: str,
    today: dt.date | None = None,
    closures: Closures | None = None,
    dry_run: bool = False,
    chunk_size: int = 200,
    user: Any = None,
    notify_reminders: bool = True,
) -> RecomputeOutcome:
    """Recompute many matters in chunks (one transaction per chunk). ``dry_run`` plans without writing."""
    today = today or timezone.now().date()
    closures = load_closures() if closures is None else closures
    ids = sorted(set(matter_ids))
    outcome = RecomputeOutcome()
    if current() is None and not dry_run:
        ctx = attributed(reason=reason, user=user, process=None if user else PROCESS)
    else:
        ctx = nullcontext()
    with ctx:
        for chunk in _chunks(ids, chunk_size):
            part = RecomputeOutcome()
            with transaction.atomic():
                creates: list[Deadline] = []
                updates: list[tuple[Deadline, list[str]]] = []
                for matter in _matters_with_facts(chunk, lock=not dry_run):
                    changes, c, u, problems = plan_matter(
                        matter=matter,
                        events=matter.deadline_events,
                        stored=matter.engine_deadlines,
                        closures=closures,
                        today=today,
                        reason=reason,
                    )
                    part.matters += 1
                    part.changes.extend(changes)
                    part.problems.extend(problems)
                    creates.extend(c)
                    updates.extend(u)
                if not dry_run and (creates or updates):
                    part.deadline_ids = _write(creates, updates)
                    if notify_reminders and part.deadline_ids:
                        _notify_reminders(part.deadline_ids)
            outcome.merge(part)
    for problem in outcome.problems:
        log.warning("deadline not computable for %s: %s", problem.get("matter"), problem.get("message"))
    return outcome


def _notify_reminders(deadline_ids: list[int]) -> None:
    try:
        from .tasks import sync_reminders_for_deadlines
    except ImportError:  # reminders not installed in this build
        return
    sync_reminders_for_deadlines.delay_on_commit(sorted(set(deadline_ids)))


def recompute_deadlines(
    *,
    matter: Matter | None = None,
    matter_id: int | None = None,
    reason: str,
    today: dt.date | None = None,
    closures: Closures | None = None,
    dry_run: bool = False,
    user: Any = None,
) -> RecomputeOutcome:
    """Recompute one matter's deadlines (see the module docstring for what is written)."""
    if (matter is None) == (matter_id is None):
        raise ValueError("pass exactly one of matter or matter_id")
    mid = matter.pk if matter is not None else matter_id
    return recompute_matters(
        matter_ids=[mid], reason=reason, today=today, closures=closures, dry_run=dry_run, user=user
    )


# --- previews of rule and closure changes --------------------------------------------------------------


def candidate_matters_for_closure(*, day: dt.date) -> list[int]:
    """Matters with an open engine deadline a closure on ``day`` can move: adding a closure moves dates that
    fall on it; removing one moves dates that were rolled past it (at most the roll-forward limit later)."""
    from .rules.calendars import MAX_ROLL_DAYS

    window_end = day + dt.timedelta(days=MAX_ROLL_DAYS)
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
    closures = with_closure_change(
        load_closures(), office=office, day=day, remove=remove, reason=reason, source=source
    )
    what = "removed" if remove else "added"
    return recompute_matters(
        matter_ids=candidate_matters_for_closure(day=day),
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
    candidates = candidate_matters_for_closure(day=day)
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
        f"  rule {deadline.rule_id} v{deadline.rule_version} ({deadline.get_kind_display()}), "
        f"{deadline.citation}",
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
                    + (
                        f" (unrolled {option['unrolled']})"
                        if option.get("unrolled") != option["until"]
                        else ""
                    )
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
    if exp.get("notes"):
        lines.append(f"  note: {exp['notes']}")
    return "\n".join(lines)
