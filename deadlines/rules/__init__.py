"""Deadline rules: pure Python (no Django import anywhere in this package).

One entry point: ``compute_deadlines(matter, events, closures, today=...)``.
"""

from .calendars import Closures, OfficeCalendar, calendar_for, normalize_office
from .engine import ComputeResult, compute, compute_deadlines
from .model import ComputedDeadline, EventFact, MatterFacts, Rule
from .periods import Convention, Duration, add_period
from .registry import RULES, event_codes, get_rule, rules_for_code, trigger_codes

__all__ = [
    "RULES",
    "Closures",
    "ComputeResult",
    "ComputedDeadline",
    "Convention",
    "Duration",
    "EventFact",
    "MatterFacts",
    "OfficeCalendar",
    "Rule",
    "add_period",
    "calendar_for",
    "compute",
    "compute_deadlines",
    "event_codes",
    "get_rule",
    "normalize_office",
    "rules_for_code",
    "trigger_codes",
]
