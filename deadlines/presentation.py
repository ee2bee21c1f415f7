"""Turning stored deadline data into plain words for the dashboard (no writes, no queries).

The engine stores each computation as JSON (``Deadline.explanation``): inputs, a list of steps each with an
``op``, extension options and remedies. Every op the engine emits has a sentence here; an op we do not know
yet is still shown, field by field, so nothing in the explanation is ever hidden from the paralegal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# The time-zone helpers live beside the user profile (patents.timezones); re-exported here only for callers
# that still import them from this module.
from patents.timezones import in_user_timezone, user_today, user_tz  # noqa: F401

from .formatting import DATE_FMT, fmt_date  # noqa: F401  (DATE_FMT for callers of this module)


@dataclass
class Step:
    title: str
    text: str
    result: str = ""
    citation: str = ""
    details: list[str] = field(default_factory=list)
    emphasis: bool = False  # a roll-forward or cap: the date moved for a reason the user should see


def describe_causes(causes: list[dict]) -> str:
    parts = []
    for cause in causes or []:
        kind = cause.get("type", "")
        name = cause.get("name", "")
        source = cause.get("source", "")
        if kind == "weekend":
            parts.append(f"weekend ({name})")
        elif kind == "holiday":
            parts.append(f"public holiday: {name}" + (f" [{source}]" if source else ""))
        elif kind == "closure":
            parts.append(f"office closed: {name}" + (f" [{source}]" if source else ""))
        else:
            parts.append(", ".join(f"{k}: {v}" for k, v in cause.items()))
    return "; ".join(parts) or "office closed"


def _generic(step: dict) -> Step:
    op = step.get("op", "step")
    details = [f"{k}: {v}" for k, v in step.items() if k not in {"op", "result", "citation", "note"}]
    return Step(
        title=op.replace("_", " ").capitalize(),
        text=step.get("note", ""),
        result=fmt_date(step["result"]) if step.get("result") else "",
        citation=step.get("citation", ""),
        details=details,
    )


def describe_step(step: dict) -> Step:
    op = step.get("op")
    if op == "deemed_notification":
        return Step(
            title="Deemed notification",
            text=f"The document is dated {fmt_date(step.get('document_date'))}; {step.get('note', '')}.",
            result=fmt_date(step.get("result")),
            citation=step.get("citation", ""),
        )
    if op == "add":
        base = step.get("base")
        return Step(
            title="Add the period",
            text=(
                f"{fmt_date(step.get('from'))}{f' ({base})' if base else ''} + {step.get('period', '?')}"
                f" = {fmt_date(step.get('result'))}"
            ),
            result=fmt_date(step.get("result")),
            citation=step.get("citation", ""),
            details=[step["note"]] if step.get("note") else [],
        )
    if op == "later_of":
        candidates = ", ".join(fmt_date(c) for c in step.get("candidates", []))
        return Step(
            title="The later date applies",
            text=f"Candidates: {candidates}. {step.get('note', '')}",
            result=fmt_date(step.get("result")),
        )
    if op == "month_end":
        return Step(
            title="Move to the end of the month",
            text=f"{fmt_date(step.get('from'))} → {fmt_date(step.get('result'))}: {step.get('note', '')}",
            result=fmt_date(step.get("result")),
            citation=step.get("citation", ""),
        )
    if op == "cap":
        return Step(
            title="Capped",
            text=step.get("note", ""),
            result=fmt_date(step.get("result")),
            citation=step.get("citation", ""),
            emphasis=True,
        )
    if op == "roll_forward":
        skipped = step.get("skipped", [])
        details = [f"{fmt_date(s.get('date'))}: {describe_causes(s.get('causes', []))}" for s in skipped]
        return Step(
            title=f"Moved forward: the office is closed on the {step.get('what', 'date')}",
            text=(
                f"{fmt_date(step.get('from'))} is not a working day of the office, so the "
                f"{step.get('what', 'date')} moves to the next day it is open: "
                f"{fmt_date(step.get('result'))}."
            ),
            result=fmt_date(step.get("result")),
            details=details,
            emphasis=True,
        )
    if op == "mpep_706_07_f":
        return Step(
            title="Advisory action after a final rejection (MPEP 706.07(f))",
            text=step.get("note", ""),
            result=fmt_date(step.get("result")) if step.get("result") else "",
            citation=step.get("citation", "MPEP 706.07(f)"),
            emphasis=bool(step.get("result")),
        )
    return _generic(step)


EXTENSION_MODELS = {
    "per_month_fee": "Extension by paying a fee for each extra month",
    "on_request": "Extension on request",
    "grace_surcharge": "Grace period: the act can still be done late with a surcharge",
}


@dataclass
class ExtensionOption:
    months: Any
    until: str
    unrolled: str
    moved_because: list[str]


@dataclass
class ExtensionBlock:
    model: str
    citation: str
    counted_from: str
    surcharge: bool
    options: list[ExtensionOption]


@dataclass
class Explanation:
    manual: dict | None = None
    rule_id: str = ""
    rule_version: Any = ""
    citation: str = ""
    inputs: list[tuple[str, str]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    extensions: list[ExtensionBlock] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: str = ""
    superseded: str = ""
    window_opens: str = ""
    due_date: str = ""
    latest_date: str = ""
    extra: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.manual or self.steps or self.inputs or self.extra)


KNOWN_KEYS = {
    "inputs",
    "steps",
    "due_date",
    "latest_date",
    "citation",
    "rule",
    "window_opens",
    "warnings",
    "superseded",
    "notes",
    "manual",
}


def _inputs(inputs: dict) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    trigger = inputs.get("trigger") or {}
    if trigger:
        params = trigger.get("params") or {}
        text = f"{trigger.get('code', '?')} dated {fmt_date(trigger.get('date'))}"
        if params:
            text += " (" + ", ".join(f"{k} = {v}" for k, v in params.items()) + ")"
        rows.append(("Triggering event", text))
    matter = inputs.get("matter") or {}
    labels = {
        "office": "Office",
        "filing_date": "Filing date",
        "priority_date": "Earliest priority date",
        "grant_date": "Grant date",
        "applicant_residence": "Applicant residence",
    }
    for key, label in labels.items():
        if key in matter:
            value = matter[key]
            rows.append((label, fmt_date(value) if key.endswith("_date") else (value or "—")))
    for key, value in matter.items():
        if key not in labels:
            rows.append((key.replace("_", " ").capitalize(), str(value)))
    if inputs.get("calendar"):
        rows.append(("Calendar", inputs["calendar"]))
    if inputs.get("convention"):
        rows.append(("Period counted under", inputs["convention"]))
    for key, value in inputs.items():
        if key not in {"trigger", "matter", "calendar", "convention"}:
            rows.append((key.replace("_", " ").capitalize(), str(value)))
    return rows


def explain(data: dict | None) -> Explanation:
    data = data or {}
    out = Explanation()
    if "manual" in data:
        out.manual = data["manual"]
    rule = data.get("rule") or {}
    out.rule_id = rule.get("id", "") if isinstance(rule, dict) else str(rule)
    out.rule_version = rule.get("version", "") if isinstance(rule, dict) else ""
    out.citation = data.get("citation", "")
    out.inputs = _inputs(data.get("inputs") or {})
    for step in data.get("steps") or []:
        if step.get("op") == "extension":
            out.extensions.append(
                ExtensionBlock(
                    model=EXTENSION_MODELS.get(step.get("model", ""), step.get("model", "")),
                    citation=step.get("citation", ""),
                    counted_from=step.get("counted_from", ""),
                    surcharge=bool(step.get("surcharge")),
                    options=[
                        ExtensionOption(
                            months=o.get("months"),
                            until=fmt_date(o.get("until")),
                            unrolled=fmt_date(o.get("unrolled")),
                            moved_because=[
                                f"{fmt_date(s.get('date'))}: {describe_causes(s.get('causes', []))}"
                                for s in o.get("skipped", [])
                            ],
                        )
                        for o in step.get("options", [])
                    ],
                )
            )
        else:
            out.steps.append(describe_step(step))
    out.warnings = list(data.get("warnings") or [])
    out.notes = data.get("notes", "")
    out.superseded = data.get("superseded", "")
    out.window_opens = fmt_date(data["window_opens"]) if data.get("window_opens") else ""
    out.due_date = fmt_date(data.get("due_date")) if data.get("due_date") else ""
    out.latest_date = fmt_date(data.get("latest_date")) if data.get("latest_date") else ""
    out.extra = [(k, str(v)) for k, v in data.items() if k not in KNOWN_KEYS]
    return out


@dataclass
class Remedy:
    name: str
    until: str
    citation: str
    basis: str


def remedies(data: list | None) -> list[Remedy]:
    return [
        Remedy(
            name=r.get("name", "?"),
            until=fmt_date(r.get("until")) if r.get("until") else "",
            citation=r.get("citation", ""),
            basis=r.get("basis", ""),
        )
        for r in (data or [])
        if isinstance(r, dict)
    ]


USER_FIELDS = {
    "verified_by",
    "last_changed_by",
    "responsible",
    "responsible_attorney",
    "responsible_paralegal",
}


def history_changes(records: list) -> list[dict]:
    """simple-history records (newest first) → who/when/why/what changed, for the page and the timeline."""
    out = []
    pending: list[dict] = []
    for i, record in enumerate(records):
        older = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if older is not None and record.history_type == "~":
            try:
                delta = record.diff_against(older)
            except Exception:  # a schema change between the two rows: show the row without a diff
                delta = None
            for change in delta.changes if delta else []:
                if change.field in {"updated_at"}:
                    continue
                if _is_json(change.old) or _is_json(change.new):
                    # JSON fields (explanation, remedies, params…) come out of diff_against as dicts and
                    # lists: unhashable for the choice lookup and unreadable as a repr, so they are told in words.
                    old, new = describe_json_change(change.field, change.old, change.new)
                    changes.append({"field": change.field.replace("_", " "), "old": old, "new": new})
                    continue
                labels = _choice_labels(record, change.field)
                item = {
                    "field": change.field.replace("_", " "),
                    "old": labels.get(change.old, change.old),
                    "new": labels.get(change.new, change.new),
                    "user_field": change.field in USER_FIELDS,
                }
                changes.append(item)
                pending.append(item)
        out.append(
            {
                "when": record.history_date,
                "who": _who(record),
                "why": record.history_change_reason or "",
                "type": {"+": "created", "~": "changed", "-": "deleted"}.get(record.history_type, record.history_type),
                "changes": changes,
            }
        )
    # Foreign keys to users arrive as ids; show names (one query for the whole page).
    ids = {v for item in pending if item["user_field"] for v in (item["old"], item["new"]) if v}
    names = {}
    if ids:
        from django.contrib.auth import get_user_model

        names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    for item in pending:
        for side in ("old", "new"):
            value = item[side]
            item[side] = names.get(value, value) if item["user_field"] and value else _short(value)
    return out


def _choice_labels(record, name: str) -> dict:
    try:
        return dict(record._meta.get_field(name).flatchoices)
    except Exception:  # a field removed since: show raw values
        return {}


def _who(record) -> str:
    actor = getattr(record, "history_actor", "") or ""
    if actor.startswith("user:"):
        return actor[5:]
    if actor.startswith("process:"):
        return f"{actor[8:]} (automatic)"
    user = getattr(record, "history_user", None)
    return user.get_username() if user else (actor or "unknown")


def _short(value: Any, limit: int = 80) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%d %b %Y %H:%M UTC")
    if isinstance(value, dt.date):
        return fmt_date(value)
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_json(value: Any) -> bool:
    return isinstance(value, dict | list)


def describe_json_change(name: str, old: Any, new: Any) -> tuple[str, str]:
    """Old and new value of a JSON field in plain words (never a Python repr).

    When the short summaries of both sides read the same (e.g. only a roll-forward step of the explanation
    changed), the parts that differ are named, so a recorded change is never shown as "X → X".
    """
    old_text, new_text = describe_json(name, old), describe_json(name, new)
    if old_text == new_text and isinstance(old, dict) and isinstance(new, dict):
        differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        if differ:
            new_text += " (changed: " + ", ".join(k.replace("_", " ") for k in differ) + ")"
    return old_text, new_text


def describe_json(name: str, value: Any) -> str:
    if value in (None, "", {}, []):
        return "—"
    if name == "explanation" and isinstance(value, dict):
        return _describe_explanation(value)
    if name == "remedies" and isinstance(value, list):
        parts = [
            f"{r.name}" + (f" until {r.until}" if r.until else "") + (f" ({r.citation})" if r.citation else "")
            for r in remedies(value)
        ]
        return _short("; ".join(parts) or "none", limit=200)
    return _short(_plain(value), limit=200)


def _describe_explanation(data: dict) -> str:
    if isinstance(data.get("manual"), dict):
        manual = data["manual"]
        text = f"entered by hand by {manual.get('entered_by', '?')}"
        return text + (f": {manual['reason']}" if manual.get("reason") else "")
    parts = []
    if data.get("due_date"):
        parts.append(f"computed due {fmt_date(data['due_date'])}")
    if data.get("latest_date") and data.get("latest_date") != data.get("due_date"):
        parts.append(f"latest {fmt_date(data['latest_date'])}")
    periods = [str(s["period"]) for s in data.get("steps") or [] if isinstance(s, dict) and s.get("op") == "add"]
    if periods:
        parts.append("period " + " + ".join(periods))
    rule = data.get("rule")
    if isinstance(rule, dict) and rule.get("id"):
        parts.append(f"rule {rule['id']}" + (f" v{rule['version']}" if rule.get("version") else ""))
    if data.get("superseded"):
        parts.append(f"superseded: {data['superseded']}")
    return ", ".join(parts) if parts else _short(_plain(data), limit=200)


def _plain(value: Any) -> str:
    """Nested JSON as 'key: value' text."""
    if isinstance(value, dict):
        return ", ".join(f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
