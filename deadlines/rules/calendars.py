"""Office calendars: on which days an office is open, and why it is not.

Public holidays come from the `holidays` package; what no library has (EPO filing-office closing days
published in the Official Journal, WIPO closure days, the JPO year-end closure, US Inauguration Day,
ad-hoc closures) is passed in as data, because it lives in the OfficeClosure table and an admin can edit it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property, lru_cache

import holidays
from dateutil.easter import easter

# office code -> {date: (reason, source)}
Closures = Mapping[str, Mapping[date, tuple[str, str]]]

# Codes used for receiving offices / IPEAs / designated offices that share a calendar.
OFFICE_ALIASES = {
    "EP": "EP",
    "EPO": "EP",
    "US": "US",
    "USPTO": "US",
    "JP": "JP",
    "JPO": "JP",
    "IB": "IB",
    "WO": "IB",
    "WIPO": "IB",
}

# Offices whose closures come only from the OfficeClosure table; everything else beyond weekends is data.
_HOLIDAY_SOURCES = {
    # 35 U.S.C. 21(b): "a Federal holiday within the District of Columbia" -- federal holidays with their
    # observed days and executive-order closures ("government" category), but not DC Emancipation Day,
    # which is a District holiday, not a federal one (so the plain country calendar, no subdivision).
    "US": (
        "holidays.US(categories=('public', 'government'))",
        lambda years: holidays.US(years=years, categories=("public", "government")),
    ),
    # Patent Act Art. 3(2) with the Act on National Holidays: includes substitute and citizens' holidays.
    "JP": ("holidays.JP", lambda years: holidays.JP(years=years)),
}

MAX_ROLL_DAYS = 60

# Days an office has closed on in EVERY closing-days notice checked (deadlines/closure_data.py and docs/deadlines.md
# list the notices). Applied only for a year whose list is not yet published (see OfficeCalendar.provisional),
# always marked "provisional" in the explanation. Local days that are not in every notice (The Hague's King's
# Day and Liberation Day, Berlin's 8 March, Munich's 15 August) are deliberately absent: a day wrongly
# applied gives a date after the real one, the dangerous direction.
RECURRING_SOURCE = {
    "EP": "recurring EPO closing day (Munich, Bavarian public holiday, or 24/31 Dec for all filing offices) "
    "present in every notice checked; EPC Rule 134(1)",
    "IB": "recurring International Bureau non-working day (Geneva) present in every PCT Newsletter list "
    "checked; PCT Rule 80.5",
}


@cache
def recurring_closures(office: str, year: int) -> dict[date, str]:
    """The days `office` closes on every year, for `year` (weekends included; they change nothing)."""
    if office not in RECURRING_SOURCE:
        return {}
    e = easter(year)
    days = {
        date(year, 1, 1): "New Year's Day",
        e - timedelta(days=2): "Good Friday",
        e + timedelta(days=1): "Easter Monday",
        e + timedelta(days=39): "Ascension Day",
        e + timedelta(days=50): "Whit Monday",
        date(year, 12, 25): "Christmas Day",
        date(year, 12, 31): "New Year's Eve" if office == "EP" else "Restoration of the Republic (Geneva)",
    }
    if office == "EP":
        days |= {
            date(year, 1, 6): "Epiphany",
            date(year, 5, 1): "Labour Day",
            e + timedelta(days=60): "Corpus Christi",
            date(year, 10, 3): "Day of German Unity",
            date(year, 11, 1): "All Saints' Day",
            date(year, 12, 24): "Christmas Eve",
            date(year, 12, 26): "St Stephen's Day",
        }
    else:
        first_sunday = date(year, 9, 1) + timedelta(days=(6 - date(year, 9, 1).weekday()) % 7)
        days[first_sunday + timedelta(days=4)] = "Jeûne genevois"
    return days


def is_recurring_source(source: str) -> bool:
    """A stored closure seeded as 'recurring' (its year's notice NOT checked) does not publish a year."""
    return source.strip().lower().startswith("recurring")


# A closure read in a notice about that day only (a Christmas closure, a one-off closure decision, an ad-hoc
# outage) is real and applies, but it is not the year's list: it neither publishes the year nor keeps it
# provisional. Its source must start with one of these words (closure_data.PARTIAL_LISTS does; docs/deadlines.md
# asks the same of ad-hoc closures entered in the admin).
PARTIAL_PREFIXES = ("partial", "ad hoc", "ad-hoc", "adhoc")


def is_partial_source(source: str) -> bool:
    return source.strip().lower().startswith(PARTIAL_PREFIXES)


def provisional_warning(office: str, year: int) -> str:
    return (
        f"provisional: closure list for {year} not yet published ({office}): the days the office closes on "
        "every year were applied; the date may move when the list is published and the matter is recomputed"
    )


def _statutory_closure(office: str, d: date) -> tuple[str, str] | None:
    # The JPO year-end closure is written into the Patent Act itself, so it holds even if nobody seeded the
    # OfficeClosure table; the seeded rows only make it visible in the admin.
    if office == "JP" and ((d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)):
        return (
            "year-end closure (29 Dec - 3 Jan)",
            "Patent Act (Japan) Art. 3(2); Act on Holidays of Administrative Organs Art. 1(1)(iii)",
        )
    return None


@cache
def _library_holidays(office: str, year: int) -> dict[date, str]:
    src = _HOLIDAY_SOURCES.get(office)
    if src is None:
        return {}
    return dict(src[1]([year]).items())


@lru_cache(maxsize=1024)
def normalize_office(code: str | None) -> str | None:
    # Cached: a pure function of a short code, asked for every rule instance of every matter a recompute runs.
    if not code:
        return None
    code = code.strip().upper()
    if code.startswith("RO/"):
        code = code[3:]
    return OFFICE_ALIASES.get(code, code)


@lru_cache(maxsize=65536)
def _fixed_causes(office: str, d: date) -> tuple[dict, ...]:
    """Weekend, library holiday and statutory closure of `d`: a pure function of the date, so cached."""
    out: list[dict] = []
    if d.weekday() >= 5:
        out.append({"type": "weekend", "name": d.strftime("%A"), "source": "weekend"})
    lib = _library_holidays(office, d.year).get(d)
    if lib:
        src = _HOLIDAY_SOURCES[office][0]
        out.append({"type": "holiday", "name": lib, "source": src})
    statutory = _statutory_closure(office, d)
    if statutory:
        out.append({"type": "statutory", "name": statutory[0], "source": statutory[1]})
    return tuple(out)


@dataclass
class OfficeCalendar:
    office: str
    closures: Mapping[date, tuple[str, str]] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return self.office in {"EP", "US", "JP", "IB"}

    @property
    def holiday_source(self) -> str | None:
        src = _HOLIDAY_SOURCES.get(self.office)
        return src[0] if src else None

    @cached_property
    def _published_years(self) -> frozenset[int]:
        # A year's list counts as published when it has a stored closure from a list and none of its closures
        # is a seeded "recurring" guess: a year with any unverified row stays provisional until someone checks
        # it. Closures from a notice about single days ("partial ...", "ad hoc ...") do not publish a year.
        listed: set[int] = set()
        guessed: set[int] = set()
        for day, (_reason, source) in self.closures.items():
            if is_recurring_source(source):
                guessed.add(day.year)
            elif not is_partial_source(source):
                listed.add(day.year)
        return frozenset(listed - guessed)

    def provisional(self, year: int) -> bool:
        """No published closure list for `year` (EPO filing offices, WIPO IB): recurring days are applied."""
        return self.office in RECURRING_SOURCE and year not in self._published_years

    def causes(self, d: date) -> list[dict]:
        """Why the office is closed on `d` (empty when open)."""
        out = list(_fixed_causes(self.office, d))
        closure = self.closures.get(d)
        if closure and not any(c["type"] == "statutory" and c["name"] == closure[0] for c in out):
            out.append({"type": "closure", "name": closure[0], "source": closure[1]})
        elif not closure and self.provisional(d.year):
            recurring = recurring_closures(self.office, d.year).get(d)
            if recurring:
                out.append(
                    {
                        "type": "provisional",
                        "name": recurring,
                        "source": f"{RECURRING_SOURCE[self.office]}; provisional: closure list for {d.year} "
                        "not yet published",
                    }
                )
        return out

    def is_open(self, d: date) -> bool:
        return not self.causes(d)

    def warnings_for(self, *days: date) -> list[str]:
        years = tuple(sorted({d.year for d in days}))
        hit = self._warnings.get(years)
        if hit is None:
            hit = self._warnings[years] = self._warnings_for(years)
        return list(hit)

    @cached_property
    def _warnings(self) -> dict[tuple[int, ...], list[str]]:
        # Memoised per calendar like roll_forward: a pure function of the years and this calendar's closures.
        return {}

    def _warnings_for(self, years: tuple[int, ...]) -> list[str]:
        warnings = []
        if not self.known:
            warnings.append(
                f"no holiday calendar for office {self.office!r}: only weekends and stored closures considered"
            )
        for year in years:
            if self.provisional(year):
                warnings.append(provisional_warning(self.office, year))
        return warnings

    @cached_property
    def _rolled(self) -> dict[date, tuple[date, list[dict]]]:
        return {}

    def roll_forward(self, d: date) -> tuple[date, list[dict]]:
        """Next day the office is open, with every skipped day and its cause.

        Memoised per calendar (a pure function of the date and this calendar's closures): a recompute pass
        shares one calendar per office across all its matters. Callers get their own list each time."""
        hit = self._rolled.get(d)
        if hit is None:
            hit = self._rolled[d] = self._roll_forward(d)
        return hit[0], list(hit[1])

    def _roll_forward(self, d: date) -> tuple[date, list[dict]]:
        steps: list[dict] = []
        current = d
        for _ in range(MAX_ROLL_DAYS):
            causes = self.causes(current)
            if not causes:
                return current, steps
            steps.append({"date": current.isoformat(), "causes": causes})
            current += timedelta(days=1)
        raise ValueError(f"{self.office} closed for more than {MAX_ROLL_DAYS} days from {d}")


def calendar_for(office: str | None, closures: Closures | None, cache: dict | None = None) -> OfficeCalendar:
    code = normalize_office(office) or "UNKNOWN"
    if cache is not None and code in cache:
        return cache[code]
    cal = OfficeCalendar(office=code, closures=(closures or {}).get(code, {}))
    if cache is not None:
        cache[code] = cal
    return cal
