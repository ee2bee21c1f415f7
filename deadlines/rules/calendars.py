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


def normalize_office(code: str | None) -> str | None:
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
    def _closure_years(self) -> frozenset[int]:
        return frozenset(c.year for c in self.closures)

    def causes(self, d: date) -> list[dict]:
        """Why the office is closed on `d` (empty when open)."""
        out = list(_fixed_causes(self.office, d))
        closure = self.closures.get(d)
        if closure and not any(c["type"] == "statutory" and c["name"] == closure[0] for c in out):
            out.append({"type": "closure", "name": closure[0], "source": closure[1]})
        return out

    def is_open(self, d: date) -> bool:
        return not self.causes(d)

    def warnings_for(self, d: date) -> list[str]:
        warnings = []
        if not self.known:
            warnings.append(
                f"no holiday calendar for office {self.office!r}: only weekends and stored closures considered"
            )
        if self.office in {"EP", "IB"} and d.year not in self._closure_years:
            warnings.append(
                f"no {self.office} closure days stored for {d.year}: only weekends considered "
                "(the date may be later once the closing days are published)"
            )
        return warnings

    def roll_forward(self, d: date) -> tuple[date, list[dict]]:
        """Next day the office is open, with every skipped day and its cause."""
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
