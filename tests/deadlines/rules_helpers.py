"""Small helpers shared by the rule tests (pure Python, no Django)."""

from __future__ import annotations

from datetime import date

from deadlines.rules import EventFact, MatterFacts, compute_deadlines

D = date.fromisoformat

EPO_XMAS_2025 = {
    D(f"2025-12-{d}"): ("Christmas closure", "EPO website notice: offices closed 24 Dec 2025 - 1 Jan 2026")
    for d in range(24, 32)
} | {D("2026-01-01"): ("Christmas closure", "EPO website notice: offices closed 24 Dec 2025 - 1 Jan 2026")}


def run(office: str, events: list[tuple[str, str] | tuple[str, str, dict]], *, closures=None, today=None, **facts):
    """Compute deadlines for events given as (code, date[, params]); refs are e0, e1, ..."""
    for k, v in list(facts.items()):
        if k.endswith("_date") and isinstance(v, str):
            facts[k] = D(v)
    matter = MatterFacts(office=office, **facts)
    evs = [EventFact(f"e{i}", e[0], D(e[1]), e[2] if len(e) > 2 else {}) for i, e in enumerate(events)]
    return compute_deadlines(matter, evs, closures, today=D(today) if today else None)


def one(deadlines, rule: str, instance: str = ""):
    found = [d for d in deadlines if d.rule == rule and d.instance == instance]
    assert len(found) == 1, f"expected one {rule} {instance!r}, got {[d.key for d in deadlines]}"
    return found[0]


def skipped_causes(deadline) -> list[str]:
    out = []
    for step in deadline.explanation["steps"]:
        if step["op"] == "roll_forward" and step["what"] == "due date":
            for day in step["skipped"]:
                out.extend(c["name"] for c in day["causes"])
    return out
