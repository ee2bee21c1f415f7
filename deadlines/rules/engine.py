"""The one pure entry point: facts and events in, explained deadlines out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from .calendars import Closures, OfficeCalendar, calendar_for, normalize_office
from .model import (
    Base,
    ComputedDeadline,
    EventFact,
    Extension,
    ExtensionModel,
    MatterFacts,
    Notification,
    Rule,
    Status,
    Term,
)
from .periods import CONVENTION_CITATIONS, Convention, Duration, add_period, last_day_of_month


@dataclass
class ComputeResult:
    deadlines: list[ComputedDeadline] = field(default_factory=list)
    # Facts a rule needed but did not get. Reported, never swallowed: a deadline we cannot compute is
    # something a paralegal must see.
    problems: list[dict] = field(default_factory=list)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _calendar(
    rule: Rule, matter: MatterFacts, event: EventFact, closures: Closures | None, cache: dict | None = None
) -> tuple[OfficeCalendar, str]:
    spec = rule.calendar
    if spec == "@receiving_office":
        code = event.params.get("receiving_office") or matter.receiving_office
        why = f"calendar of the receiving office ({code or 'unknown'})"
    elif spec == "@ipea":
        code = event.params.get("ipea") or matter.ipea
        why = f"calendar of the IPEA ({code or 'unknown'})"
    elif spec == "@matter":
        code = matter.office
        why = f"calendar of the office where the application is filed ({code})"
    else:
        code = spec
        why = f"calendar of {spec}"
    return calendar_for(code, closures, cache), why


def _notified(rule: Rule, event: EventFact) -> tuple[date, list[dict]]:
    if rule.notification is Notification.EPO_TEN_DAY:
        deemed = event.date + timedelta(days=10)
        return deemed, [
            {
                "op": "deemed_notification",
                "document_date": event.date.isoformat(),
                "result": deemed.isoformat(),
                "citation": "EPC Rules 126(2), 127(2) as in force until 31 Oct 2023",
                "note": "documents dated before 1 Nov 2023 are deemed notified on the tenth day after their date",
            }
        ]
    if rule.notification is Notification.EPO_DATE_BORNE:
        return event.date, [
            {
                "op": "deemed_notification",
                "document_date": event.date.isoformat(),
                "result": event.date.isoformat(),
                "citation": "EPC Rules 126(2), 127(2) as amended with effect from 1 Nov 2023 (OJ EPO 2022, A101)",
                "note": "documents dated on or after 1 Nov 2023 are deemed notified on the date they bear",
            }
        ]
    return event.date, []


def _base_date(term: Term, notified: date, matter: MatterFacts) -> tuple[date | None, str]:
    if term.base is Base.EVENT:
        return notified, "event"
    if term.base is Base.FILING:
        return matter.filing_date, "filing date"
    if term.base is Base.GRANT:
        return matter.grant_date, "grant date"
    if matter.priority_date:
        return matter.priority_date, "priority date"
    return matter.filing_date, "filing date (no priority claimed)"


def _duration(term: Term, event: EventFact) -> Duration:
    if term.param and term.param in event.params:
        return Duration(months=int(event.params[term.param]))
    return term.duration


def _roll(cal: OfficeCalendar, d: date, steps: list[dict], label: str) -> date:
    rolled, skipped = cal.roll_forward(d)
    if skipped:
        steps.append(
            {
                "op": "roll_forward",
                "what": label,
                "from": d.isoformat(),
                "result": rolled.isoformat(),
                "skipped": skipped,
            }
        )
    return rolled


def _matches(rule: Rule, matter: MatterFacts, event: EventFact | None = None) -> bool:
    c = rule.conditions
    if c.event_flag and event is not None and bool(event.params.get(c.event_flag[0])) is not c.event_flag[1]:
        return False
    if c.matter_kinds and matter.kind not in c.matter_kinds:
        return False
    if c.exclude_kinds and matter.kind in c.exclude_kinds:
        return False
    if c.requires_priority and matter.priority_date is None:
        return False
    # Unknown filing date: the newer regime applies (filed_from matches, filed_until does not), so a rule set
    # split by filing date never leaves the matter with nothing.
    if c.filed_from and matter.filing_date and matter.filing_date < c.filed_from:
        return False
    if c.filed_until and (matter.filing_date is None or matter.filing_date > c.filed_until):
        return False
    if c.routes and matter.route not in c.routes:
        return False
    if c.residence and matter.applicant_residence != c.residence:
        return False
    if c.designated_office:
        if c.needs_designations and not matter.designated_offices:
            return False
        designated = tuple(normalize_office(o) for o in matter.designated_offices) or ("US", "EP", "JP")
        if c.designated_office not in designated:
            return False
    return True


def _still_running(rule: Rule, event: EventFact, today: date | None) -> bool:
    """A missing fact is worth a problem while the period it decides can still be met: an EP patent granted
    years ago without validation states recorded is history, not a task."""
    if today is None:
        return True
    end, _ = add_period(event.date, rule.terms[0].duration, rule.convention)
    return end >= today


def _without_designation(rule: Rule) -> Rule:
    return replace(rule, conditions=replace(rule.conditions, designated_office=None, needs_designations=False))


def _ordered(events: Iterable[EventFact]) -> list[EventFact]:
    # Stable on input order for same-day events: a reply and an action on one day keep their recorded order.
    return [e for _, e in sorted(enumerate(events), key=lambda p: (p[1].date, p[0]))]


def _later_events(events: list[EventFact], trigger: EventFact) -> list[EventFact]:
    idx = next(i for i, e in enumerate(events) if e is trigger)
    return events[idx + 1 :]


def _expected_answer_value(rule: Rule, instance: str) -> str | None:
    if rule.series:
        return instance
    return rule.conditions.designated_office


def _param_matches(event: EventFact, key: str, expected: str | None) -> bool:
    if expected is None:
        return True
    value = event.params.get(key)
    if value is None:
        return False
    if key == "office":
        return normalize_office(str(value)) == expected
    try:
        return float(value) == float(expected)
    except (TypeError, ValueError):
        return str(value) == expected


def _supersession(rule: Rule, later: list[EventFact], instance: str) -> tuple[EventFact | None, str]:
    answer_key = "year" if rule.series else "office"
    expected = _expected_answer_value(rule, instance)
    for ev in later:
        if ev.code in rule.answered_by and _param_matches(ev, answer_key, expected):
            return ev, f"answered by {ev.code} of {ev.date.isoformat()}"
        if ev.code in rule.replaced_by:
            return ev, f"replaced by {ev.code} of {ev.date.isoformat()}"
    return None, ""


@dataclass
class _Period:
    """Where a deadline's period ends, as worked out step by step for one rule instance."""

    base: date  # the base date of the term that decided the end
    term: Term  # that term
    unrolled: date  # the end before moving past closed days
    due: date  # the end moved (or not, for no_roll rules) past closed days
    cap_date: date | None = None
    ext_from: date | None = None  # a special rule's own start for extensions (MPEP 706.07(f))
    ext_convention: Convention | None = None


def _inputs(rule: Rule, matter: MatterFacts, event: EventFact, cal_why: str) -> dict:
    return {
        "trigger": {
            "ref": event.ref,
            "code": event.code,
            "date": event.date.isoformat(),
            "params": event.params,
        },
        "matter": {
            "office": matter.office,
            "filing_date": _iso(matter.filing_date),
            "priority_date": _iso(matter.priority_date),
            "grant_date": _iso(matter.grant_date),
            "applicant_residence": matter.applicant_residence,
        },
        "calendar": cal_why,
        "convention": CONVENTION_CITATIONS[rule.convention],
    }


def _period_end(
    rule: Rule,
    matter: MatterFacts,
    event: EventFact,
    notified: date,
    steps: list[dict],
    instance_duration: Duration | None,
) -> tuple[date, Term, date] | dict:
    """The end of the period (the later of several terms), or the problem when a base date is missing."""
    candidates: list[tuple[date, Term, date]] = []
    for term in rule.terms:
        if term.only_with_priority and matter.priority_date is None:
            steps.append({"op": "skip_term", "period": str(term.duration), "note": "no priority claimed"})
            continue
        base, base_label = _base_date(term, notified, matter)
        if base is None:
            return {
                "rule": rule.id,
                "trigger": event.ref,
                "missing": term.base.value,
                "message": f"{rule.id} needs the matter's {term.base.value} date",
            }
        duration = instance_duration if instance_duration is not None else _duration(term, event)
        end, add_steps = add_period(base, duration, rule.convention)
        for s in add_steps:
            s["base"] = base_label
        steps.extend(add_steps)
        candidates.append((end, term, base))
    unrolled, chosen_term, base = max(candidates, key=lambda c: c[0])
    if len(candidates) > 1:
        steps.append(
            {
                "op": "later_of",
                "candidates": [c[0].isoformat() for c in candidates],
                "result": unrolled.isoformat(),
                "note": "the period ending later applies",
            }
        )
    if rule.series and rule.series.due_at_month_end:
        month_end = last_day_of_month(unrolled)
        steps.append(
            {
                "op": "month_end",
                "from": unrolled.isoformat(),
                "result": month_end.isoformat(),
                "note": "due on the last day of the month containing the anniversary",
                "citation": "EPC Rule 51(1)",
            }
        )
        unrolled = month_end
    return unrolled, chosen_term, base


def _due(
    *,
    rule: Rule,
    matter: MatterFacts,
    event: EventFact,
    later: list[EventFact],
    notified: date,
    end: tuple[date, Term, date],
    steps: list[dict],
    cal: OfficeCalendar,
    instance: str,
) -> _Period:
    """The period's end after the rule's cap and special hook, then moved past closed days."""
    unrolled, term, base = end
    cap_date = None
    if rule.cap:
        cap_base, _ = _base_date(rule.cap, notified, matter)
        if cap_base is not None:
            cap_date, cap_steps = add_period(cap_base, rule.cap.duration, rule.convention)
            if unrolled > cap_date:
                steps.extend(cap_steps)
                steps.append({"op": "cap", "result": cap_date.isoformat(), "note": rule.notes or "capped"})
                unrolled = cap_date

    special = SPECIALS.get(rule.special or "")
    ext_from = None
    ext_convention = None
    if special:
        override = special(
            rule=rule,
            event=event,
            later=later,
            unrolled=unrolled,
            steps=steps,
            cal=cal,
            matter=matter,
            instance=instance,
        )
        if isinstance(override, dict):
            unrolled = override["unrolled"]
            ext_from = override.get("ext_from")
            ext_convention = override.get("ext_convention")
        elif override is not None:
            unrolled, ext_from = override
    if rule.no_roll:
        due = unrolled
        if not cal.is_open(due):
            steps.append(
                {"op": "no_roll", "date": due.isoformat(), "note": "not moved past closed days: " + rule.notes}
            )
    else:
        due = _roll(cal, unrolled, steps, "due date")
    return _Period(base, term, unrolled, due, cap_date, ext_from, ext_convention)


def _extension_months(ext: Extension, d0: Duration) -> tuple[list[int], str | None]:
    """The month counts to list for an extension, clipped to its ceiling, and why they were clipped."""
    if ext.days:
        months_list: list[int] = [0]
    elif ext.options:
        months_list = list(ext.options)
    else:
        months_list = list(range(1, ext.months + 1)) if ext.per_month else [ext.months]
    ceiling_note = None
    if ext.max_total is not None and not d0.days and not d0.years:
        room = ext.max_total.months + 12 * ext.max_total.years - d0.months
        clipped = sorted({min(n, room) for n in months_list if room > 0})
        if clipped != months_list:
            ceiling_note = (
                f"a period of {d0} is already at the ceiling of {ext.max_total} in total: no routine "
                "extension beyond it (exceptional cases only)"
                if room <= 0
                else f"extensions clipped to {ext.max_total} in total"
            )
        months_list = clipped
    return months_list, ceiling_note


def _extensions(
    rule: Rule, ext: Extension, period: _Period, d0: Duration, cal: OfficeCalendar, steps: list[dict]
) -> tuple[date | None, date, list[dict]]:
    """Every extension or grace option: (latest date, its unrolled end, the options); adds the step."""
    latest = None
    latest_unrolled = period.unrolled
    extensions: list[dict] = []
    conv = period.ext_convention or ext.convention or rule.convention
    months_list, ceiling_note = _extension_months(ext, d0)
    for n in months_list:
        if ext.days:
            start = period.due if ext.counted_from == "rolled_due" else period.unrolled
            end, ext_steps = add_period(start, Duration(days=ext.days), conv)
        elif period.ext_from is not None:
            end, ext_steps = add_period(period.ext_from, Duration(months=n), conv)
        elif ext.counted_from == "base":
            end, ext_steps = add_period(period.base, d0.plus(months=n), conv)
        elif ext.counted_from == "rolled_due":
            end, ext_steps = add_period(period.due, Duration(months=n), conv)
        else:
            end, ext_steps = add_period(period.unrolled, Duration(months=n), conv)
        if period.cap_date and end > period.cap_date:
            ext_steps.append({"op": "cap", "result": period.cap_date.isoformat(), "note": rule.notes or "capped"})
            end = period.cap_date
        rolled, skipped = cal.roll_forward(end)
        extensions.append(
            {
                "months": n,
                **({"days": ext.days} if ext.days else {}),
                "unrolled": end.isoformat(),
                "until": rolled.isoformat(),
                "steps": ext_steps,
                "skipped": skipped,
            }
        )
        latest, latest_unrolled = rolled, end
    ext_step: dict[str, Any] = {
        "op": "extension",
        "model": ext.model.value,
        "citation": ext.citation,
        "counted_from": (
            "advisory action" if rule.special == "mpep_706_07_f" else period.ext_from.isoformat()
        )
        if period.ext_from
        else ext.counted_from,
        "surcharge": ext.surcharge,
        "options": extensions,
    }
    if ceiling_note:
        ext_step["note"] = ceiling_note
    steps.append(ext_step)
    return latest, latest_unrolled, extensions


def _remedies(rule: Rule, period: _Period, latest_unrolled: date, cal: OfficeCalendar) -> list[dict]:
    remedies = []
    for rem in rule.remedies:
        until = None
        if rem.from_base is not None:
            rem_end, _ = add_period(period.base, rem.from_base, rule.convention)
            until, _ = cal.roll_forward(rem_end)
        elif rem.from_due is not None:
            rem_end, _ = add_period(period.unrolled, rem.from_due, rule.convention)
            until, _ = cal.roll_forward(rem_end)
        elif rem.after_expiry is not None:
            rem_end, _ = add_period(latest_unrolled, rem.after_expiry, rule.convention)
            until, _ = cal.roll_forward(rem_end)
        remedies.append({"name": rem.name, "until": until, "citation": rem.citation, "basis": rem.basis})
    return remedies


def _explanation(
    *,
    rule: Rule,
    inputs: dict,
    steps: list[dict],
    period: _Period,
    latest: date | None,
    cal: OfficeCalendar,
    window_opens: Duration | None,
    superseded: str,
) -> dict[str, Any]:
    """What the deadline page, the CLI and the e-mails show: the inputs, every step, and the caveats."""
    explanation: dict[str, Any] = {
        "inputs": inputs,
        "steps": steps,
        "due_date": period.due.isoformat(),
        "latest_date": _iso(latest),
        "citation": rule.citation,
        "rule": {"id": rule.id, "version": rule.version, "kind": rule.kind.value},
    }
    if window_opens is not None:
        opens, _ = add_period(period.base, window_opens, rule.convention)
        explanation["window_opens"] = opens.isoformat()
    # Every year the computation looked at: a provisional closure list in the unrolled year, the due year or
    # the year of an extended/grace date can each move the date once that list is published.
    warnings = cal.warnings_for(period.unrolled, period.due, *([latest] if latest else []))
    if warnings:
        explanation["warnings"] = warnings
    if superseded:
        explanation["superseded"] = superseded
    if rule.notes:
        explanation["notes"] = rule.notes
    return explanation


def _compute_instance(
    *,
    rule: Rule,
    matter: MatterFacts,
    event: EventFact,
    later: list[EventFact],
    closures: Closures | None,
    today: date | None,
    instance: str = "",
    instance_duration: Duration | None = None,
    window_opens: Duration | None = None,
    calendars: dict | None = None,
    skip_if_superseded: Callable[[str], bool] | None = None,
) -> ComputedDeadline | dict | None:
    """One deadline (or the problem that stops it), explained: period, cap, special hook, closed days,
    extensions, remedies. None when the caller already stores it as superseded."""
    key = f"{rule.id}:{event.ref}" + (f":{instance}" if instance else "")
    by, reason = _supersession(rule, later, instance)
    if by is not None and skip_if_superseded is not None and skip_if_superseded(key):
        return None
    cal, cal_why = _calendar(rule, matter, event, closures, calendars)
    notified, steps = _notified(rule, event)
    inputs = _inputs(rule, matter, event, cal_why)
    end = _period_end(rule, matter, event, notified, steps, instance_duration)
    if isinstance(end, dict):
        return end
    period = _due(
        rule=rule, matter=matter, event=event, later=later, notified=notified, end=end, steps=steps, cal=cal,
        instance=instance,
    )
    due = period.due

    latest = None
    latest_unrolled = period.unrolled
    extensions: list[dict] = []
    ext = rule.extension
    if ext:
        d0 = instance_duration if instance_duration is not None else _duration(period.term, event)
        latest, latest_unrolled, extensions = _extensions(rule, ext, period, d0, cal, steps)
    remedies = _remedies(rule, period, latest_unrolled, cal)

    if by is not None:
        status = Status.SUPERSEDED
    elif today is not None and due < today:
        status = Status.PAST_DUE
    else:
        status = Status.OPEN
    explanation = _explanation(
        rule=rule, inputs=inputs, steps=steps, period=period, latest=latest, cal=cal, window_opens=window_opens,
        superseded=reason,
    )
    return ComputedDeadline(
        key=key,
        rule=rule.id,
        rule_version=rule.version,
        title=rule.title + (f" ({rule.series.title_format.format(instance)})" if rule.series else ""),
        office=rule.office,
        trigger=event.ref,
        trigger_code=event.code,
        trigger_date=event.date,
        due_date=due,
        extendable=bool(ext and ext.model is not ExtensionModel.GRACE_SURCHARGE and extensions),
        latest_date=latest,
        kind=rule.kind.value,
        status=status.value,
        citation=rule.citation,
        explanation=explanation,
        remedies=remedies,
        instance=instance,
        superseded_by=by.ref if by else None,
        superseded_reason=reason,
        optional=rule.optional,
    )


def _series_instances(
    rule: Rule, matter: MatterFacts, event: EventFact, events: Sequence[EventFact] = ()
) -> list[tuple[str, Duration, Duration | None]]:
    assert rule.series
    out = []
    base = matter.filing_date if rule.terms[0].base is Base.FILING else event.date
    yield_until = None
    if rule.series.yield_to and rule.series.yield_within:
        owner = next((e for e in events if e.code == rule.series.yield_to), None)
        if owner is not None:
            yield_until, _ = add_period(owner.date, rule.series.yield_within, rule.convention)
    term_end = None
    if rule.series.term_from_filing and matter.filing_date:
        term_end, _ = add_period(matter.filing_date, rule.series.term_from_filing, rule.convention)
    for i, (label, duration) in enumerate(rule.series.instances):
        if term_end is not None and base:
            anniversary, _ = add_period(base, duration, rule.convention)
            if anniversary >= term_end:
                break
        if rule.series.stop_at_grant and matter.grant_date and base:
            anniversary, _ = add_period(base, duration, rule.convention)
            if anniversary > matter.grant_date:
                break
        if (yield_until is not None or rule.series.due_by_event_plus) and base:
            anniversary, _ = add_period(base, duration, rule.convention)
            due = last_day_of_month(anniversary) if rule.series.due_at_month_end else anniversary
            if yield_until is not None and due <= yield_until:
                continue
            if rule.series.due_by_event_plus:
                limit, _ = add_period(event.date, rule.series.due_by_event_plus, rule.convention)
                if due > limit:
                    break
        opens = rule.series.window_opens[i] if rule.series.window_opens else None
        out.append((label, duration, opens))
    return out


def _collect(result: ComputeResult, out: ComputedDeadline | dict | None) -> None:
    if isinstance(out, ComputedDeadline):
        result.deadlines.append(out)
    elif out is not None:
        result.problems.append(out)


def _missing_designations(
    rule: Rule, matter: MatterFacts, event: EventFact, today: date | None, problems: list[dict]
) -> None:
    """A rule that did not match only for want of designated states is a problem (once per rule group),
    while its period can still be met."""
    if (
        rule.conditions.needs_designations
        and not matter.designated_offices
        and rule.effective_for(event.date)
        and _matches(_without_designation(rule), matter, event)
        and _still_running(rule, event, today)
    ):
        group = rule.id.rsplit("_", 1)[0]
        if not any(p.get("rule") == group and p.get("trigger") == event.ref for p in problems):
            problems.append(
                {
                    "rule": group,
                    "trigger": event.ref,
                    "missing": "designated_offices",
                    "message": f"{group} needs the matter's designated states (validation countries)",
                }
            )


def _compute_rule(
    result: ComputeResult,
    *,
    rule: Rule,
    matter: MatterFacts,
    event: EventFact,
    ordered: list[EventFact],
    later: list[EventFact],
    closures: Closures | None,
    today: date | None,
    calendars: dict,
    skip_if_superseded: Callable[[str], bool] | None,
) -> None:
    """The deadlines one matching rule starts from one event (one per instance for a series)."""
    items: Sequence[tuple[str, Duration | None, Duration | None]]
    if rule.series:
        items = _series_instances(rule, matter, event, ordered)
        if not items and rule.terms[0].base is Base.FILING and not matter.filing_date:
            result.problems.append(
                {
                    "rule": rule.id,
                    "trigger": event.ref,
                    "missing": "filing",
                    "message": f"{rule.id} needs the matter's filing date",
                }
            )
    else:
        items = [("", None, None)]  # a plain rule: one deadline, no instance label
    for label, duration, opens in items:
        out = _compute_instance(
            rule=rule,
            matter=matter,
            event=event,
            later=later,
            closures=closures,
            today=today,
            instance=label,
            instance_duration=duration,
            window_opens=opens,
            calendars=calendars,
            skip_if_superseded=skip_if_superseded,
        )
        _collect(result, out)


def compute(
    matter: MatterFacts,
    events: Sequence[EventFact],
    closures: Closures | None = None,
    *,
    today: date | None = None,
    rules: Sequence[Rule] | None = None,
    skip_if_superseded: Callable[[str], bool] | None = None,
    calendars: dict | None = None,
) -> ComputeResult:
    """Every deadline the events trigger, explained.

    ``skip_if_superseded(key)`` lets a caller that already stores a superseded deadline under ``key`` skip
    computing it again (it is answered; its dates no longer matter). ``calendars``: a cache of office
    calendars built from these same ``closures``, shared by a caller that computes many matters with them.
    """
    from .registry import CHECKS, known_codes, no_rule_problem, rules_for_code

    result = ComputeResult()
    if calendars is None:
        calendars = {}  # one OfficeCalendar per office for this computation
    ordered = _ordered(events)
    known = known_codes() if rules is None else None
    for event in ordered:
        if known is not None and event.code not in known:
            # Never silent: an event the engine has no rule for may well start a deadline nobody computes.
            result.problems.append(no_rule_problem(event.ref, event.code))
        for check in CHECKS:
            result.problems.extend(check(matter, event))
        candidates = rules_for_code(event.code) if rules is None else [r for r in rules if event.code in r.triggers]
        later = _later_events(ordered, event)
        for rule in candidates:
            if not rule.effective_for(event.date) or not _matches(rule, matter, event):
                _missing_designations(rule, matter, event, today, result.problems)
                continue
            _compute_rule(
                result,
                rule=rule,
                matter=matter,
                event=event,
                ordered=ordered,
                later=later,
                closures=closures,
                today=today,
                calendars=calendars,
                skip_if_superseded=skip_if_superseded,
            )
    return result


def compute_deadlines(
    matter: MatterFacts,
    events: Sequence[EventFact],
    closures: Closures | None = None,
    *,
    today: date | None = None,
) -> list[ComputedDeadline]:
    return compute(matter, events, closures, today=today).deadlines


# --- named hooks for what is not a plain period ------------------------------------------------------


def _mpep_706_07_f(
    *,
    rule: Rule,
    event: EventFact,
    later: list[EventFact],
    unrolled: date,
    steps: list[dict],
    cal: OfficeCalendar,
    **_kw: object,
) -> tuple[date, date] | None:
    """MPEP 706.07(f): a first reply within two months of a final rejection, answered by an advisory action
    mailed after the three-month date, moves the end of the shortened period to the advisory action's date;
    extension fees are then counted from that date, never past six months from the final rejection."""
    reply = None
    for ev in later:
        if ev.code in rule.replaced_by or ev.code in rule.answered_by:
            break
        if ev.code == "US.RESPONSE_FILED":
            reply = ev
            break
    if reply is None:
        return None
    two_months_unrolled, _ = add_period(event.date, Duration(months=2), rule.convention)
    # MPEP 706.07(f) with 37 CFR 1.7: a reply filed on the next business day after a two-month date that
    # falls on a weekend or federal holiday is "within two months".
    two_months, _ = cal.roll_forward(two_months_unrolled)
    if reply.date > two_months:
        steps.append(
            {
                "op": "mpep_706_07_f",
                "note": f"first reply {reply.date} was not within two months "
                f"({two_months}): the period is not reset by an advisory action",
            }
        )
        return None
    advisory = next((ev for ev in _after(later, reply) if ev.code == "US.ADVISORY_ACTION"), None)
    if advisory is None:
        steps.append(
            {
                "op": "mpep_706_07_f",
                "note": f"first reply {reply.date} within two months; no advisory "
                "action yet: the period stays at three months (it moves if the advisory action is mailed "
                "after that date)",
            }
        )
        return None
    if advisory.date <= unrolled:
        steps.append(
            {
                "op": "mpep_706_07_f",
                "note": f"advisory action {advisory.date} mailed before the end of "
                f"the shortened period ({unrolled}): no change",
            }
        )
        return None
    six, _ = add_period(event.date, Duration(months=6), rule.convention)
    new_end = min(advisory.date, six)
    steps.append(
        {
            "op": "mpep_706_07_f",
            "reply": reply.ref,
            "advisory_action": advisory.ref,
            "result": new_end.isoformat(),
            "citation": "MPEP 706.07(f)",
            "note": "first reply within two months and advisory action mailed after the three-month date: "
            "the shortened period expires on the advisory action's mailing date; extensions are "
            "counted from that date, never beyond six months from the final rejection",
        }
    )
    return new_end, advisory.date


def _after(events: list[EventFact], anchor: EventFact) -> list[EventFact]:
    idx = next(i for i, e in enumerate(events) if e is anchor)
    return events[idx + 1 :]


def _specials() -> dict:
    from . import ep, us

    return {"mpep_706_07_f": _mpep_706_07_f, **ep.SPECIALS, **us.SPECIALS}


SPECIALS = _specials()
