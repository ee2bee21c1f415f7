"""Rules are data: these are the shapes.

No Django here: the engine must run in the CLI and in tests alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from .periods import Convention, Duration


class Kind(StrEnum):
    STATUTORY = "statutory"
    PROCEDURAL = "procedural"
    INTERNAL = "internal"


class Base(StrEnum):
    EVENT = "event"  # the (deemed) notification / event date of the trigger
    FILING = "filing"
    PRIORITY = "priority"  # earliest priority date, else filing date
    GRANT = "grant"


class ExtensionModel(StrEnum):
    PER_MONTH_FEE = "per_month_fee"  # e.g. 37 CFR 1.136(a): buy months one at a time up to a cap
    ON_REQUEST = "on_request"  # e.g. EPC R132(2), JP designated periods
    GRACE_SURCHARGE = "grace_surcharge"  # e.g. EPC R51(2), 37 CFR 1.362(e), JP Art. 112(1)


class Notification(StrEnum):
    DOCUMENT_DATE = "document_date"
    # EPC R126(2)/R127(2) until 31 Oct 2023: deemed notified on the tenth day after the document's date;
    # from 1 Nov 2023 (OJ EPO 2022, A101): on the date it bears.
    EPO_TEN_DAY = "epo_ten_day"
    EPO_DATE_BORNE = "epo_date_borne"


class Status(StrEnum):
    OPEN = "open"
    SUPERSEDED = "superseded"
    PAST_DUE = "past_due"


@dataclass(frozen=True)
class Term:
    """A period measured from a base date."""

    duration: Duration
    base: Base = Base.EVENT
    param: str | None = None  # event param that overrides the month count (e.g. period_months)
    # A priority-based term that only exists when a priority is claimed (37 CFR 1.55(d): "16 months from the
    # priority date"); without one the other terms decide, never the filing date in its place.
    only_with_priority: bool = False

    def describe(self) -> str:
        return f"{self.duration} from the {self.base.value} date"


@dataclass(frozen=True)
class Extension:
    model: ExtensionModel
    months: int  # maximum extension beyond the due date's period (0 with days)
    # "base": same base as the period; "unrolled_due": from the unrolled end; "rolled_due": from the end as
    # moved to the next open day (JP Art. 112(1) surcharge period "after that period has expired").
    counted_from: str = "base"
    per_month: bool = False  # list each purchasable month separately
    # Explicit month counts to list (e.g. JPO overseas applicants: 2 months, then a further 1 = 3 in all);
    # empty = per_month / months.
    options: tuple[int, ...] = ()
    # Ceiling on period + extension counted from the base (EPO Guidelines E-VIII, 1.6: beyond six months in
    # total only in exceptional cases). An option beyond it is clipped; none left = not routinely extendable.
    max_total: Duration | None = None
    days: int = 0  # an extension counted in days (JP Art. 108(3): 30 days) instead of months
    citation: str = ""
    surcharge: bool = False
    convention: Convention | None = None  # defaults to the rule's convention


@dataclass(frozen=True)
class Remedy:
    name: str
    citation: str
    # Measured from the unrolled end of the latest date (e.g. restoration of priority: 2 months after the
    # priority year); None when it runs from a future communication we cannot know yet.
    after_expiry: Duration | None = None
    # Measured from the rule's base date instead (37 CFR 1.78(b), 1.55(c): "within 14 months").
    from_base: Duration | None = None
    # Measured from the unrolled end of the ORIGINAL period, before any extension (JPO: an extension request
    # after expiry must be filed within two months of the original period's end).
    from_due: Duration | None = None
    basis: str = ""


@dataclass(frozen=True)
class Conditions:
    matter_kinds: tuple[str, ...] = ()
    exclude_kinds: tuple[str, ...] = ()  # e.g. designs have their own (six-month) priority period
    routes: tuple[str, ...] = ()
    residence: str | None = None  # "domestic" | "foreign"
    designated_office: str | None = None  # national/regional phase rules
    # (param, expected truth): e.g. ("watched", True) -- an opposition watch on a third party's patent is
    # recorded as params.watched on its grant event; the owner's grant rules require ("watched", False).
    event_flag: tuple[str, bool] | None = None
    # With designated_office: the matter must list its states/offices; none listed is a reported problem,
    # never an empty docket (EP validation per country).
    needs_designations: bool = False
    requires_priority: bool = False  # only for a matter that claims a priority
    # Judged by the matter's filing date (e.g. JP Design Act term of 25 years for applications filed from
    # 1 April 2020); both inclusive.
    filed_from: date | None = None
    filed_until: date | None = None


@dataclass(frozen=True)
class Series:
    """Recurring instances of one rule (renewal fees, annuities, maintenance fees)."""

    # (instance label, duration from base) pairs
    instances: tuple[tuple[str, Duration], ...]
    stop_at_grant: bool = False  # EPC Art. 86(2): EPO renewals end with the year the grant is mentioned
    due_at_month_end: bool = False  # EPC R51(1): last day of the month containing the anniversary
    window_opens: tuple[Duration, ...] = ()  # 37 CFR 1.362(d): payment window opening per instance
    title_format: str = "year {}"
    # Instances whose due date falls by this event's date + yield_within belong to another rule (EPC R51(3):
    # a divisional's renewal fees already due are due on its filing, payable within four months).
    yield_to: str | None = None
    yield_within: Duration | None = None
    # Only the instances due by the trigger's date + this (the other side of yield_to).
    due_by_event_plus: Duration | None = None
    # The right ends this long after the filing date: no instance from that date on (JP Design Act Art. 21(1)).
    term_from_filing: Duration | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    office: str
    title: str
    triggers: tuple[str, ...]
    kind: Kind
    citation: str
    terms: tuple[Term, ...]  # more than one term = "the later of"
    convention: Convention
    calendar: str  # office code, or "@receiving_office", "@ipea", "@designated", "@matter"
    extension: Extension | None = None
    remedies: tuple[Remedy, ...] = ()
    conditions: Conditions = Conditions()
    effective_from: date | None = None  # judged by the trigger's document date, never by today
    effective_until: date | None = None  # inclusive
    notification: Notification = Notification.DOCUMENT_DATE
    answered_by: tuple[str, ...] = ()  # later events that complete the act
    replaced_by: tuple[str, ...] = ()  # later events that make the act moot
    series: Series | None = None
    special: str | None = None  # named hook for logic that is not a plain period (MPEP 706.07(f))
    cap: Term | None = None  # nothing ever later than this (e.g. 35 U.S.C. 133: six months)
    # The end is NOT moved past closed days: where the texts leave it open whether a closed day extends the
    # period, the unrolled (earlier) date is the safe one (the note says why).
    no_roll: bool = False
    # The act only keeps an option open (PCT Art. 19 amendments, a demand, unitary effect, a free IDS): letting
    # the window pass loses that option, never the right. Past due and still open it is not overdue (no red, no
    # escalation): it waits for a person to confirm "not used" or record it done. The note says why.
    optional: bool = False
    notes: str = ""

    def effective_for(self, d: date) -> bool:
        if self.effective_from and d < self.effective_from:
            return False
        return not (self.effective_until and d > self.effective_until)


@dataclass(frozen=True)
class MatterFacts:
    office: str
    kind: str = "utility"
    route: str = "direct"  # "direct" | "pct" | "ep" ...
    filing_date: date | None = None
    priority_date: date | None = None
    grant_date: date | None = None
    applicant_residence: str = "domestic"
    receiving_office: str | None = None
    ipea: str | None = None
    designated_offices: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventFact:
    ref: str  # stable identity of the event (OfficeEvent pk, or "events[3]" in the CLI)
    code: str
    date: date
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ComputedDeadline:
    key: str
    rule: str
    rule_version: int
    title: str
    office: str
    trigger: str
    trigger_code: str
    trigger_date: date
    due_date: date
    extendable: bool
    latest_date: date | None
    kind: str
    status: str
    citation: str
    explanation: dict
    remedies: list[dict]
    instance: str = ""
    superseded_by: str | None = None
    superseded_reason: str = ""
    optional: bool = False

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "rule": self.rule,
            "rule_version": self.rule_version,
            "title": self.title,
            "office": self.office,
            "trigger": self.trigger,
            "due_date": self.due_date.isoformat(),
            "extendable": self.extendable,
            "latest_date": self.latest_date.isoformat() if self.latest_date else None,
            "kind": self.kind,
            "optional": self.optional,
            "status": self.status,
            "citation": self.citation,
            "explanation": self.explanation,
            "remedies": [{**r, "until": r["until"].isoformat() if r.get("until") else None} for r in self.remedies],
        }
