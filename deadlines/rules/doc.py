"""The rule list for the docs, generated from RULES (docs/rules.md).

`python3 manage.py deadlines rules --markdown > docs/rules.md` rewrites it; tests/docs/test_rules_md.py fails
when the committed list differs from what the rules say. Pure Python like the rest of deadlines.rules: the
management command is only the way in.
"""

from __future__ import annotations

from .model import Base, ExtensionModel, Rule, Term

HEADER = (
    "| rule (version) | triggered by | period | calendar / arithmetic | extension / grace | remedies | citation |\n"
    "|---|---|---|---|---|---|---|\n"
)
_BASES = {Base.PRIORITY: " from priority", Base.FILING: " from filing", Base.GRANT: " from grant", Base.EVENT: ""}


def _term(t: Term) -> str:
    text = f"{t.duration}{_BASES[t.base]}"
    if t.param:
        text += f" (or `params.{t.param}`)"
    if t.only_with_priority:
        text += " (if priority claimed)"
    return text


def _period(rule: Rule) -> str:
    if rule.series:
        labels = [label for label, _ in rule.series.instances]
        text = f"series {labels[0]}–{labels[-1]}" + (" (month end)" if rule.series.due_at_month_end else "")
    elif len(rule.terms) > 1:
        text = "later of " + " and ".join(_term(t) for t in rule.terms)
    else:
        text = _term(rule.terms[0])
    if rule.special:
        text += f" (special: {rule.special})"
    if rule.cap:
        text += f", never past {rule.cap.duration}"
    if rule.no_roll:
        text += ", not moved past closed days"
    return text


def _calendar(rule: Rule) -> str:
    cal = {"@receiving_office": "receiving office's", "@ipea": "IPEA's", "@matter": "matter office's"}.get(
        rule.calendar, rule.calendar
    )
    return f"{cal} / {rule.convention.value}"


def _extension(rule: Rule) -> str:
    ext = rule.extension
    if ext is None:
        return "–"
    model = {
        ExtensionModel.PER_MONTH_FEE: "per-month fee",
        ExtensionModel.ON_REQUEST: "on request",
        ExtensionModel.GRACE_SURCHARGE: "grace + surcharge",
    }[ext.model]
    if ext.days:
        amount = f"+{ext.days} days"
    elif ext.options:
        amount = "+" + " or +".join(f"{n} mo" for n in ext.options)
    else:
        amount = f"+{ext.months} mo"
    ceiling = f", at most {ext.max_total} in total" if ext.max_total else ""
    return f"{model}, {amount}{ceiling} ({ext.citation})"


def _trigger(rule: Rule) -> str:
    text = ", ".join(f"`{t}`" for t in rule.triggers)
    c = rule.conditions
    extra = []
    if c.residence:
        extra.append(f"{c.residence} applicant")
    if c.designated_office:
        extra.append(f"designated {c.designated_office}")
    if c.matter_kinds:
        extra.append("kind " + "/".join(c.matter_kinds))
    if c.exclude_kinds:
        extra.append("not " + "/".join(c.exclude_kinds))
    if c.routes:
        extra.append("route " + "/".join(c.routes))
    if c.event_flag:
        extra.append(f"params.{c.event_flag[0]} {'set' if c.event_flag[1] else 'not set'}")
    if c.requires_priority:
        extra.append("priority claimed")
    if c.filed_from:
        extra.append(f"filed ≥ {c.filed_from.isoformat()}")
    if c.filed_until:
        extra.append(f"filed ≤ {c.filed_until.isoformat()}")
    return text + (f" ({'; '.join(extra)})" if extra else "")


def _name(rule: Rule) -> str:
    text = f"{rule.id} v{rule.version}"
    if rule.effective_until and rule.effective_from:
        text += f" (documents {rule.effective_from.isoformat()} – {rule.effective_until.isoformat()})"
    elif rule.effective_until:
        text += f" (documents ≤ {rule.effective_until.isoformat()})"
    elif rule.effective_from:
        text += f" (documents ≥ {rule.effective_from.isoformat()})"
    if rule.optional:
        text += " — optional (loses an option, not the right: never overdue)"
    return text


def rule_row(rule: Rule) -> str:
    remedies = "; ".join(f"{r.name} ({r.citation})" for r in rule.remedies) or "–"
    cells = [_name(rule), _trigger(rule), _period(rule), _calendar(rule), _extension(rule), remedies, rule.citation]
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |\n"


def rules_table() -> str:
    from .registry import RULES

    return HEADER + "".join(rule_row(r) for r in RULES)


def rules_markdown() -> str:
    return (
        "# Deadline rules\n\n"
        "Generated from `deadlines.rules.RULES` by `python3 manage.py deadlines rules --markdown > docs/rules.md` "
        "(a test fails when this file is out of date). Each computed deadline carries its rule id and version; "
        "each rule's notes (in the explanation) say what the table cannot. How the engine uses these rules: "
        "[deadlines.md](deadlines.md).\n\n" + rules_table() + "\n" + checklist_markdown()
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def checklist_markdown() -> str:
    """The "Issue 15 checklist" section: issue item -> rule (and its triggers) -> office codes -> test ids."""
    from .checklist import ITEMS
    from .registry import RULES

    triggers: dict[str, list[str]] = {}
    for rule in RULES:
        for code in rule.triggers:
            if code not in triggers.setdefault(rule.id, []):
                triggers[rule.id].append(code)
    out = [
        "## Issue 15 checklist\n\n"
        "Each correction and new rule of issue 15, the rule that implements it (with the event codes that "
        "trigger it), the office codes mapped to those triggers, and the tests that prove it: each test id "
        "cites its source (month-ends, leap years, holiday sources). From `deadlines/rules/checklist.py`; "
        "tests/docs/test_rules_checklist.py fails if a rule, mapping or test named here does not exist.\n\n"
        "| section | issue 15 item | rule (triggered by) | office codes | tests (pytest node ids) | note |\n"
        "|---|---|---|---|---|---|\n"
    ]
    for item in ITEMS:
        rules = "<br>".join(
            f"{r} ({', '.join(f'`{t}`' for t in triggers.get(r, []))})" for r in item.rules
        ) or "–"
        codes = "<br>".join(_cell(c) for c in item.office_codes) or "–"
        tests = "<br>".join(f"`{_cell(t)}`" for t in item.tests)
        out.append(
            f"| {item.section} | {_cell(item.item)} | {rules} | {codes} | {tests} | {_cell(item.note) or '–'} |\n"
        )
    return "".join(out)


def rule_lines() -> str:
    """One line per rule for a terminal: id and version, what triggers it, its citation."""
    from .registry import RULES

    return "".join(f"{_name(r)}  {_trigger(r)}  [{r.citation}]\n" for r in RULES)
