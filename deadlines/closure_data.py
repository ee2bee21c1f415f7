"""Seed data for OfficeClosure: closing days no holiday library has, each with the source it comes from.

Why the care: a closing day in this table moves deadlines *later* (EPC Rule 134(1), PCT Rule 80.5, 35 U.S.C.
21(b), JP Patent Act Art. 3(2)). A day wrongly listed here therefore produces a date after the real one,
which is the dangerous direction; a day missing only produces an earlier (safe) date. So only days we can
attribute are seeded, and each row says how sure we are:

* "published": read in the office's own notice (named in the source);
* "published_secondary": the office's notice is named, but the dates were read in a published copy of it;
* "statutory": fixed by a statute (the source names it);
* "recurring": a day the office has closed on in every notice we checked, for a reason that is itself law
  (a public holiday at the office's seat) -- the notice for that particular year was NOT checked, and the
  source text says so. Verify these against the notice when it is at hand (admin -> Office closures).

A row read in a notice about single days only (a Christmas closure, a one-off decision) has a source starting
"partial list:" (PARTIAL_LISTS): it applies, but its year keeps the recurring days and stays provisional, since
the year's own list was not read (deadlines.rules.calendars.is_partial_source).

Days we believe are likely but could not attribute (bridging days, The Hague's King's Day, Berlin's
Women's Day, WIPO in-lieu days) are deliberately NOT seeded; docs/deadlines.md lists them.
Pure Python on purpose: the CLI and tests read it without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

D = date.fromisoformat


@dataclass(frozen=True)
class SeedClosure:
    office: str  # WIPO ST.3 code as stored in OfficeClosure.office ("WO" = International Bureau)
    date: date
    reason: str
    source: str
    certainty: str  # "published" | "published_secondary" | "statutory" | "recurring"
    kind: str = "closure"


# --- EPO (Rule 134(1) EPC: any filing office -- Munich, The Hague, Berlin -- closed) -------------------

EPO_XMAS_2024 = (
    "EPO notice 'EPO offices closed from 24 December 2024 to 1 January 2025' (epo.org website updates), Rule 134(1) EPC"
)
EPO_XMAS_2025 = (
    "EPO notice 'EPO offices closed from 24 December 2025 to 1 January 2026' (epo.org website updates), "
    "citing OJ EPO 2025, A40"
)
EPO_2026 = (
    "OJ EPO 2025, A40 (closing days 2026); dates read in a published copy (Hoffmann Eitle public holidays "
    "2026), not in the OJ itself -- verify"
)
EPO_RECURRING = (
    "recurring: Bavarian public holiday, a Munich closing day in every EPO notice checked (for 1997, "
    "1999, 2015, 2020, 2026; see README); the notice for {year} was NOT checked -- verify"
)
EPO_RECURRING_EVE = (
    "recurring: 24 and 31 December are closing days of all EPO filing offices in every notice checked "
    "(1997-2026; see README); the notice for {year} was NOT checked -- verify"
)


def _epo() -> list[SeedClosure]:
    out: list[SeedClosure] = []
    # 24 Dec 2024 - 1 Jan 2025 and 24 Dec 2025 - 1 Jan 2026: published year-end closures.
    for start, src in ((D("2024-12-24"), EPO_XMAS_2024), (D("2025-12-24"), EPO_XMAS_2025)):
        for i in range(9):
            day = start + timedelta(days=i)
            if day.weekday() < 5:
                out.append(SeedClosure("EP", day, "Christmas and New Year closure", src, "published"))
    for iso, reason in (
        ("2026-01-06", "Epiphany"),
        ("2026-04-03", "Good Friday"),
        ("2026-04-06", "Easter Monday"),
        ("2026-05-01", "Labour Day"),
        ("2026-05-14", "Ascension Day"),
        ("2026-05-25", "Whit Monday"),
        ("2026-06-04", "Corpus Christi"),
        ("2026-12-24", "Christmas Eve"),
        ("2026-12-25", "Christmas Day"),
        ("2026-12-28", "Bridging day"),
        ("2026-12-29", "Bridging day"),
        ("2026-12-30", "Bridging day"),
        ("2026-12-31", "New Year's Eve"),
        ("2027-01-01", "New Year's Day"),
    ):
        out.append(SeedClosure("EP", D(iso), reason, EPO_2026, "published_secondary"))
    recurring = (
        ("2025-01-06", "Epiphany"),
        ("2025-04-18", "Good Friday"),
        ("2025-04-21", "Easter Monday"),
        ("2025-05-01", "Labour Day"),
        ("2025-05-29", "Ascension Day"),
        ("2025-06-09", "Whit Monday"),
        ("2025-06-19", "Corpus Christi"),
        ("2025-10-03", "Day of German Unity"),
        ("2027-01-06", "Epiphany"),
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-06", "Ascension Day"),
        ("2027-05-17", "Whit Monday"),
        ("2027-05-27", "Corpus Christi"),
        ("2027-11-01", "All Saints' Day"),
    )
    for iso, reason in recurring:
        d = D(iso)
        out.append(SeedClosure("EP", d, reason, EPO_RECURRING.format(year=d.year), "recurring"))
    for iso, reason in (("2027-12-24", "Christmas Eve"), ("2027-12-31", "New Year's Eve")):
        d = D(iso)
        out.append(SeedClosure("EP", d, reason, EPO_RECURRING_EVE.format(year=d.year), "recurring"))
    return out


# --- WIPO International Bureau (PCT Rule 80.5) ---------------------------------------------------------

IB_RECURRING = (
    "recurring: Geneva holiday on which the IB closed in every PCT Newsletter list checked (11/2016 for "
    "2017, 12/2018 for 2019); the list for {year} was NOT checked -- verify"
)


def _ib() -> list[SeedClosure]:
    days = (
        ("2025-01-01", "New Year's Day"),
        ("2025-04-18", "Good Friday"),
        ("2025-04-21", "Easter Monday"),
        ("2025-05-29", "Ascension Day"),
        ("2025-06-09", "Whit Monday"),
        ("2025-09-11", "Jeune genevois"),
        ("2025-12-25", "Christmas Day"),
        ("2025-12-31", "Restoration of the Republic (Geneva)"),
        ("2026-01-01", "New Year's Day"),
        ("2026-04-03", "Good Friday"),
        ("2026-04-06", "Easter Monday"),
        ("2026-05-14", "Ascension Day"),
        ("2026-05-25", "Whit Monday"),
        ("2026-09-10", "Jeune genevois"),
        ("2026-12-25", "Christmas Day"),
        ("2026-12-31", "Restoration of the Republic (Geneva)"),
        ("2027-01-01", "New Year's Day"),
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-06", "Ascension Day"),
        ("2027-05-17", "Whit Monday"),
        ("2027-09-09", "Jeune genevois"),
        ("2027-12-31", "Restoration of the Republic (Geneva)"),
    )
    return [SeedClosure("WO", D(d), r, IB_RECURRING.format(year=d[:4]), "recurring") for d, r in days]


# --- JPO (Patent Act Art. 3(2)) --------------------------------------------------------------------------

JPO_YEAR_END = (
    "Patent Act (Japan) Art. 3(2) with the Act on Holidays of Administrative Organs Art. 1(1)(iii): "
    "29 December - 3 January"
)


def jpo_year_end(first_year: int = 2024, last_year: int = 2035) -> list[SeedClosure]:
    out = []
    for year in range(first_year, last_year + 1):
        for day in (
            date(year, 1, 1),
            date(year, 1, 2),
            date(year, 1, 3),
            date(year, 12, 29),
            date(year, 12, 30),
            date(year, 12, 31),
        ):
            out.append(SeedClosure("JP", day, "year-end closure (29 Dec - 3 Jan)", JPO_YEAR_END, "statutory"))
    return out


# --- USPTO: Inauguration Day (5 U.S.C. 6103(c)) -----------------------------------------------------------

INAUGURATION = (
    "5 U.S.C. 6103(c): Inauguration Day, a holiday for federal staff in the DC area incl. the USPTO "
    "(Alexandria, VA); Sunday -> Monday 21 January, Saturday -> no day in lieu"
)


def inauguration_days(first_year: int = 2025, last_year: int = 2041) -> list[SeedClosure]:
    out = []
    year = 2025 + ((max(first_year, 2025) - 2025 + 3) // 4) * 4
    while year <= last_year:
        day = date(year, 1, 20)
        if day.weekday() == 6:
            day = date(year, 1, 21)
        if day.weekday() != 5:  # a Saturday inauguration gives no day off
            out.append(SeedClosure("US", day, "Inauguration Day", INAUGURATION, "statutory"))
        year += 4
    return out


# --- Closing-day lists read in the offices' own publications (past years) ---------------------------------
# Each year below is complete for every EPO filing office as read (or says which part was not read), so the
# year counts as published and the recurring guess is no longer applied to it. They also check the recurring
# table against real lists (tests/deadlines/test_rules_closure_notices.py). The 2025 and 2027 EPO notices and
# the IB lists for 2025-2027 were searched for and NOT found (docs/deadlines.md says where we looked).

EPO_OJ_2014_A108 = (
    "OJ EPO 2014, A108 (notice of 30 October 2014: days on which EPO filing offices are closed in 2015), "
    "Rule 134(1) EPC"
)
EPO_OJ_2019_A97 = (
    "OJ EPO 2019, A97 (notice of 14 November 2019: days on which EPO filing offices are closed in 2020), "
    "Rule 134(1) EPC"
)
EPO_HOLIDAYS_2023 = (
    "EPO 'Office holidays' page (epo.org/en/service-support/holidays), 2023: Munich, The Hague, Berlin "
    "(Vienna is not a filing office); the OJ notice itself (OJ EPO 2022, A107) was not read"
)
EPO_XMAS_2023 = (
    "EPO notice 'EPO offices closed from 23 December 2023 to 1 January 2024' (epo.org website updates), Rule 134(1) EPC"
)
EPO_HOLIDAYS_2024 = (
    "EPO 'Office holidays' page (epo.org/en/service-support/holidays), 2024, Munich section; The Hague read "
    "in part, Berlin not read (8 March 2024 not entered)"
)
EPO_OJ_2016_A74 = (
    "OJ EPO 2016, A74 (notice of 21 July 2016: days on which EPO filing offices are closed in 2017; read in the "
    "French version on epo.org), Rule 134(1) EPC"
)
EPO_REFORMATION_2017 = (
    "EPO notice 'Extension of periods expiring on 31 October 2017 - Corrigendum' (epo.org updates, 16 October "
    "2017): filing offices open but no mail delivered in Germany, so periods expiring that day are extended "
    "(Rule 134(1) EPC)"
)
EPO_DECISION_2020_05_22 = (
    "Decision of the President of the EPO dated 27 April 2020 (filing offices closed on 22 May 2020), amending "
    "the table of OJ EPO 2019, A97; Rule 134(1) EPC"
)
IB_NEWSLETTER_2016_11 = (
    "PCT Newsletter No. 11/2016: non-working days of the International Bureau in 2017 (PCT Rule 80.5)"
)
IB_NEWSLETTER_2018_12 = (
    "PCT Newsletter No. 12/2018: non-working days of the International Bureau in 2019 (PCT Rule 80.5)"
)

_BRIDGING = "Bridging day"
# (office, source, ((date, reason), ...)) per list read
PUBLISHED_LISTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "EP",
        EPO_OJ_2014_A108,
        (
            ("2015-01-01", "New Year's Day"),
            ("2015-01-02", _BRIDGING),
            ("2015-01-06", "Epiphany (Munich)"),
            ("2015-04-03", "Good Friday"),
            ("2015-04-06", "Easter Monday"),
            ("2015-04-27", "National Holiday (The Hague)"),
            ("2015-05-01", "Labour Day"),
            ("2015-05-05", "Liberation Day (The Hague)"),
            ("2015-05-14", "Ascension Day"),
            ("2015-05-25", "Whit Monday"),
            ("2015-06-04", "Corpus Christi (Munich)"),
            ("2015-12-24", "Christmas Eve"),
            ("2015-12-25", "Christmas Day"),
            ("2015-12-28", _BRIDGING),
            ("2015-12-29", _BRIDGING),
            ("2015-12-30", _BRIDGING),
            ("2015-12-31", "New Year's Eve"),
        ),
    ),
    (
        "EP",
        EPO_OJ_2016_A74,
        (
            ("2017-01-06", "Epiphany (Munich)"),
            ("2017-04-14", "Good Friday"),
            ("2017-04-17", "Easter Monday"),
            ("2017-04-27", "King's Day (The Hague)"),
            ("2017-05-01", "Labour Day"),
            ("2017-05-05", "Liberation Day (The Hague)"),
            ("2017-05-25", "Ascension Day"),
            ("2017-06-05", "Whit Monday"),
            ("2017-06-15", "Corpus Christi (Munich)"),
            ("2017-08-15", "Assumption Day (Munich)"),
            ("2017-10-03", "Day of German Unity (Munich, Berlin)"),
            ("2017-11-01", "All Saints' Day (Munich)"),
            ("2017-12-25", "Christmas Day"),
            ("2017-12-26", "Boxing Day"),
            ("2017-12-27", _BRIDGING),
            ("2017-12-28", _BRIDGING),
            ("2017-12-29", _BRIDGING),
        ),
    ),
    (
        "EP",
        EPO_REFORMATION_2017,
        (("2017-10-31", "Reformation Day 2017: no mail delivered in Germany"),),
    ),
    (
        "EP",
        EPO_DECISION_2020_05_22,
        (("2020-05-22", "Closure of the filing offices (Munich, The Hague, Berlin)"),),
    ),
    (
        "EP",
        EPO_OJ_2019_A97,
        (
            ("2020-01-01", "New Year's Day"),
            ("2020-01-06", "Epiphany (Munich)"),
            ("2020-04-10", "Good Friday"),
            ("2020-04-13", "Easter Monday"),
            ("2020-04-27", "King's Day (The Hague)"),
            ("2020-05-01", "Labour Day"),
            ("2020-05-05", "Liberation Day (The Hague)"),
            ("2020-05-21", "Ascension Day"),
            ("2020-06-01", "Whit Monday"),
            ("2020-06-11", "Corpus Christi (Munich)"),
            ("2020-12-24", "Christmas Eve"),
            ("2020-12-25", "Christmas Day"),
            ("2020-12-28", _BRIDGING),
            ("2020-12-29", _BRIDGING),
            ("2020-12-30", _BRIDGING),
            ("2020-12-31", "New Year's Eve"),
        ),
    ),
    (
        "EP",
        EPO_HOLIDAYS_2023,
        (
            ("2023-01-06", "Epiphany (Munich)"),
            ("2023-03-08", "International Women's Day (Berlin)"),
            ("2023-04-07", "Good Friday"),
            ("2023-04-10", "Easter Monday"),
            ("2023-04-27", "King's Day (The Hague)"),
            ("2023-05-01", "Labour Day (Munich, Berlin)"),
            ("2023-05-05", "Liberation Day (The Hague)"),
            ("2023-05-18", "Ascension Day"),
            ("2023-05-29", "Whit Monday"),
            ("2023-06-08", "Corpus Christi (Munich)"),
            ("2023-08-15", "Assumption Day (Munich)"),
            ("2023-10-03", "Day of German Unity (Munich, Berlin)"),
            ("2023-11-01", "All Saints' Day (Munich)"),
            ("2023-12-25", "Christmas Day"),
            ("2023-12-26", "Boxing Day"),
            ("2023-12-27", _BRIDGING),
            ("2023-12-28", _BRIDGING),
            ("2023-12-29", _BRIDGING),
        ),
    ),
    (
        "EP",
        EPO_XMAS_2023,
        (("2024-01-01", "New Year's Day"),),
    ),
    (
        "EP",
        EPO_HOLIDAYS_2024,
        (
            ("2024-03-29", "Good Friday"),
            ("2024-04-01", "Easter Monday"),
            ("2024-05-01", "Labour Day (Munich)"),
            ("2024-05-09", "Ascension Day"),
            ("2024-05-20", "Whit Monday"),
            ("2024-05-30", "Corpus Christi (Munich)"),
            ("2024-08-15", "Assumption Day (Munich)"),
            ("2024-10-03", "Day of German Unity (Munich)"),
            ("2024-11-01", "All Saints' Day (Munich)"),
        ),
    ),
    (
        "WO",
        IB_NEWSLETTER_2016_11,
        (
            ("2017-01-02", "non-working day as listed (1 January is a Sunday)"),
            ("2017-04-14", "Good Friday"),
            ("2017-04-17", "Easter Monday"),
            ("2017-05-25", "Ascension Day"),
            ("2017-06-05", "Whit Monday"),
            ("2017-09-07", "Jeune genevois"),
            ("2017-12-25", "Christmas Day"),
            ("2017-12-29", "non-working day as listed (31 December is a Sunday)"),
        ),
    ),
    (
        "WO",
        IB_NEWSLETTER_2018_12,
        (
            ("2019-01-01", "New Year's Day"),
            ("2019-04-19", "Good Friday"),
            ("2019-04-22", "Easter Monday"),
            ("2019-05-30", "Ascension Day"),
            ("2019-06-10", "Whit Monday"),
            ("2019-09-05", "Jeune genevois"),
            ("2019-12-25", "Christmas Day"),
            ("2019-12-31", "Restoration of the Republic (Geneva)"),
        ),
    ),
)


def published_lists() -> list[SeedClosure]:
    """The closing days read in the lists above (weekdays only, as the lists give them)."""
    return [
        SeedClosure(office, D(iso), reason, source, "published")
        for office, source, days in PUBLISHED_LISTS
        for iso, reason in days
    ]


# --- Closing days read in a notice about those days only (not the year's list) -----------------------------
# Each source starts with "partial": the days apply, but they do not make their year "published" (its recurring
# days stay applied and marked provisional), because the year's list itself was not read
# (deadlines.rules.calendars.is_partial_source).

EPO_COVID_2020 = (
    "partial list: EPO notice 'Closure of EPO extended until 10 January 2021' (epo.org updates, 17 December "
    "2020): filing offices closed 24 Dec 2020 - 10 Jan 2021, periods extended to 11 Jan 2021 (Rule 134(1) EPC); "
    "the 2021 closing-days list was not read"
)
EPO_XMAS_2021 = (
    "partial list: EPO notice 'EPO offices closed from 24 December 2021 to 2 January 2022' (epo.org updates, 14 "
    "December 2021), periods extended to 3 Jan 2022 (Rule 134(1) EPC); the 2021 closing-days list was not read"
)
EPO_XMAS_2022 = (
    "partial list: EPO notice 'EPO offices closed from 24 December 2022 to 1 January 2023' (epo.org updates, 7 "
    "December 2022), periods extended to 2 Jan 2023 (Rule 134(1) EPC); the 2022 list (OJ EPO 2021, A85) was not read"
)
IB_END_2016 = (
    "partial list: PCT Newsletter No. 11/2016 (non-working days of the International Bureau at the end of 2016: "
    "26 and 30 December 2016), PCT Rule 80.5; the IB's 2016 list was not read"
)

PARTIAL_LISTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "EP",
        EPO_COVID_2020,
        tuple(
            (iso, "Closure of the filing offices (COVID-19)")
            for iso in ("2021-01-01", "2021-01-04", "2021-01-05", "2021-01-06", "2021-01-07", "2021-01-08")
        ),
    ),
    (
        "EP",
        EPO_XMAS_2021,
        tuple(
            (iso, "Christmas and New Year closure")
            for iso in ("2021-12-24", "2021-12-27", "2021-12-28", "2021-12-29", "2021-12-30", "2021-12-31")
        ),
    ),
    (
        "EP",
        EPO_XMAS_2022,
        tuple(
            (iso, "Christmas and New Year closure")
            for iso in ("2022-12-26", "2022-12-27", "2022-12-28", "2022-12-29", "2022-12-30")
        ),
    ),
    (
        "WO",
        IB_END_2016,
        (
            ("2016-12-26", "non-working day as listed (25 December is a Sunday)"),
            ("2016-12-30", "non-working day as listed (31 December is a Saturday)"),
        ),
    ),
)


def partial_lists() -> list[SeedClosure]:
    """The closing days read in notices about single days (weekdays only)."""
    return [
        SeedClosure(office, D(iso), reason, source, "published")
        for office, source, days in PARTIAL_LISTS
        for iso, reason in days
    ]


def seed_closures() -> list[SeedClosure]:
    rows = [*_epo(), *_ib(), *published_lists(), *partial_lists(), *jpo_year_end(), *inauguration_days()]
    seen: set[tuple[str, date]] = set()
    unique = []
    for row in rows:
        if (row.office, row.date) not in seen:
            seen.add((row.office, row.date))
            unique.append(row)
    return unique


def closures_mapping(rows: list[SeedClosure] | None = None) -> dict[str, dict[date, tuple[str, str]]]:
    """The seed data in the shape the pure engine takes (office -> {date: (reason, source)})."""
    from .rules.calendars import normalize_office

    out: dict[str, dict[date, tuple[str, str]]] = {}
    for row in rows if rows is not None else seed_closures():
        out.setdefault(normalize_office(row.office) or row.office, {})[row.date] = (row.reason, row.source)
    return out


NOT_SEEDED = (
    "EPO 2025 and 2027: bridging days (e.g. 27-30 Dec 2027) -- only the notices fix them",
    "EPO The Hague: King's Day (26 Apr 2025 is a Saturday; 27 Apr 2026, 27 Apr 2027) and Liberation Day "
    "(5 May 2025, 5 May 2026, 5 May 2027) -- in every notice read (1997, 1999, 2003, 2015, 2017, 2020, 2023), not "
    "verified for 2025-2027 (the 2026 copy seeded lacks them)",
    "EPO Berlin: International Women's Day (8 Mar 2024, 8 Mar 2027) -- on the EPO's 2023 office-holidays list, "
    "not verified for 2024 or 2027",
    "EPO Munich: Assumption Day 15 Aug 2025 (Friday) -- in every notice read where it is a weekday (1997, 2003, "
    "2017, 2023, 2024), not verified for 2025",
    "EPO 24 Dec 2018 - 1 Jan 2019 and 23 Dec 2017 - 1 Jan 2018: the EPO's notices say its offices close but not "
    "that periods are extended, and the lists for 2018 and 2019 were not read",
    "WIPO IB: days in lieu when a holiday falls on a weekend (e.g. 25 Dec 2027 is a Saturday) -- the lists read "
    "moved them differently (26 and 30 Dec 2016, 2 and 29 Dec 2017), so none is guessed",
    "All offices: ad-hoc closures (weather, outages) -- enter them in the admin as they are announced, with a "
    "source starting 'ad hoc:' so the year's list status does not change",
)
