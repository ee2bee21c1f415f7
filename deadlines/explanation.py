"""A deadline's explanation: typed steps built once from what the engine stored, and their renderings.

The engine stores each computation as JSON (``Deadline.explanation``): inputs, a list of steps each with an
``op``, extension options, warnings and notes; remedies sit beside it (``Deadline.remedies``). ``explain``
turns that into an ``Explanation`` of typed ``Step``s. Three readers render the same object:

- the deadline page: ``render_html`` (the ``deadlines/_explanation.html`` fragment);
- ``manage.py deadlines explain``: ``render_text`` with the deadline's header;
- the reminder e-mail: ``render_text`` (plain part) and ``render_html`` (HTML part).

Every op the engine emits has a sentence here; an op we do not know yet is still shown, field by field, so
nothing in the explanation is ever hidden from the paralegal. No database access, no writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from .formatting import fmt_date

if TYPE_CHECKING:
    from deadlines.models import Deadline


def _iso(value: Any) -> str:
    """A stored date as the command line shows it (ISO, greppable); anything else as it was stored."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


# --- Typed pieces ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cause:
    """Why the office is closed on a day: a weekend, a public holiday or a recorded closure."""

    kind: str
    name: str
    source: str = ""
    raw: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cause:
        return cls(
            kind=str(data.get("type", "")),
            name=str(data.get("name", "")),
            source=str(data.get("source", "")),
            raw=tuple(data.items()),
        )

    def sentence(self) -> str:
        source = f" [{self.source}]" if self.source else ""
        if self.kind == "weekend":
            return f"weekend ({self.name})"
        if self.kind == "holiday":
            return f"public holiday: {self.name}{source}"
        if self.kind == "closure":
            return f"office closed: {self.name}{source}"
        return ", ".join(f"{k}: {v}" for k, v in self.raw)

    def short(self) -> str:
        return f"{self.name} [{self.source}]"


@dataclass(frozen=True)
class SkippedDay:
    """A day a date could not fall on, with the reasons the office was closed."""

    date: str  # as stored (ISO)
    causes: tuple[Cause, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SkippedDay:
        return cls(date=_iso(data.get("date")), causes=tuple(Cause.from_json(c) for c in data.get("causes", [])))

    def sentence(self) -> str:
        return f"{fmt_date(self.date)}: {'; '.join(c.sentence() for c in self.causes) or 'office closed'}"

    def short(self) -> str:
        return f"{self.date}: {'; '.join(c.short() for c in self.causes)}"


@dataclass
class Step:
    """One step of the computation, as the engine recorded it (``kind`` is its op)."""

    kind: str
    title: str
    text: str
    result: str = ""  # the date it produced, formatted for reading
    citation: str = ""
    details: list[str] = field(default_factory=list)
    emphasis: bool = False  # a roll-forward or cap: the date moved for a reason the user should see
    result_date: str = ""  # the date it produced, as stored (ISO)
    start_date: str = ""  # the date it started from, as stored (ISO)
    period: str = ""
    base: str = ""  # what the period counts from (the event, the filing date …)
    note: str = ""
    what: str = ""  # which date a roll-forward moved (due date, end of grace …)
    skipped: tuple[SkippedDay, ...] = ()
    source_event: str = ""  # the office event (ref) the computation started from
    raw: dict[str, Any] = field(default_factory=dict)


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
    until_date: str = ""
    unrolled_date: str = ""


@dataclass
class ExtensionBlock:
    model: str
    citation: str
    counted_from: str
    surcharge: bool
    options: list[ExtensionOption]
    model_code: str = ""


@dataclass
class Remedy:
    name: str
    until: str
    citation: str
    basis: str
    until_date: str = ""


@dataclass
class Explanation:
    manual: dict[str, Any] | None = None
    rule_id: str = ""
    rule_version: Any = ""
    citation: str = ""
    trigger: dict[str, Any] = field(default_factory=dict)
    calendar: str = ""
    convention: str = ""
    inputs: list[tuple[str, str]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    extensions: list[ExtensionBlock] = field(default_factory=list)
    remedies: list[Remedy] = field(default_factory=list)
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


# --- Building ---------------------------------------------------------------------------------------


def describe_causes(causes: list[dict[str, Any]]) -> str:
    return "; ".join(Cause.from_json(c).sentence() for c in causes or []) or "office closed"


def _base_step(step: dict[str, Any], *, source_event: str) -> Step:
    """The fields every op shares, with a generic title and text (used as is for an op we do not know)."""
    op = str(step.get("op", "step"))
    return Step(
        kind=op,
        title=op.replace("_", " ").capitalize(),
        text=str(step.get("note", "")),
        result=fmt_date(step["result"]) if step.get("result") else "",
        citation=str(step.get("citation", "")),
        details=[f"{k}: {v}" for k, v in step.items() if k not in {"op", "result", "citation", "note"}],
        result_date=_iso(step.get("result")),
        start_date=_iso(step.get("from")),
        period=str(step.get("period", "")),
        base=str(step.get("base", "") or ""),
        note=str(step.get("note", "")),
        what=str(step.get("what", "")),
        skipped=tuple(SkippedDay.from_json(s) for s in step.get("skipped", []) or []),
        source_event=source_event,
        raw=dict(step),
    )


def describe_step(step: dict[str, Any], *, source_event: str = "") -> Step:
    """One stored step in plain words: a title, a sentence, the date it produced and its citation."""
    out = _base_step(step, source_event=source_event)
    op = out.kind
    known = True
    if op == "deemed_notification":
        out.title = "Deemed notification"
        out.text = f"The document is dated {fmt_date(step.get('document_date'))}; {out.note}."
        out.result = fmt_date(step.get("result"))
    elif op == "add":
        base = f" ({out.base})" if out.base else ""
        out.title = "Add the period"
        out.text = f"{fmt_date(step.get('from'))}{base} + {step.get('period', '?')} = {fmt_date(step.get('result'))}"
        out.result = fmt_date(step.get("result"))
        out.details = [out.note] if out.note else []
    elif op == "later_of":
        candidates = ", ".join(fmt_date(c) for c in step.get("candidates", []))
        out.title, out.text, out.citation = "The later date applies", f"Candidates: {candidates}. {out.note}", ""
        out.result = fmt_date(step.get("result"))
    elif op == "month_end":
        out.title = "Move to the end of the month"
        out.text = f"{fmt_date(step.get('from'))} → {fmt_date(step.get('result'))}: {out.note}"
        out.result = fmt_date(step.get("result"))
    elif op == "cap":
        out.title, out.result, out.emphasis = "Capped", fmt_date(step.get("result")), True
    elif op == "roll_forward":
        what = out.what or "date"
        out.title = f"Moved forward: the office is closed on the {what}"
        out.text = (
            f"{fmt_date(step.get('from'))} is not a working day of the office, so the {what} moves to the next "
            f"day it is open: {fmt_date(step.get('result'))}."
        )
        out.result = fmt_date(step.get("result"))
        out.details = [s.sentence() for s in out.skipped]
        out.citation, out.emphasis = "", True
    elif op == "mpep_706_07_f":
        out.title = "Advisory action after a final rejection (MPEP 706.07(f))"
        out.citation = str(step.get("citation", "MPEP 706.07(f)"))
        out.emphasis = bool(step.get("result"))
    else:
        known = False
    if known and op not in ("add", "roll_forward"):
        out.details = []
    return out


def _extension(step: dict[str, Any]) -> ExtensionBlock:
    model = str(step.get("model", ""))
    return ExtensionBlock(
        model=EXTENSION_MODELS.get(model, model),
        model_code=model,
        citation=str(step.get("citation", "")),
        counted_from=str(step.get("counted_from", "")),
        surcharge=bool(step.get("surcharge")),
        options=[
            ExtensionOption(
                months=o.get("months"),
                until=fmt_date(o.get("until")),
                unrolled=fmt_date(o.get("unrolled")),
                moved_because=[SkippedDay.from_json(s).sentence() for s in o.get("skipped", [])],
                until_date=_iso(o.get("until")),
                unrolled_date=_iso(o.get("unrolled")),
            )
            for o in step.get("options", [])
        ],
    )


MATTER_LABELS = {
    "office": "Office",
    "filing_date": "Filing date",
    "priority_date": "Earliest priority date",
    "grant_date": "Grant date",
    "applicant_residence": "Applicant residence",
}


def document_source(params: dict[str, Any]) -> str:
    """"from document 12, page 2" for an event read from an uploaded document; "" otherwise."""
    if not params.get("document"):
        return ""
    page = f", page {params['document_page']}" if params.get("document_page") else ""
    return f"from document {params['document']}{page}"


def _inputs(inputs: dict[str, Any], event_labels: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    trigger = inputs.get("trigger") or {}
    if trigger:
        params = dict(trigger.get("params") or {})
        # An event accepted from an uploaded office document names it (patents.documents): say where it was read.
        source = document_source(params)
        params.pop("document", None), params.pop("document_page", None)
        code = trigger.get("code", "?")
        text = f"{(event_labels or {}).get(code) or code} dated {fmt_date(trigger.get('date'))}"
        if params:
            text += " (" + ", ".join(f"{k} = {v}" for k, v in params.items()) + ")"
        if source:
            text += f", {source}"
        rows.append(("Triggering event", text))
    matter = inputs.get("matter") or {}
    for key, label in MATTER_LABELS.items():
        if key in matter:
            value = matter[key]
            rows.append((label, fmt_date(value) if key.endswith("_date") else (value or "—")))
    for key, value in matter.items():
        if key not in MATTER_LABELS:
            rows.append((key.replace("_", " ").capitalize(), str(value)))
    if inputs.get("calendar"):
        rows.append(("Calendar", inputs["calendar"]))
    if inputs.get("convention"):
        rows.append(("Period counted under", inputs["convention"]))
    for key, value in inputs.items():
        if key not in {"trigger", "matter", "calendar", "convention"}:
            rows.append((key.replace("_", " ").capitalize(), str(value)))
    return rows


def remedies(data: list[Any] | None) -> list[Remedy]:
    return [
        Remedy(
            name=r.get("name", "?"),
            until=fmt_date(r.get("until")) if r.get("until") else "",
            citation=r.get("citation", ""),
            basis=r.get("basis", ""),
            until_date=_iso(r.get("until")),
        )
        for r in (data or [])
        if isinstance(r, dict)
    ]


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


def explain(
    data: dict[str, Any] | None,
    remedy_data: list[Any] | None = None,
    *,
    event_labels: Mapping[str, str] | None = None,
) -> Explanation:
    """The typed explanation of a stored computation (``Deadline.explanation`` and ``Deadline.remedies``).
    ``event_labels`` (canonical code → the event type's label) lets pages name the trigger in words."""
    data = data or {}
    out = Explanation()
    if "manual" in data:
        out.manual = data["manual"]
    rule = data.get("rule") or {}
    out.rule_id = rule.get("id", "") if isinstance(rule, dict) else str(rule)
    out.rule_version = rule.get("version", "") if isinstance(rule, dict) else ""
    out.citation = data.get("citation", "")
    inputs = data.get("inputs") or {}
    out.trigger = inputs.get("trigger") or {}
    out.calendar = str(inputs.get("calendar") or "")
    out.convention = str(inputs.get("convention") or "")
    out.inputs = _inputs(inputs, event_labels)
    source_event = str(out.trigger.get("ref", "") or "")
    for step in data.get("steps") or []:
        if step.get("op") == "extension":
            out.extensions.append(_extension(step))
        else:
            out.steps.append(describe_step(step, source_event=source_event))
    out.remedies = remedies(remedy_data)
    out.warnings = list(data.get("warnings") or [])
    out.notes = data.get("notes", "")
    out.superseded = data.get("superseded", "")
    out.window_opens = fmt_date(data["window_opens"]) if data.get("window_opens") else ""
    out.due_date = fmt_date(data.get("due_date")) if data.get("due_date") else ""
    out.latest_date = fmt_date(data.get("latest_date")) if data.get("latest_date") else ""
    out.extra = [(k, str(v)) for k, v in data.items() if k not in KNOWN_KEYS]
    return out


def explain_deadline(deadline: Deadline) -> Explanation:
    return explain(deadline.explanation, deadline.remedies)


# --- Rendering --------------------------------------------------------------------------------------


def render_html(explanation: Explanation, *, deadline: Deadline | None = None) -> str:
    """The explanation as the deadline page shows it (the e-mail's HTML part uses the same fragment)."""
    return render_to_string(
        "deadlines/_explanation.html",
        {"explanation": explanation, "remedies": explanation.remedies, "deadline": deadline},
    )


def render_text(explanation: Explanation, *, deadline: Deadline | None = None) -> str:
    """Plain text, one fact a line: the command line (with the deadline's header) and the e-mail."""
    lines = _header_lines(deadline) if deadline is not None else []
    lines += _input_lines(explanation)
    for step in explanation.steps:
        lines += _step_lines(step)
    for block in explanation.extensions:
        lines.append(f"  {block.model_code} ({block.citation}):")
        for option in block.options:
            unrolled = f" (unrolled {option.unrolled_date})" if option.unrolled_date != option.until_date else ""
            lines.append(f"      {option.months} month(s): until {option.until_date}{unrolled}")
    for remedy in explanation.remedies:
        until = remedy.until_date or "(depends on a later communication)"
        lines.append(f"  remedy: {remedy.name} until {until} [{remedy.citation}] {remedy.basis or ''}".rstrip())
    lines += [f"  warning: {warning}" for warning in explanation.warnings]
    if explanation.superseded:
        lines.append(f"  superseded: {explanation.superseded}")
    if deadline is not None and deadline.closed_reason:
        lines.append(f"  closed by the office record: {deadline.closed_reason}")
    if explanation.notes:
        lines.append(f"  note: {explanation.notes}")
    return "\n".join(lines)


def _header_lines(deadline: Deadline) -> list[str]:
    latest = f"; latest {deadline.latest_date.isoformat()}" if deadline.latest_date else ""
    return [
        f"{deadline.title} — {deadline.matter.reference}",
        f"  rule {deadline.rule_id} v{deadline.rule_version} ({deadline.get_kind_display()}), {deadline.citation}",
        f"  status {deadline.status}; due {deadline.due_date.isoformat()}{latest}",
    ]


def _input_lines(explanation: Explanation) -> list[str]:
    lines = []
    if explanation.manual:
        manual = explanation.manual
        reason = f": {manual['reason']}" if manual.get("reason") else ""
        lines.append(f"  entered by hand by {manual.get('entered_by', '?')}{reason}")
    trigger = explanation.trigger
    if trigger:
        params = f" params {trigger.get('params')}" if trigger.get("params") else ""
        source = document_source(trigger.get("params") or {})
        lines.append(f"  trigger: {trigger.get('code')} of {trigger.get('date')} (event {trigger.get('ref')}){params}"
                     + (f", {source}" if source else ""))
    if explanation.calendar:
        lines.append(f"  {explanation.calendar}; arithmetic: {explanation.convention or None}")
    return lines


def _step_lines(step: Step) -> list[str]:
    if step.kind == "add":
        return [
            f"  + {step.period} from {step.start_date} ({step.base}) = {step.result_date}"
            f"  [{step.citation or None}: {step.note or None}]"
        ]
    if step.kind == "roll_forward":
        return [
            f"  {step.what} {step.start_date} → {step.result_date} (office closed:",
            *(f"      {day.short()}" for day in step.skipped),
            "    )",
        ]
    detail = {k: v for k, v in step.raw.items() if k != "op"}
    return [f"  {step.kind}: {json.dumps(detail, default=str)}"]
