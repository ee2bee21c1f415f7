"""A stored deadline's explanation as plain text (the CLI's ``deadlines explain``; the dashboard renders the
same JSON)."""

from __future__ import annotations

import json

from ..models import Deadline


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
