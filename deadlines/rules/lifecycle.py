"""A matter's lifecycle, derived from its office events and dates, so that a right that has ended stops
asking for work. Pure: no Django.

The state is whatever the latest state-changing event says, with that event as its cause; the end of the
maximum term is computed from the dates (it needs no event: a right expires on its own). A right that has
ended (withdrawn, refused, lapsed, expired, revoked …) makes its open deadlines moot, except those that
still matter afterwards (remedies such as further processing, re-establishment or revival, an appeal
against the refusal); a later re-establishment, revival or further processing brings it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .model import EventFact, MatterFacts
from .periods import Convention, Duration, add_period


class State(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    ALLOWED = "allowed"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    DEEMED_WITHDRAWN = "deemed_withdrawn"
    ABANDONED = "abandoned"
    LAPSED = "lapsed"
    EXPIRED = "expired"
    REVOKED = "revoked"


# States in which the right (or the application) no longer exists: open deadlines become moot.
ENDED = frozenset(
    {State.REFUSED, State.WITHDRAWN, State.DEEMED_WITHDRAWN, State.ABANDONED, State.LAPSED, State.EXPIRED,
     State.REVOKED}
)

LABELS = {
    State.PENDING: "Pending",
    State.PUBLISHED: "Published",
    State.ALLOWED: "Allowed / intention to grant",
    State.GRANTED: "Granted",
    State.REFUSED: "Refused",
    State.WITHDRAWN: "Withdrawn",
    State.DEEMED_WITHDRAWN: "Deemed withdrawn / abandoned",
    State.ABANDONED: "Abandoned",
    State.LAPSED: "Lapsed (fees not paid)",
    State.EXPIRED: "Expired (end of term)",
    State.REVOKED: "Revoked",
}


@dataclass(frozen=True)
class Transition:
    state: State | None  # None: "back to what it was before the loss" (re-establishment, revival …)
    citation: str


# Canonical event code -> the state it puts the matter in. Codes no office maps yet are listed too: the
# code mapping table (admin) can point an office code at them without a code change here.
TRANSITIONS: dict[str, Transition] = {
    # publication
    "EP.SEARCH_REPORT_PUBLISHED": Transition(State.PUBLISHED, "EPC Art. 93"),
    "US.PUBLISHED": Transition(State.PUBLISHED, "35 U.S.C. 122(b)"),
    "WO.PUBLISHED": Transition(State.PUBLISHED, "PCT Art. 21"),
    # allowance / intention to grant
    "EP.RULE_71_3_COMMUNICATION": Transition(State.ALLOWED, "EPC Rule 71(3)"),
    "US.NOTICE_OF_ALLOWANCE": Transition(State.ALLOWED, "35 U.S.C. 151"),
    "JP.DECISION_TO_GRANT": Transition(State.ALLOWED, "Patent Act (Japan) Art. 51"),
    # grant
    "EP.PATENT_GRANTED": Transition(State.GRANTED, "EPC Art. 97(3)"),
    "US.PATENT_GRANTED": Transition(State.GRANTED, "35 U.S.C. 153"),
    "JP.REGISTERED": Transition(State.GRANTED, "Patent Act (Japan) Art. 66(1)"),
    # refusal
    "EP.REFUSED": Transition(State.REFUSED, "EPC Art. 97(2)"),
    "JP.DECISION_OF_REFUSAL": Transition(State.REFUSED, "Patent Act (Japan) Art. 49"),
    # withdrawal by the applicant
    "EP.WITHDRAWN": Transition(State.WITHDRAWN, "EPC Rule 15"),
    "WO.WITHDRAWN": Transition(State.WITHDRAWN, "PCT Rule 90bis"),
    "JP.WITHDRAWN": Transition(State.WITHDRAWN, "Patent Act (Japan) Art. 42"),
    # deemed withdrawn / abandoned by the office
    "EP.DEEMED_WITHDRAWN": Transition(State.DEEMED_WITHDRAWN, "EPC Art. 90(5), 94(4), Rules 39(2), 70(3), 70a(3)"),
    "WO.DEEMED_WITHDRAWN": Transition(State.DEEMED_WITHDRAWN, "PCT Art. 14(1)(b), 24(1)"),
    "JP.DEEMED_WITHDRAWN": Transition(State.DEEMED_WITHDRAWN, "Patent Act (Japan) Art. 48-3(4)"),
    "US.ABANDONED": Transition(State.ABANDONED, "35 U.S.C. 133; 37 CFR 1.135"),
    # loss of the granted right
    "EP.LAPSED": Transition(State.LAPSED, "EPC Art. 86(1), Rule 51(2)"),
    "JP.RIGHT_LAPSED": Transition(State.LAPSED, "Patent Act (Japan) Art. 112(4)"),
    # The registry (registration_info) says the right is extinguished without the non-payment pattern: the
    # term, a surrender or an invalidation; the state is "lapsed" and the reason names the registry entry.
    "JP.RIGHT_EXTINGUISHED": Transition(State.LAPSED, "Patent Act (Japan) Art. 67, 97, 125 (registry entry)"),
    "US.EXPIRED_MAINTENANCE_FEE": Transition(State.LAPSED, "35 U.S.C. 41(b)(1); 37 CFR 1.362(g)"),
    "EP.REVOKED": Transition(State.REVOKED, "EPC Art. 101(2), 102"),
    "JP.INVALIDATED": Transition(State.REVOKED, "Patent Act (Japan) Art. 123, 125"),
    # back again
    "EP.RE_ESTABLISHMENT_GRANTED": Transition(None, "EPC Art. 122(3)"),
    "EP.FURTHER_PROCESSING_GRANTED": Transition(None, "EPC Art. 121(3)"),
    "EP.FURTHER_PROCESSING_REQUESTED": Transition(None, "EPC Art. 121(3)"),
    "EP.LOSS_OF_RIGHTS_REVOKED": Transition(None, "EPC Rule 112(2)"),
    "US.REVIVED": Transition(None, "37 CFR 1.137"),
    "US.PETITION_TO_REVIVE_GRANTED": Transition(None, "37 CFR 1.137"),
    "US.MAINTENANCE_FEE_REINSTATED": Transition(None, "37 CFR 1.378"),
    "JP.RESTORED": Transition(None, "Patent Act (Japan) Art. 112bis"),
    "WO.REINSTATED": Transition(None, "PCT Rule 49.6, 26bis.3"),
}

# Rules whose deadlines still matter once the right has ended: remedies and appeals against the end itself.
SURVIVES_END = frozenset(
    {
        "EP.FURTHER_PROCESSING",
        "EP.RE_ESTABLISHMENT",
        "EP.APPEAL_NOTICE",
        "EP.APPEAL_GROUNDS",
        "JP.APPEAL_DOMESTIC",
        "JP.APPEAL_FOREIGN",
        "US.APPEAL_BRIEF",
        "US.PETITION_TO_REVIVE",
        "JP.RESTORATION",
    }
)

TERM_YEARS = 20
TERM_CITATIONS = {
    "EP": "EPC Art. 63(1): 20 years from the date of filing (for a Euro-PCT, the international filing date, "
    "Art. 153(2))",
    "US": "35 U.S.C. 154(a)(2): 20 years from the filing date (of the earliest non-provisional US or PCT "
    "application relied on under 120/121/365(c)), plus term adjustment (154(b)) and extension (156)",
    "JP": "Patent Act (Japan) Art. 67(1): 20 years from the filing date, plus any registered extension "
    "(Art. 67(4))",
}


@dataclass(frozen=True)
class Lifecycle:
    state: State
    since: date | None
    cause_ref: str | None  # the event that caused it (None for computed states: expiry, pending)
    cause_code: str
    reason: str
    term_end: date | None
    # The maximum term is over: no remedy can bring the right back (EPC Art. 63, 35 U.S.C. 154, JP Art. 67).
    term_over: bool = False

    @property
    def ended(self) -> bool:
        return self.state in ENDED

    @property
    def label(self) -> str:
        return LABELS[self.state]


def _term_days(events: Iterable[EventFact]) -> tuple[int, list[str]]:
    """Term adjustment and extension days as the office reports them (params on its events)."""
    days = 0
    notes = []
    for ev in events:
        for key, what in (("pta_days", "patent term adjustment"), ("pte_days", "patent term extension"),
                          ("term_extension_days", "term extension")):
            value = ev.params.get(key)
            if value is None or value == "":
                continue
            try:
                n = int(value)
            except (TypeError, ValueError):
                continue
            days += n
            notes.append(f"{what} {n} days ({ev.code} of {ev.date.isoformat()})")
    return days, notes


def term_end(
    facts: MatterFacts, events: Sequence[EventFact], term_start: date | None = None
) -> tuple[date | None, str]:
    """End of the maximum term, and how it was computed. None when the law gives no term (provisional, PCT)."""
    if facts.office not in TERM_CITATIONS or facts.kind in ("provisional", "pct"):
        return None, ""
    start = term_start or facts.filing_date
    if start is None:
        return None, ""
    end, _ = add_period(start, Duration(years=TERM_YEARS), _CONVENTION)
    extra, notes = _term_days(events)
    why = f"{TERM_CITATIONS[facts.office]}; from {start.isoformat()}"
    if extra:
        end = end + timedelta(days=extra)
        why += "; + " + ", ".join(notes)
    return end, why


# A term "of 20 years from filing" ends with the day before the anniversary; we keep the anniversary date
# as the first day the right no longer exists (the docket shows it as "expired since").
_CONVENTION = Convention.EPC_R131


def derive(
    facts: MatterFacts,
    events: Sequence[EventFact],
    *,
    today: date,
    term_start: date | None = None,
) -> Lifecycle:
    """The matter's state as of ``today`` from its events (in date order) and its computed term end."""
    ordered = [e for _, e in sorted(enumerate(events), key=lambda p: (p[1].date, p[0]))]
    state = State.PENDING
    since: date | None = facts.filing_date
    cause: EventFact | None = None
    reason = "no event ends or advances it"
    before_loss: tuple[State, date | None, EventFact | None, str] | None = None
    for ev in ordered:
        if ev.date > today:
            continue
        tr = TRANSITIONS.get(ev.code)
        if tr is None:
            continue
        if tr.state is None:
            if state in ENDED and before_loss is not None:
                state, _, _, _ = before_loss
                since, cause = ev.date, ev
                reason = f"revived by {ev.code} of {ev.date.isoformat()} ({tr.citation})"
                before_loss = None
            continue
        if tr.state in ENDED and state not in ENDED:
            before_loss = (state, since, cause, reason)
        # An ended right is not advanced by a later ordinary step (e.g. a publication recorded late), but a
        # different end (refused, then appeal lost -> still refused) may replace it.
        if state in ENDED and tr.state not in ENDED:
            continue
        state, since, cause = tr.state, ev.date, ev
        reason = f"{ev.code} of {ev.date.isoformat()} ({tr.citation})"
    end, end_why = term_end(facts, events, term_start)
    over = end is not None and end <= today
    if end is not None and over and state not in ENDED:
        return Lifecycle(State.EXPIRED, end, None, "", f"term ended {end.isoformat()}: {end_why}", end, True)
    if end is not None and over:
        reason += f"; term ended {end.isoformat()} as well"
    return Lifecycle(state, since, cause.ref if cause else None, cause.code if cause else "", reason, end, over)
