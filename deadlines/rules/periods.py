"""Period arithmetic per legal convention.

Every function returns the result *and* the steps taken, because a paralegal must be able to check the
arithmetic by hand. Month arithmetic is delegated to dateutil's relativedelta, whose month-end clipping
("31 Jan + 1 month = 28/29 Feb") is exactly the "no corresponding day -> last day of the month" rule shared
by EPC Rule 131(4), PCT Rule 80.2, MPEP 710.01(a) and JP Patent Act Art. 3(1)(iv).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from dateutil.relativedelta import relativedelta


class Convention(StrEnum):
    EPC_R131 = "EPC_R131"
    US_1_7 = "US_37CFR1_7"
    PCT_R80 = "PCT_R80"
    JP_ART3 = "JP_ART3"
    # Renewal surcharge periods run from a month end to a month end (EPO Guidelines A-X, 5.2.4; J 4/91).
    MONTH_END = "MONTH_END"


CONVENTION_CITATIONS = {
    Convention.EPC_R131: "EPC Rule 131",
    Convention.US_1_7: "35 U.S.C. 21; 37 CFR 1.7; MPEP 710.01(a)",
    Convention.PCT_R80: "PCT Rule 80",
    Convention.JP_ART3: "Patent Act (Japan) Art. 3(1)",
    Convention.MONTH_END: "EPC Rule 51(2); Guidelines A-X, 5.2.4 (month end to month end)",
}


@dataclass(frozen=True)
class Duration:
    years: int = 0
    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.years < 0 or self.months < 0 or self.days < 0:
            raise ValueError("periods are never negative")
        if self.days and (self.years or self.months):
            raise ValueError("a period is counted either in days or in months/years, not both")

    def __str__(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        if self.days:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        return " ".join(parts) or "0 days"

    def plus(self, *, months: int = 0, years: int = 0) -> Duration:
        return Duration(years=self.years + years, months=self.months + months, days=self.days)


@cache
def _delta(d: Duration) -> relativedelta:
    return relativedelta(years=d.years, months=d.months, days=d.days)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _shift(start: date, d: Duration) -> date:
    """``start + relativedelta(years, months, days)`` without building a relativedelta (the hot path of every
    recompute): days are added as days; months and years move to the same day number of the final month, or
    to its last day when it has none (the same rule as relativedelta; tests/deadlines/test_rules_periods.py
    compares the two over every day of several years)."""
    if d.days:
        return start + timedelta(days=d.days)
    if not d.months and not d.years:
        return start
    year, month0 = divmod(start.month - 1 + d.months + 12 * d.years, 12)
    year += start.year
    last = _MONTH_DAYS[month0] + (1 if month0 == 1 and calendar.isleap(year) else 0)
    return date(year, month0 + 1, min(start.day, last))


@cache
def _label(d: Duration) -> str:
    return str(d)


def last_day_of_month(d: date) -> date:
    month0 = d.month - 1
    return d.replace(day=_MONTH_DAYS[month0] + (1 if month0 == 1 and calendar.isleap(d.year) else 0))


# Looked up once: an enum member read as ``Convention.X`` goes through a descriptor, and add_period runs for every
# period of every deadline of a recompute (about 65 per matter).
_JP_ART3 = Convention.JP_ART3
_MONTH_END_CONVENTION = Convention.MONTH_END
_CONVENTION_VALUES = {c: c.value for c in Convention}


def add_period(start: date, duration: Duration, convention: Convention) -> tuple[date, list[dict]]:
    """End of a period of `duration` triggered by an event on `start` (unrolled: no holiday handling)."""
    days = duration.days
    if convention is _JP_ART3 and not days:
        # Art. 3(1)(i): the first day is not counted, so counting begins the next day; (ii)-(iv): the period
        # ends the day before the corresponding day of the last month, or on the last day of that month if
        # it has no corresponding day. Hence 30 Apr + 3 months = 31 Jul, not 30 Jul.
        first = start + timedelta(days=1)
        corresponding = _shift(first, duration)
        if corresponding.day != first.day:
            end = corresponding
            note = (
                f"first day not counted, counting starts {first.isoformat()}; the last month has no day "
                f"{first.day}, so the period ends on the last day of that month"
            )
        else:
            end = corresponding - timedelta(days=1)
            note = (
                f"first day not counted, counting starts {first.isoformat()}; the period ends the day before "
                f"the corresponding day {corresponding.isoformat()}"
            )
    elif convention is _MONTH_END_CONVENTION:
        end = last_day_of_month(_shift(start, duration))
        note = "a period running from a month end ends on the last day of the final month"
    else:
        end = _shift(start, duration)
        if days:
            note = "days counted from the day after the event"
        elif end.day != start.day:
            note = f"the final month has no day {start.day}: last day of that month"
        else:
            note = "same day number"
    return end, [
        {
            "op": "add",
            "from": start.isoformat(),
            "period": _label(duration),
            "result": end.isoformat(),
            "convention": _CONVENTION_VALUES[convention],
            "citation": CONVENTION_CITATIONS[convention],
            "note": note,
        }
    ]
