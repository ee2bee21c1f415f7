"""A seeded synthetic patent portfolio, generated one matter at a time (no file per matter).

Matter ``i`` is a pure function of ``(seed, i, today)``: its office, numbers, parties and prosecution
history are drawn from ``random.Random(f"{seed}:{i}")``, so a 100k-matter portfolio costs nothing until a
matter is asked for, and the same seed always serves the same documents. Every office number encodes the
index (serial = 100000 + i), so ``lookup`` turns any number form back into ``i`` and then verifies it
against the generated matter.

Histories are placed relative to ``today`` (default: the current UTC date) so that a demo always has
deadlines due soon, deadlines just missed, and settled matters: each matter picks a stage (e.g. "an Art.
94(3) communication is outstanding") and an offset of that stage's event before today, and the whole
history is laid out backwards from there.

Offices and kinds (``SyntheticMatter.kind``):

=================  =====  ==============================================================================
kind               office  history
=================  =====  ==============================================================================
ep-direct          EP     filing, EESR, A1 publication, exam request, Art. 94(3) rounds, R71(3), grant,
                          no opposition, national lapses, renewal fees (RFEE), deemed withdrawal (R112)
euro-pct           EP     PCT filing/ISR/WO publication, EP entry, R161/162, then as ep-direct
pct                WO     priority, PCT filing, ISR + written opinion, WO publication, national phase
us-utility         US     filing, PG-pub, CTRS/CTNF/CTFR with responses, RCE, NOA, issue fee, grant,
                          abandonment
us-continuation    US     as us-utility, with a parent (CON, DIV or CIP) and its parent in the continuity bag
jp-patent          JP     filing, exam request, search report, 拒絶理由通知書 + reply, 特許査定, 登録,
                          拒絶査定
=================  =====  ==============================================================================

Seeding docket matters (the demo seeder)::

    from itertools import islice
    from patents.simulator.portfolio import SyntheticPortfolio

    portfolio = SyntheticPortfolio(seed=1, size=200)
    for m in islice(portfolio.matters("EP"), 20):      # or portfolio.matters() for every office
        Matter(office=m.office, application_number=m.application_number, title=m.title,
               applicant=m.applicant, filing_date=m.filing_date, ...)

``application_number`` is the office's written form (``EP21123456.7``, ``PCT/EP2021/012345``,
``17/123,456``, ``2021-123456``) and is accepted by ``patents.numbers.normalize_application_number``.
``portfolio.lookup(any_number_form)`` returns the matter or ``None``. Nothing here imports Django.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

OFFICES = ("EP", "WO", "US", "JP")

# One slot per matter index, so each office's share is exact at any size and matters(office) is cheap.
_KIND_CYCLE = (
    "ep-direct",
    "us-utility",
    "euro-pct",
    "jp-patent",
    "pct",
    "ep-direct",
    "us-continuation",
    "euro-pct",
    "us-utility",
    "ep-direct",
)
_OFFICE_OF_KIND = {
    "ep-direct": "EP",
    "euro-pct": "EP",
    "pct": "WO",
    "us-utility": "US",
    "us-continuation": "US",
    "jp-patent": "JP",
}

SERIAL_BASE = 100000
EP_PUBLICATION_BASE = 3900000
US_PATENT_BASE = 12000000
JP_REGISTRATION_BASE = 7000000
# Granted matters whose 20-year term has ended (about one in twelve of them), and the term in days.
EXPIRED_SHARE = 0.08
TERM_DAYS = 7305

_APPLICANTS = (
    ("Nordlicht Photonics GmbH", "DE", "Leopoldstrasse 21", "80802 München"),
    ("Kestrel Robotics Inc.", "US", "400 Harbor Drive", "Boston, MA 02110"),
    ("Aoba Materials K.K.", "JP", "2-3-1 Marunouchi, Chiyoda-ku", "Tokyo 100-0005"),
    ("Fjordgrid Energy AS", "NO", "Strandveien 50", "1366 Lysaker"),
    ("Helvetia Micromechanics SA", "CH", "Route de la Gare 12", "2000 Neuchâtel"),
    ("Lumen Therapeutics Ltd", "GB", "10 King's Parade", "Cambridge CB2 1SJ"),
    ("Rivière Agritech SAS", "FR", "15 rue des Vignes", "69002 Lyon"),
    ("Tidewater Semiconductor Corp.", "US", "2100 Mission College Blvd", "Santa Clara, CA 95054"),
    ("Saffron Biologics B.V.", "NL", "Kanaalweg 8", "2628 EB Delft"),
    ("Kirin Drive Systems Co., Ltd.", "JP", "1-1 Minatomirai, Nishi-ku", "Yokohama 220-0012"),
    ("Polaris Battery Works Oy", "FI", "Elektroniikkatie 7", "90590 Oulu"),
    ("Castellan Medical Devices S.r.l.", "IT", "Via Torino 44", "20123 Milano"),
)
_INVENTORS = (
    "Berger, Anna",
    "Okafor, Chidi",
    "Tanaka, Hiroshi",
    "Lindqvist, Maja",
    "Moreau, Julien",
    "Kowalski, Piotr",
    "Nakamura, Yui",
    "Schmidt, Jonas",
    "Rossi, Giulia",
    "Haddad, Leila",
    "Fischer, Lukas",
    "Sato, Kenji",
    "O'Neill, Siobhan",
    "Garcia, Mateo",
    "Virtanen, Aino",
)
_AGENTS = (
    ("Kessler & Partner Patentanwälte mbB", "DE", "Theresienhöhe 11", "80339 München"),
    ("Marlow IP LLP", "GB", "1 Fleet Place", "London EC4M 7WS"),
    ("Vandermeer Octrooibureau B.V.", "NL", "Herengracht 420", "1017 BZ Amsterdam"),
)
_TITLE_SUBJECTS = (
    "battery electrode",
    "optical sensor",
    "robotic gripper",
    "wind turbine blade",
    "antibody formulation",
    "semiconductor package",
    "heat exchanger",
    "wireless mesh network",
    "drug delivery device",
    "power converter",
    "seed coating",
    "image encoder",
    "hydrogen electrolyser",
    "surgical stapler",
)
_TITLE_ASPECTS = (
    "with layered coating",
    "and method of manufacturing the same",
    "having reduced noise",
    "for low-temperature operation",
    "with adaptive control",
    "and system comprising the same",
    "using machine-learned calibration",
    "with improved thermal stability",
)
EP_STATES = (
    "AL AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV MC MK MT NL NO PL PT RO RS SE SI SK SM TR"
).split()


@dataclass(frozen=True)
class Event:
    """One step of a matter's history, in office-neutral terms; the office renderers map ``kind`` to codes.

    ``period_months``/``period_days`` is the time limit the office set with this event (e.g. 4 months for
    an Art. 94(3) communication); ``extra`` carries kind-specific values (renewal year, country, …).
    """

    date: date
    kind: str
    period_months: int | None = None
    period_days: int | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        return dict(self.extra).get(key, default)


@dataclass(frozen=True)
class Priority:
    country: str
    number: str
    date: date
    kind: str = "national"  # national | regional | international | provisional


@dataclass(frozen=True)
class MatterHeader:
    """What a search can test without generating the history: see ``SyntheticPortfolio.header``."""

    index: int
    kind: str
    office: str
    applicant: str
    applicant_country: str
    applicant_address: tuple[str, str]
    inventors: tuple[str, ...]
    agent: str
    title: str


@dataclass(frozen=True)
class SyntheticMatter:
    index: int
    office: str
    kind: str
    application_number: str  # the office's written form
    filing_date: date
    title: str
    applicant: str
    applicant_country: str
    applicant_address: tuple[str, str]
    inventors: tuple[str, ...]
    agent: str
    stage: str
    status: str  # the office's own status text
    status_code: str  # the office's own status code ("" when the office has none)
    events: tuple[Event, ...]
    priorities: tuple[Priority, ...] = ()
    publication_number: str = ""  # first publication, epodoc-like: EP3900012, WO2021100012, US20210100012
    publication_kind: str = ""
    publication_date: date | None = None
    grant_number: str = ""  # EP3900012 / US12000012 / 7000012
    grant_kind: str = ""
    grant_date: date | None = None
    pct_application_number: str = ""  # PCT/EP2021/100012 for euro-pct and pct
    wo_publication_number: str = ""  # WO2021100012
    wo_publication_date: date | None = None
    parent_application_number: str = ""  # us-continuation; an EP divisional's parent (EP21100000 form)
    # How the parent relates (USPTO claimParentageTypeCode: CON, DIV, CIP; "DIV" for an EP divisional)
    parent_relation_code: str = ""
    grandparent_application_number: str = ""  # us-continuation: the parent's own parent (ODP lists the chain)
    lapsed_states: tuple[tuple[str, date], ...] = ()
    keys: frozenset[str] = field(default_factory=frozenset, repr=False)

    @property
    def serial(self) -> int:
        return SERIAL_BASE + self.index

    @property
    def family_id(self) -> str:
        return str(50000000 + self.index)

    def events_of(self, *kinds: str) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]

    def last(self, kind: str) -> Event | None:
        found = self.events_of(kind)
        return found[-1] if found else None

    # Number forms the offices use -------------------------------------------------------------------
    @property
    def ep_application_digits(self) -> str:
        """EP: 2-digit filing year + 6-digit serial (the register's epodoc application form minus 'EP')."""
        return f"{self.filing_date.year % 100:02d}{self.serial:06d}"

    @property
    def epodoc_application(self) -> str:
        if self.office == "EP":
            return f"EP{self.ep_application_digits}"
        if self.office == "WO":
            return _pct_epodoc(self.pct_application_number)
        if self.office == "US":
            return f"US{self.filing_date.year}{self.application_digits[2:]:0>7}"
        return f"JP{self.application_digits}"

    @property
    def application_digits(self) -> str:
        return re.sub(r"\D", "", self.application_number.split(".")[0]) if self.office != "WO" else ""


def _luhn_check_digit(digits: str) -> int:
    total = 0
    for pos, ch in enumerate(reversed(digits)):
        d = int(ch)
        if pos % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def _pct_epodoc(pct: str) -> str:
    # PCT/EP2021/100012 -> WO2021EP100012 (the register's WO application form, cf. WO2014EP63108)
    m = re.match(r"PCT/([A-Z]{2})(\d{4})/(\d+)", pct)
    if not m:
        return ""
    # epodoc drops the serial's leading zeros (recorded: WO2008US86599 for PCT/US2008/086599).
    return f"WO{m.group(2)}{m.group(1)}{int(m.group(3))}"


def normalize_key(value: str) -> str:
    """Upper-case alphanumerics only: 'EP 2 400 812 A1', '(EP).(2400812).(A1)' and 'EP.2400812.A1' agree."""
    return re.sub(r"[^A-Z0-9]", "", unquote(value or "").upper())


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


class _History:
    """Collects events at day offsets relative to filing; ``place`` anchors one of them before today."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str, int | None, int | None, tuple[tuple[str, str], ...]]] = []

    def add(self, day: int, kind: str, *, months: int | None = None, days: int | None = None, **extra: str):
        self.items.append((day, kind, months, days, tuple(sorted(extra.items()))))
        return day

    def events(self, filing: date, today: date) -> list[Event]:
        out = [
            Event(filing + timedelta(days=d), k, m, dd, ex)
            for d, k, m, dd, ex in self.items
            if filing + timedelta(days=d) <= today
        ]
        out.sort(key=lambda e: (e.date, e.kind))
        return out


def _pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


class SyntheticPortfolio:
    """``SyntheticPortfolio(seed, size, today=None)``: ``size`` matters, generated on demand.

    ``matters(office=None)`` iterates in index order; ``matter(i)`` returns one; ``lookup(number)``
    accepts any written, epodoc, docdb or original form (EP21123456, EP21123456.7, EP20210123456,
    EP.3900012.A1, (EP).(3900012).(A1), PCT/EP2021/100012, WO2021100012, 17/123,456, US20220100012A1,
    2021-123456, 7000012, …) and returns the matter or ``None``.
    """

    def __init__(self, seed: int = 1, size: int = 200, today: date | None = None) -> None:
        self.seed = seed
        self.size = size
        self.today = today or datetime.now(UTC).date()
        self._cache = lru_cache(maxsize=8192)(self._generate)
        self._headers: list[MatterHeader] | None = None
        self._headers_lock = threading.Lock()
        self._advanced: dict[int, tuple[str, tuple[Event, ...]]] = {}
        self._advance_round = 0

    def __len__(self) -> int:
        return self.size

    def matter(self, index: int) -> SyntheticMatter:
        if not 0 <= index < self.size:
            raise IndexError(index)
        base = self._cache(index)
        extra = self._advanced.get(index)
        if not extra:
            return base
        stage, events = extra
        all_events = base.events + events
        status = _status_fields(base.office, stage)
        if base.office == "EP":
            text, code = _ep_status(stage, list(all_events), base.grant_date is not None)
            status = {"status": text, "status_code": code}
        return replace(base, stage=stage, events=all_events, **status)

    # The office acts: new events dated today ------------------------------------------------------
    def advance(self, *, count: int = 0, indexes: list[int] | None = None) -> list[SyntheticMatter]:
        """Let the office take its next step on some matters today; returns the changed matters.

        ``indexes`` picks the matters; otherwise ``count`` of them are chosen deterministically (per seed
        and call) among matters whose stage has a next step (``ADVANCE``). Used by the demo and tests to
        show a sync picking up new office actions; nothing else changes (numbers, earlier events).
        """
        with self._headers_lock:
            self._advance_round += 1
            round_ = self._advance_round
        if indexes is None:

            def order(i: int) -> str:
                return hashlib.sha256(f"{self.seed}:{round_}:{i}".encode()).hexdigest()

            indexes = []
            for i in sorted(range(self.size), key=order):
                if len(indexes) >= count:
                    break
                if (self.matter(i).kind, self.matter(i).stage) in ADVANCE:
                    indexes.append(i)
        changed = []
        for i in indexes:
            m = self.matter(i)
            step = ADVANCE.get((m.kind, m.stage))
            if step is None:
                continue
            new_stage, steps = step
            new_events = tuple(Event(self.today, k, months, days) for k, months, days in steps)
            with self._headers_lock:
                prev_stage, prev = self._advanced.get(i, (m.stage, ()))
                self._advanced[i] = (new_stage, prev + new_events)
            changed.append(self.matter(i))
        return changed

    def kind_of(self, index: int) -> str:
        return _KIND_CYCLE[index % len(_KIND_CYCLE)]

    def office_of(self, index: int) -> str:
        return _OFFICE_OF_KIND[self.kind_of(index)]

    def matters(self, office: str | None = None) -> _MatterSequence:
        return _MatterSequence(self, office.upper() if office else None)

    def __iter__(self) -> Iterator[SyntheticMatter]:
        return iter(self.matters())

    # Lookup ----------------------------------------------------------------------------------------
    def lookup(self, number: str, office: str | None = None) -> SyntheticMatter | None:
        key = normalize_key(number)
        if not key:
            return None
        for index in self._candidate_indices(key):
            if 0 <= index < self.size:
                m = self.matter(index)
                if key in m.keys and (office is None or m.office == office.upper()):
                    return m
        return None

    def _candidate_indices(self, key: str) -> list[int]:
        candidates: list[int] = []
        for run in re.findall(r"\d+", key):
            for width in (6,):
                if len(run) >= width:
                    candidates.append(int(run[-width:]) - SERIAL_BASE)
                    # docdb/epodoc forms may carry a check digit or trailing kind digit (A1, B2)
                    if len(run) > width:
                        candidates.append(int(run[-width - 1 : -1]) - SERIAL_BASE)
            if len(run) == 7:
                candidates.append(int(run) - EP_PUBLICATION_BASE)
                candidates.append(int(run) - JP_REGISTRATION_BASE)
            if len(run) == 8:
                candidates.append(int(run) - US_PATENT_BASE)
            if len(run) > 7:
                candidates.append(int(run[:7]) - EP_PUBLICATION_BASE)
        return list(dict.fromkeys(candidates))  # first occurrence order, duplicates dropped

    # Generation ------------------------------------------------------------------------------------
    def header(self, index: int) -> MatterHeader:
        """The cheap part of matter ``index`` (parties, title, office): ~100x faster than ``matter``.

        Searches filter on headers first and generate full matters only for the candidates left.
        """
        if not 0 <= index < self.size:
            raise IndexError(index)
        return self._header(random.Random(f"{self.seed}:{index}"), index)

    def headers(self) -> list[MatterHeader]:
        """Every matter's header, computed once (≈25 µs each) and kept: searches scan these."""
        with self._headers_lock:
            if self._headers is None:
                self._headers = [self.header(i) for i in range(self.size)]
            return self._headers

    def _header(self, rng: random.Random, index: int) -> MatterHeader:
        # These draws come first from the matter's generator, so a header always agrees with its matter.
        kind = self.kind_of(index)
        applicant = _APPLICANTS[rng.randrange(len(_APPLICANTS))]
        inventors = tuple(rng.sample(_INVENTORS, rng.randint(1, 3)))
        agent = _AGENTS[rng.randrange(len(_AGENTS))][0]
        title = f"{rng.choice(_TITLE_SUBJECTS).capitalize()} {rng.choice(_TITLE_ASPECTS)}"
        return MatterHeader(
            index,
            kind,
            _OFFICE_OF_KIND[kind],
            applicant[0],
            applicant[1],
            (applicant[2], applicant[3]),
            inventors,
            agent,
            title,
        )

    def _generate(self, index: int) -> SyntheticMatter:
        rng = random.Random(f"{self.seed}:{index}")
        h = self._header(rng, index)
        kind = h.kind
        common: dict[str, Any] = dict(
            index=index,
            kind=kind,
            office=h.office,
            title=h.title,
            applicant=h.applicant,
            applicant_country=h.applicant_country,
            applicant_address=h.applicant_address,
            inventors=h.inventors,
            agent=h.agent,
        )
        builder = {
            "ep-direct": self._ep,
            "euro-pct": self._ep,
            "pct": self._pct,
            "us-utility": self._us,
            "us-continuation": self._us,
            "jp-patent": self._jp,
        }[kind]
        fields = builder(rng, index, kind, h.applicant_country)
        fields.update(self._relations(index, kind, fields))
        matter = SyntheticMatter(**common, **fields)
        return _with_keys(matter)

    def _relations(self, index: int, kind: str, fields: dict) -> dict:
        """Parents as the real answers show them (no random draws: every other value stays as it was).

        US continuations are continuations, divisionals or CIPs in turn, each with the chain's grandparent;
        every twentieth EP direct filing (index 9, 29, …) is a divisional, of the EP matter nine places
        before it when that one was filed earlier, else of an application outside the portfolio.
        """
        if kind == "us-continuation" and fields.get("parent_application_number"):
            code = ("CON", "DIV", "CIP")[(index // 10) % 3]
            parent = fields["parent_application_number"]
            return {"parent_relation_code": code,
                    "grandparent_application_number": f"{int(parent[:2]) - 1}{(index * 7919) % 900000 + 100000}"}
        if kind == "ep-direct" and index % 20 == 9:
            filing: date = fields["filing_date"]
            earlier = self.matter(index - 9) if index >= 9 else None
            if earlier is not None and earlier.office == "EP" and earlier.filing_date < filing:
                parent = f"EP{earlier.ep_application_digits}"
            else:
                parent = f"EP{(filing.year - 2) % 100:02d}{900000 + index % 100000:06d}"
            return {"parent_application_number": parent, "parent_relation_code": "DIV"}
        return {}

    def _term_over(self, index: int) -> int | None:
        """Days past its 20-year term (EPC Art. 63(1), 35 U.S.C. 154(a)(2), JP Patent Act Art. 67(1)) for
        a granted matter whose right has expired, None for the others. Drawn from the matter's own second
        generator, so every other matter (and every other draw of this one) stays as it was."""
        rng = random.Random(f"{self.seed}:{index}:term")
        return rng.randint(400, 1500) if rng.random() < EXPIRED_SHARE else None

    @staticmethod
    def _expired_offset(anchor_day: int, past: int) -> int:
        """The offset placing the filing date ``past`` days more than 20 years (7,305 days) before today."""
        return TERM_DAYS + past - anchor_day

    def _placed_filing(self, anchor_day: int, offset_days: int) -> date:
        """Filing date such that the event at ``anchor_day`` (days after filing) lies ``offset`` days ago."""
        return self.today - timedelta(days=offset_days + anchor_day)

    # EP --------------------------------------------------------------------------------------------
    # Long because: an EP matter's whole procedural history, one stage after the other.
    def _ep(self, rng: random.Random, index: int, kind: str, applicant_country: str) -> dict:
        pct = kind == "euro-pct"
        h = _History()
        stages = {
            "filed": 0.05,
            "published": 0.10,
            "exam_requested": 0.07,
            "exam_report": 0.22,
            "exam_replied": 0.08,
            "r71": 0.13,
            "granted": 0.25,
            "withdrawn": 0.10,
        }
        if pct:
            stages = {"r161": 0.15, **{k: v for k, v in stages.items() if k not in ("filed", "published")}}
        stage = _pick(rng, stages)
        prio_gap = rng.randint(300, 364)
        has_prio = pct or rng.random() < 0.6
        prio_day = -prio_gap if has_prio else 0
        anchor = 0
        offset = rng.randint(20, 200)
        h.add(0, "filing")
        if pct:
            # the EP application's filing date is the international filing date
            h.add(prio_day + 16 * 30 + rng.randint(-10, 10), "isr")
            wo_pub_day = h.add(prio_day + 548 + rng.randint(0, 10), "wo_publication")
            entry = h.add(prio_day + 31 * 30 + rng.randint(-20, 0), "ep_entry")
            h.add(entry, "exam_request")
            r161 = h.add(entry + rng.randint(40, 80), "r161", months=6)
            anchor, day = r161, r161
            if stage == "r161":
                offset = rng.randint(100, 240)
            else:
                day = h.add(r161 + rng.randint(90, 180), "r161_reply")
                if rng.random() < 0.4:
                    day = h.add(day + rng.randint(120, 240), "search_report", supplementary="yes")
        else:
            wo_pub_day = None
            sr = h.add(rng.randint(150, 300), "search_report")
            pub = h.add(max(prio_day + 548, sr + 10) + rng.randint(0, 14), "publication")
            anchor, day = (0, 0) if stage == "filed" else (pub, pub)
            if stage == "published":
                offset = rng.randint(120, 230)  # exam request due 6 months after the search-report mention
            elif stage != "filed":
                day = h.add(pub + rng.randint(30, 175), "exam_request")
                anchor = day
        if stage in ("exam_requested",):
            offset = rng.randint(30, 300)
        rounds = 0
        if stage in ("exam_report", "exam_replied", "r71", "granted", "withdrawn"):
            rounds = rng.choice((1, 1, 2, 2, 3))
            for r in range(rounds):
                months = 4 if r == 0 or rng.random() < 0.7 else 6
                day = h.add(day + rng.randint(150, 420), "exam_report", months=months)
                anchor = day
                last_round = r == rounds - 1
                if last_round and stage == "exam_report":
                    offset = rng.randint(60, 160)
                    break
                if last_round and stage == "withdrawn":
                    loss = h.add(day + months * 30 + rng.randint(25, 45), "loss_of_rights", months=2)
                    h.add(loss, "deemed_withdrawn")
                    anchor = loss
                    offset = rng.randint(15, 400)
                    break
                day = h.add(day + months * 30 - rng.randint(1, 40), "exam_reply")
                anchor = day
            if stage == "exam_replied":
                offset = rng.randint(20, 200)
        grant_day = None
        if stage in ("r71", "granted"):
            r71 = h.add(day + rng.randint(90, 300), "r71_3", months=4)
            anchor = r71
            offset = rng.randint(50, 160)
            if stage == "granted":
                paid = h.add(r71 + rng.randint(60, 118), "grant_fee_paid")
                h.add(paid, "translations_filed")
                decision = h.add(paid + rng.randint(30, 60), "grant_decision")
                grant_day = h.add(decision + 28 + rng.randint(0, 7), "grant")
                anchor = grant_day
                recent = rng.random() < 0.45
                offset = rng.randint(200, 300) if recent else rng.randint(300, 2600)
                h.add(grant_day + 9 * 30 + rng.randint(35, 50), "no_opposition")
                past = self._term_over(index)
                if past is not None:
                    offset = self._expired_offset(grant_day, past)
        filing = self._placed_filing(anchor, offset)
        if grant_day is None and stage == "granted":  # pragma: no cover - defensive
            raise AssertionError("granted without grant")
        # renewal fees (Art. 86 EPC): year 3 onwards, due at the end of the anniversary month, until grant
        end_renewals = grant_day if grant_day is not None else None
        withdrawn_at = next((d for d, k, *_ in h.items if k == "deemed_withdrawn"), None)
        skip_year = None
        if stage in ("exam_report", "exam_replied", "r71", "exam_requested") and rng.random() < 0.2:
            skip_year = "latest"  # unpaid renewal in the grace period: a deadline a paralegal must see
        years: list[tuple[int, date]] = []
        for year in range(3, 21):
            due = _month_end(add_months(filing, 12 * (year - 1)))
            due_day = (due - filing).days
            if end_renewals is not None and due_day > end_renewals:
                break
            if withdrawn_at is not None and due_day > withdrawn_at:
                break
            if due > self.today:
                break
            years.append((year, due))
        for n, (year, due) in enumerate(years):
            if skip_year == "latest" and n == len(years) - 1 and (self.today - due).days < 170:
                continue
            pay = due - timedelta(days=rng.randint(0, 45))
            h.add((pay - filing).days, "renewal_paid", year=f"{year:02d}")
        lapsed: list[tuple[str, date]] = []
        if grant_day is not None:
            grant_date = filing + timedelta(days=grant_day)
            for country in rng.sample(EP_STATES, rng.randint(0, 8)):
                lapse = grant_date + timedelta(days=rng.randint(90, 900))
                if lapse + timedelta(days=60) <= self.today:
                    lapsed.append((country, lapse))
                    h.add(
                        (lapse - filing).days + rng.randint(40, 120),
                        "national_lapse",
                        country=country,
                        effective=lapse.strftime("%Y%m%d"),
                    )
            for country in ("DE", "FR", "GB"):
                for yr in range(1, 20):
                    paid = add_months(grant_date, 12 * yr)
                    if paid > self.today or paid >= add_months(filing, 12 * 20):
                        break  # nothing is paid for a right past its term
                    if any(c == country for c, _ in lapsed):
                        break
                    h.add(
                        (paid - filing).days,
                        "national_renewal_paid",
                        country=country,
                        year=str((paid - filing).days // 365 + 1),
                    )
        events = h.events(filing, self.today)
        serial = SERIAL_BASE + index
        ep_pub = f"EP{EP_PUBLICATION_BASE + index}"
        wo_pub = pct_no = ""
        wo_pub_date: date | None = None  # set for a Euro-PCT matter only
        prios: list[Priority] = []
        if has_prio:
            pdate = filing + timedelta(days=prio_day)
            pc = applicant_country if applicant_country in ("DE", "US", "JP", "GB", "FR") else "US"
            prios.append(Priority(pc, f"{pdate.year}{rng.randint(10**5, 10**6 - 1)}", pdate))
        if pct:
            ro = "EP" if rng.random() < 0.6 else ("US" if applicant_country == "US" else "EP")
            pct_no = f"PCT/{ro}{filing.year}/{serial:06d}"
            wo_pub_date = filing + timedelta(days=wo_pub_day)
            wo_pub = f"WO{wo_pub_date.year}{serial:06d}"
        status, code = _ep_status(stage, events, grant_day is not None)
        wo_published = wo_pub_date is not None and wo_pub_date <= self.today
        pub_event = next((e for e in events if e.kind == "publication"), None)
        grant_event = next((e for e in events if e.kind == "grant"), None)
        return dict(
            application_number=(
                f"EP{filing.year % 100:02d}{serial:06d}.{_luhn_check_digit(f'{filing.year % 100:02d}{serial:06d}')}"
            ),
            filing_date=filing,
            stage=stage,
            status=status,
            status_code=code,
            events=tuple(events),
            priorities=tuple(prios),
            publication_number=ep_pub if pub_event else (wo_pub if wo_published else ""),
            publication_kind="A1" if pub_event else ("A1" if wo_published else ""),
            publication_date=pub_event.date if pub_event else wo_pub_date,
            grant_number=ep_pub if grant_event else "",
            grant_kind="B1" if grant_event else "",
            grant_date=grant_event.date if grant_event else None,
            pct_application_number=pct_no,
            wo_publication_number=wo_pub if wo_published else "",
            wo_publication_date=wo_pub_date if wo_published else None,
            lapsed_states=tuple(sorted(lapsed)),
        )

    # WO --------------------------------------------------------------------------------------------
    def _pct(self, rng: random.Random, index: int, kind: str, applicant_country: str) -> dict:
        h = _History()
        stage = _pick(rng, {"filed": 0.1, "searched": 0.15, "published": 0.55, "national_phase": 0.2})
        prio_gap = rng.randint(330, 364)
        h.add(0, "filing")
        isr = h.add(16 * 30 - prio_gap + rng.randint(-15, 15), "isr")
        pub = h.add(548 - prio_gap + rng.randint(0, 7), "wo_publication")
        thirty = 913 - prio_gap  # 30 months from priority
        if stage == "filed":
            anchor, offset = 0, rng.randint(10, max(11, isr - 20))
        elif stage == "searched":
            anchor, offset = isr, rng.randint(5, max(6, pub - isr - 5))
        elif stage == "published":
            # the national-phase deadline (30/31 months from priority) falls between -30 and +150 days
            anchor, offset = thirty, rng.randint(-150, 30)
        else:
            for country in rng.sample(("EP", "US", "JP", "CN", "KR"), rng.randint(1, 4)):
                h.add(thirty + rng.randint(-40, 30), "national_phase_entry", country=country)
            anchor, offset = thirty, rng.randint(60, 900)
        filing = self._placed_filing(anchor, offset)
        events = h.events(filing, self.today)
        serial = SERIAL_BASE + index
        ro = applicant_country if applicant_country in ("EP", "US", "JP", "GB", "DE", "FR") else "EP"
        if ro in ("DE", "FR"):
            ro = "EP"
        pdate = filing - timedelta(days=prio_gap)
        pub_event = next((e for e in events if e.kind == "wo_publication"), None)
        wo_pub = f"WO{pub_event.date.year}{serial:06d}" if pub_event else ""
        pc = applicant_country if applicant_country in ("DE", "US", "JP", "GB", "FR", "FI") else "EP"
        return dict(
            application_number=f"PCT/{ro}{filing.year}/{serial:06d}",
            filing_date=filing,
            stage=stage,
            status="published" if pub_event else "pending international publication",
            status_code="",
            events=tuple(events),
            priorities=(Priority(pc, f"{pdate.year}{rng.randint(10**5, 10**6 - 1)}", pdate),),
            publication_number=wo_pub,
            publication_kind="A1" if pub_event else "",
            publication_date=pub_event.date if pub_event else None,
            pct_application_number=f"PCT/{ro}{filing.year}/{serial:06d}",
            wo_publication_number=wo_pub,
            wo_publication_date=pub_event.date if pub_event else None,
        )

    # US --------------------------------------------------------------------------------------------
    # Long because: a US matter's whole prosecution history, one stage after the other.
    def _us(self, rng: random.Random, index: int, kind: str, applicant_country: str) -> dict:
        h = _History()
        stage = _pick(
            rng,
            {
                "pre_exam": 0.07,
                "ctrs": 0.08,
                "ctnf": 0.22,
                "replied": 0.08,
                "ctfr": 0.15,
                "noa": 0.13,
                "patented": 0.20,
                "abandoned": 0.07,
            },
        )
        has_prov = rng.random() < 0.5
        prio_day = -rng.randint(300, 364) if has_prov else 0
        h.add(0, "filing")
        h.add(rng.randint(20, 60), "filing_receipt")
        day = h.add(rng.randint(60, 120), "docketed")
        anchor, offset = day, rng.randint(10, 200)
        pgpub = prio_day + 548 + rng.randint(0, 20)
        if pgpub > 0:
            h.add(pgpub, "pgpub")
        if stage != "pre_exam":
            if stage == "ctrs" or rng.random() < 0.25:
                day = h.add(day + rng.randint(200, 500), "ctrs", months=3)
                anchor = day
                if stage == "ctrs":
                    offset = rng.randint(20, 110)
                else:
                    day = h.add(day + rng.randint(30, 85), "response_restriction")
            if stage != "ctrs":
                day = h.add(day + rng.randint(90, 400), "ctnf", months=3)
                anchor = day
                if stage == "ctnf":
                    offset = rng.randint(30, 200)  # some inside the 3-month period, some in extension months
                elif stage == "abandoned":
                    day = h.add(day + 6 * 30 + rng.randint(20, 60), "abandonment")
                    anchor, offset = day, rng.randint(10, 300)
                else:
                    day = h.add(day + rng.randint(60, 170), "response_nonfinal")
                    anchor = day
                    if stage == "replied":
                        offset = rng.randint(10, 150)
                    elif stage == "ctfr" or rng.random() < 0.4:
                        day = h.add(day + rng.randint(90, 240), "ctfr", months=3)
                        anchor = day
                        if stage == "ctfr":
                            offset = rng.randint(30, 200)
                        else:
                            day = h.add(day + rng.randint(60, 100), "rce")
            if stage in ("noa", "patented"):
                noa = h.add(day + rng.randint(60, 300), "noa", months=3)
                anchor, offset = noa, rng.randint(15, 110)
                if stage == "patented":
                    fee = h.add(noa + rng.randint(20, 85), "issue_fee_paid")
                    notice = h.add(fee + rng.randint(14, 30), "issue_notification")
                    grant = h.add(notice + 21, "patent_granted")
                    anchor = grant
                    # maintenance fee windows open at 3, 7 and 11 years after grant
                    offset = rng.choice((rng.randint(900, 1400), rng.randint(60, 2600)))
                    past = self._term_over(index)
                    if past is not None:
                        offset = self._expired_offset(grant, past)
        filing = self._placed_filing(anchor, offset)
        events = h.events(filing, self.today)
        serial = SERIAL_BASE + index
        # The USPTO's series codes by filing year (10: 2001-04, 11: 2005-07; later ones compressed).
        series = (10 if filing.year < 2005 else 11 if filing.year < 2008 else 16 if filing.year < 2020
                  else 17 if filing.year < 2022 else 18 if filing.year < 2025 else 19)
        app = f"{series}{serial:06d}"
        pub_event = next((e for e in events if e.kind == "pgpub"), None)
        grant_event = next((e for e in events if e.kind == "patent_granted"), None)
        prios = []
        if has_prov:
            pdate = filing + timedelta(days=prio_day)
            if applicant_country != "US":
                # a foreign applicant files first at home: a Paris Convention priority, not a provisional
                prios.append(
                    Priority(applicant_country, f"{pdate.year}{rng.randint(10**5, 10**6 - 1)}", pdate, "foreign")
                )
            else:
                prios.append(Priority("US", f"63{rng.randint(10**5, 10**6 - 1)}", pdate, "provisional"))
        parent = ""
        if kind == "us-continuation":
            parent = f"{series - 1 if series > 16 else 15}{rng.randint(100000, 999999):06d}"
        status, code = _us_status(stage, events)
        return dict(
            application_number=f"{app[:2]}/{app[2:5]},{app[5:]}",
            filing_date=filing,
            stage=stage,
            status=status,
            status_code=str(code),
            events=tuple(events),
            priorities=tuple(prios),
            publication_number=f"US{pub_event.date.year}{serial:07d}" if pub_event else "",
            publication_kind="A1" if pub_event else "",
            publication_date=pub_event.date if pub_event else None,
            grant_number=f"US{US_PATENT_BASE + index}" if grant_event else "",
            grant_kind="B2" if grant_event and pub_event else ("B1" if grant_event else ""),
            grant_date=grant_event.date if grant_event else None,
            parent_application_number=parent,
        )

    # JP --------------------------------------------------------------------------------------------
    def _jp(self, rng: random.Random, index: int, kind: str, applicant_country: str) -> dict:
        h = _History()
        stage = _pick(
            rng,
            {
                "filed": 0.12,
                "exam_requested": 0.1,
                "oa": 0.22,
                "replied": 0.1,
                "allowed": 0.1,
                "registered": 0.28,
                "refused": 0.08,
            },
        )
        h.add(0, "filing")
        pub = h.add(548 + rng.randint(0, 20), "jp_publication")
        anchor, offset = 0, rng.randint(1095 - 120, 1095 + 20)  # exam request due 3 years from filing
        if stage != "filed":
            req = h.add(rng.randint(0, 1000), "exam_request")
            anchor, offset = req, rng.randint(20, 300)
            day = req
            if stage != "exam_requested":
                day = h.add(req + rng.randint(200, 500), "search_report")
                oa = h.add(day + rng.randint(20, 60), "jp_oa", days=60)
                anchor, offset = oa, rng.randint(15, 95)
                if stage != "oa":
                    reply = h.add(oa + rng.randint(30, 60), "jp_opinion")
                    h.add(reply, "jp_amendment")
                    anchor, offset = reply, rng.randint(10, 150)
                    if stage == "allowed":
                        dec = h.add(reply + rng.randint(60, 150), "jp_decision_grant", days=30)
                        anchor, offset = dec, rng.randint(3, 50)
                    elif stage == "registered":
                        dec = h.add(reply + rng.randint(60, 150), "jp_decision_grant", days=30)
                        fee = h.add(dec + rng.randint(10, 28), "jp_registration_fee")
                        reg = h.add(fee + rng.randint(10, 20), "jp_registration")
                        h.add(reg + rng.randint(10, 20), "jp_certificate")
                        anchor, offset = reg, rng.choice((rng.randint(900, 1130), rng.randint(30, 2000)))
                        past = self._term_over(index)
                        if past is not None:
                            offset = self._expired_offset(reg, past)
                    elif stage == "refused":
                        dec = h.add(reply + rng.randint(60, 150), "jp_decision_refusal", months=3)
                        anchor, offset = dec, rng.randint(15, 120)
        if stage == "filed":
            pass
        filing = self._placed_filing(anchor, offset)
        events = h.events(filing, self.today)
        serial = SERIAL_BASE + index
        pub_event = next((e for e in events if e.kind == "jp_publication"), None)
        reg_event = next((e for e in events if e.kind == "jp_registration"), None)
        del pub
        return dict(
            application_number=f"{filing.year}-{serial:06d}",
            filing_date=filing,
            stage=stage,
            status=_jp_status(stage, events),
            status_code="",
            events=tuple(events),
            priorities=(),
            publication_number=f"JP{pub_event.date.year}{serial:06d}" if pub_event else "",
            publication_kind="A" if pub_event else "",
            publication_date=pub_event.date if pub_event else None,
            grant_number=f"{JP_REGISTRATION_BASE + index}" if reg_event else "",
            grant_kind="B2" if reg_event else "",
            grant_date=reg_event.date if reg_event else None,
        )


class _MatterSequence:
    """A lazy, sliceable view of the portfolio's matters (optionally of one office)."""

    def __init__(self, portfolio: SyntheticPortfolio, office: str | None) -> None:
        self._p = portfolio
        self._office = office
        if office is None:
            self._slots = None
        else:
            self._slots = [i for i, k in enumerate(_KIND_CYCLE) if _OFFICE_OF_KIND[k] == office]

    def _index(self, n: int) -> int:
        if self._slots is None:
            return n
        cycle, pos = divmod(n, len(self._slots))
        return cycle * len(_KIND_CYCLE) + self._slots[pos]

    def __len__(self) -> int:
        if self._slots is None:
            return self._p.size
        full, rest = divmod(self._p.size, len(_KIND_CYCLE))
        return full * len(self._slots) + sum(1 for s in self._slots if s < rest)

    def __getitem__(self, item):
        if isinstance(item, slice):
            return [self[n] for n in range(*item.indices(len(self)))]
        if item < 0:
            item += len(self)
        if not 0 <= item < len(self):
            raise IndexError(item)
        return self._p.matter(self._index(item))

    def __iter__(self) -> Iterator[SyntheticMatter]:
        for n in range(len(self)):
            yield self[n]


def _with_keys(m: SyntheticMatter) -> SyntheticMatter:
    keys: set[str] = {normalize_key(m.application_number)}
    if m.office == "EP":
        digits = m.ep_application_digits
        keys |= {
            f"EP{digits}",
            digits,
            f"EP{digits}A",
            f"EP{m.filing_date.year}0{m.serial:06d}",
            normalize_key(m.application_number),
        }
    if m.office == "US":
        app = normalize_key(m.application_number)
        keys |= {app, f"US{app}", f"US{m.filing_date.year}{app[2:]:0>7}"}
    if m.office == "JP":
        app = normalize_key(m.application_number)
        keys |= {app, f"JP{app}", f"JP{app}A"}
    if m.pct_application_number:
        pct = normalize_key(m.pct_application_number)
        keys |= {pct, pct[3:], normalize_key(_pct_epodoc(m.pct_application_number))}
        ro_year = re.match(r"PCT/([A-Z]{2})(\d{4})/(\d+)", m.pct_application_number)
        if ro_year:
            ro, yr, ser = ro_year.groups()
            keys |= {f"WO{ro}{yr}{ser}", f"WO{ro}{yr}{ser}W", f"{ro}{yr}{ser}W"}
    for num, kind in (
        (m.publication_number, m.publication_kind),
        (m.grant_number, m.grant_kind),
        (m.wo_publication_number, "A1"),
    ):
        if num:
            n = normalize_key(num)
            keys |= {n, n + kind}
            if m.office == "JP" and n.isdigit():
                keys |= {f"JP{n}", f"JP{n}{kind}"}
    return _replace_keys(m, frozenset(k for k in keys if k))


def _replace_keys(m: SyntheticMatter, keys: frozenset[str]) -> SyntheticMatter:
    object.__setattr__(m, "keys", keys)
    return m


# Office status texts ------------------------------------------------------------------------------
def _ep_status(stage: str, events: list[Event], granted: bool) -> tuple[str, str]:
    # EP Register status texts and their ep-patent-status codes as seen in real register documents
    kinds = {e.kind for e in events}
    if "deemed_withdrawn" in kinds:
        return "The application is deemed to be withdrawn", "10"
    if "no_opposition" in kinds:
        return "No opposition filed within time limit", "7"
    if granted:
        return "The patent has been granted", "8"
    if "r71_3" in kinds:
        return "Grant of patent is intended", "12"
    if "exam_report" in kinds or "r161_reply" in kinds or "exam_request" in kinds and "r161" not in kinds:
        if "exam_request" in kinds and "exam_report" not in kinds and "r161" not in kinds:
            return "Request for examination was made", "15"
        return "Examination is in progress", "14"
    if "r161" in kinds:
        return "The international publication has been made", "17"
    if "publication" in kinds:
        return "The application has been published", "16"
    return "The application has been published", "16" if "publication" in kinds else "16"


US_STATUS = {
    "pre_exam": (30, "Docketed New Case - Ready for Examination"),
    "ctrs": (41, "Non Final Action Mailed"),
    "ctnf": (41, "Non Final Action Mailed"),
    "replied": (71, "Response to Non-Final Office Action Entered and Forwarded to Examiner"),
    "ctfr": (61, "Final Rejection Mailed"),
    "noa": (93, "Notice of Allowance Mailed -- Application Received in Office of Publications"),
    "patented": (150, "Patented Case"),
    "abandoned": (161, "Abandoned -- Failure to Respond to an Office Action"),
}


def _us_status(stage: str, events: list[Event]) -> tuple[str, int]:
    code, text = US_STATUS[stage]
    if stage == "ctnf" and events and events[-1].kind == "rce":
        code, text = 41, "Non Final Action Mailed"
    return text, code


def _jp_status(stage: str, events: list[Event]) -> str:
    return {
        "filed": "審査請求前",
        "exam_requested": "審査中",
        "oa": "拒絶理由通知",
        "replied": "審査中",
        "allowed": "特許査定",
        "registered": "登録",
        "refused": "拒絶査定",
    }[stage]


# (kind, stage) → (new stage, [(event kind, period months, period days)]): the office's next step.
ADVANCE: dict[tuple[str, str], tuple[str, list[tuple[str, int | None, int | None]]]] = {
    **{(k, "published"): ("exam_requested", [("exam_request", None, None)]) for k in ("ep-direct",)},
    **{(k, "exam_requested"): ("exam_report", [("exam_report", 4, None)]) for k in ("ep-direct", "euro-pct")},
    **{(k, "exam_replied"): ("exam_report", [("exam_report", 4, None)]) for k in ("ep-direct", "euro-pct")},
    **{(k, "pre_exam"): ("ctnf", [("ctnf", 3, None)]) for k in ("us-utility", "us-continuation")},
    **{(k, "replied"): ("ctfr", [("ctfr", 3, None)]) for k in ("us-utility", "us-continuation")},
    **{(k, "ctnf"): ("replied", [("response_nonfinal", None, None)]) for k in ("us-utility", "us-continuation")},
    ("jp-patent", "exam_requested"): ("oa", [("search_report", None, None), ("jp_oa", None, 60)]),
    ("jp-patent", "oa"): ("replied", [("jp_opinion", None, None), ("jp_amendment", None, None)]),
    ("jp-patent", "replied"): ("allowed", [("jp_decision_grant", None, 30)]),
}


def _status_fields(office: str, stage: str) -> dict:
    if office == "US":
        code, text = US_STATUS[stage]
        return {"status": text, "status_code": str(code)}
    if office == "JP":
        return {"status": _jp_status(stage, [])}
    return {}
