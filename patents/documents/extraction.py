"""From a Reading to a proposed office event: office, document type, number, dates, period, with evidence.

Office-specific text (names, anchors, labels, number forms) is data in ``patents/documents/rules/``; this
module only matches it. Every field carries a confidence 0..1 — how specific the anchor or label was, times
the OCR confidence of the words it came from (1 for born-digital text) — and its evidence: the page, the
snippet and the box of the words (in the page's units, see reading.py). Nothing here decides: the result is
a proposal for a paralegal to accept, correct or reject.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

import regex

from patents.documents.reading import Page, Reading
from patents.documents.rules import (
    DAY_UNITS,
    NUMBER_WORDS,
    PERIOD_PATTERNS,
    REPLY_MARKERS,
    RULE_SETS,
    Anchor,
    DocumentType,
    OfficeDocumentRules,
)
from patents.numbers import InvalidNumber, normalize_application_number

T = TypeVar("T")

# How far after a label its value may stand (characters of page text): the same line or the next.
LABEL_REACH = 120
# Anchors found in the first part of the first page are its title: they outweigh the same words cited
# further down ("... the reasons stated in the notice of reasons for refusal dated ...").
TITLE_SHARE = 0.15
TITLE_BONUS = 0.25


@dataclass(frozen=True)
class Evidence:
    page: int
    snippet: str
    bbox: tuple[int, int, int, int] | None


@dataclass(frozen=True)
class Field(Generic[T]):
    value: T | None
    confidence: float  # 0..1
    evidence: Evidence | None

    def as_json(self) -> dict[str, Any]:
        value: Any = self.value.isoformat() if isinstance(self.value, date) else self.value
        evidence = None
        if self.evidence is not None:
            evidence = {"page": self.evidence.page, "snippet": self.evidence.snippet,
                        "bbox": list(self.evidence.bbox) if self.evidence.bbox else None}
        return {"value": value, "confidence": round(self.confidence, 3), "evidence": evidence}


def _none() -> Field[Any]:
    return Field(None, 0.0, None)


@dataclass(frozen=True)
class Extraction:
    office: Field[str]
    document_type: Field[str]  # the canonical event code the document proposes
    application_number: Field[str]  # canonical form (patents.numbers)
    references: Field[str]
    dates: dict[str, Field[date]]
    period_months: Field[int]
    proposed_event: dict | None  # {"code": canonical event code, "date": date, "params": {...}}
    confidence: float
    recognised: bool  # False → "nothing could be recognised", listed as such
    period_days: Field[int] = field(default_factory=_none)  # a period stated in days (JP: 60日以内)
    document_name: str = ""

    def as_json(self) -> dict[str, Any]:
        """The fields of ``ingest_document --json`` (without file, document, matter and status)."""
        event = None
        if self.proposed_event is not None:
            event = {**self.proposed_event, "date": self.proposed_event["date"].isoformat()}
        return {
            "office": self.office.value,
            "type": self.document_type.value,
            "application_number": self.application_number.value,
            "dates": {name: f.value.isoformat() for name, f in self.dates.items() if f.value is not None},
            "period_months": self.period_months.value,
            "proposed_event": event,
            "confidence": round(self.confidence, 3),
        }

    def fields_json(self) -> dict[str, Any]:
        """Every field with its confidence and evidence, for the review page and the stored result."""
        return {
            "office": self.office.as_json(),
            "type": self.document_type.as_json(),
            "application_number": self.application_number.as_json(),
            "references": self.references.as_json(),
            "dates": {name: f.as_json() for name, f in self.dates.items()},
            "period_months": self.period_months.as_json(),
            "period_days": self.period_days.as_json(),
        }


# --- text index --------------------------------------------------------------------------------------------


def _nfkc_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


class _PageText:
    """A page's text three ways: as read, NFKC-folded char for char (full-width digits → ASCII), and compacted
    (upper-case letters and digits only) for anchors, with maps back to the words for evidence."""

    def __init__(self, page: Page):
        self.page = page
        self.text = "".join(_nfkc_char(c) for c in page.text)
        compact: list[str] = []
        self.compact_to_text: list[int] = []
        for index, ch in enumerate(self.text):
            for c in ch.upper():
                if c.isalnum():
                    compact.append(c)
                    self.compact_to_text.append(index)
        self.compact = "".join(compact)
        # Where each word sits in the text (words were joined with white space, in order).
        self.word_spans: list[tuple[int, int]] = []
        cursor = 0
        for word in page.words:
            at = self.text.find(_fold(word.text), cursor)
            if at < 0:
                self.word_spans.append((-1, -1))
                continue
            self.word_spans.append((at, at + len(word.text)))
            cursor = at + len(word.text)

    def words_in(self, start: int, end: int) -> list[int]:
        return [i for i, (a, b) in enumerate(self.word_spans) if a >= 0 and a < end and b > start]

    def ocr_factor(self, start: int, end: int) -> float:
        idx = self.words_in(start, end)
        if not idx:
            return 1.0 if not self.page.ocr else 0.5
        return min(1.0, sum(self.page.words[i].confidence for i in idx) / len(idx) / 100)

    def evidence(self, start: int, end: int) -> Evidence:
        boxes = [self.page.words[i].bbox for i in self.words_in(start, end)]
        real = [b for b in boxes if b is not None]
        bbox = None
        if real:
            bbox = (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real))
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        snippet = self.text[max(line_start, start - 60): (line_end if line_end >= 0 else len(self.text))][:200]
        return Evidence(self.page.number, " ".join(snippet.split()), bbox)


def _fold(text: str) -> str:
    return "".join(_nfkc_char(c) for c in text)


def _compact(text: str) -> str:
    return "".join(c for c in _fold(text).upper() if c.isalnum())


@dataclass(frozen=True)
class _Hit:
    page: _PageText
    start: int  # in page.text
    end: int
    quality: float  # 1.0 exact, less for a fuzzy match

    @property
    def in_title(self) -> bool:
        if self.page.page.number != 1:
            return False
        return self.start < TITLE_SHARE * len(self.page.text) or self.page.text.count("\n", 0, self.start) < 4


def _find_anchor(pages: list[_PageText], text: str) -> _Hit | None:
    """The first place the anchor stands, exact on the compacted text, else with up to one OCR error per 12
    characters (never on short anchors: "USPTO" with one error is too many things)."""
    needle = _compact(text)
    if not needle:
        return None
    for page in pages:
        at = page.compact.find(needle)
        if at >= 0:
            return _Hit(page, page.compact_to_text[at], page.compact_to_text[at + len(needle) - 1] + 1, 1.0)
    errors = len(needle) // 12
    if errors == 0:
        return None
    pattern = regex.compile(f"(?:{regex.escape(needle)}){{e<={errors}}}", regex.BESTMATCH)
    for page in pages:
        m = pattern.search(page.compact)
        if m and m.end() > m.start():
            cost = sum(m.fuzzy_counts)
            return _Hit(page, page.compact_to_text[m.start()], page.compact_to_text[m.end() - 1] + 1,
                        1.0 - 0.5 * cost / max(1, errors + 1))
    return None


def _field_from(hit: _Hit, value: Any, weight: float) -> Field[Any]:
    confidence = weight * hit.quality * hit.page.ocr_factor(hit.start, hit.end)
    return Field(value, round(min(1.0, confidence), 3), hit.page.evidence(hit.start, hit.end))


# --- office and document type ------------------------------------------------------------------------------


_REPLY_MARKERS = tuple(_compact(m) for m in REPLY_MARKERS)


def _cited(hit: _Hit) -> bool:
    """The anchor stands in a reply's title ("Response to the Communication pursuant to Article 94(3) EPC")."""
    line_start = hit.page.text.rfind("\n", 0, hit.start) + 1
    before = _compact(hit.page.text[max(line_start, hit.start - 80): hit.start])
    return any(marker in before for marker in _REPLY_MARKERS)


def _best_anchor(pages: list[_PageText], anchors: tuple[Anchor, ...]) -> tuple[float, _Hit | None]:
    best: tuple[float, _Hit | None] = (0.0, None)
    for anchor in anchors:
        hit = _find_anchor(pages, anchor.text)
        if hit is None or _cited(hit):
            continue
        score = anchor.weight * hit.quality + (TITLE_BONUS if hit.in_title else 0.0)
        if score > best[0]:
            best = (score, hit)
    return best


@dataclass(frozen=True)
class _TypeMatch:
    rules: OfficeDocumentRules
    doc_type: DocumentType
    score: float
    hit: _Hit


def _match_type(pages: list[_PageText]) -> tuple[_TypeMatch | None, dict[str, tuple[float, _Hit | None]]]:
    names = {rules.office: _best_anchor(pages, rules.names) for rules in RULE_SETS}
    best: _TypeMatch | None = None
    for rules in RULE_SETS:
        for doc_type in rules.types:
            score, hit = _best_anchor(pages, doc_type.anchors)
            if hit is None or any(_find_anchor(pages, ex) for ex in doc_type.excluded_by):
                continue
            # The sender's name backs the type up (an EPO search report and a PCT one share words).
            score += 0.2 * min(1.0, names[rules.office][0])
            if best is None or score > best.score:
                best = _TypeMatch(rules, doc_type, score, hit)
    return best, names


# --- numbers, dates, references, periods -------------------------------------------------------------------


def _label_positions(pt: _PageText, labels: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where each label stands in the page text, (start, end), in the order of ``labels`` (earlier ones first)."""
    found: list[tuple[int, int]] = []
    for label in labels:
        words = label.split()
        pattern = r"(?<![^\W\d_])" + r"[\s.:]*".join(re.escape(w) for w in words)
        for m in re.finditer(pattern, pt.text, re.IGNORECASE):
            found.append((m.start(), m.end()))
    return found


def _box(pt: _PageText, start: int, end: int) -> tuple[int, int, int, int] | None:
    boxes = [b for i in pt.words_in(start, end) if (b := pt.page.words[i].bbox) is not None]
    if not boxes:
        return None
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _below(pt: _PageText, label: tuple[int, int], spans: list[tuple[int, int, Any]]) -> tuple[int, int, Any] | None:
    """The value under a label in a form's table (label row, then value row): the nearest span whose box
    starts below the label, within three line heights, and overlaps the label's column."""
    lb = _box(pt, *label)
    if lb is None:
        return None
    line = max(1, lb[3] - lb[1])
    best: tuple[int, tuple[int, int, Any]] | None = None
    for span in spans:
        box = _box(pt, span[0], span[1])
        if box is None or box[1] < lb[1] + line // 2 or box[1] - lb[3] > 3 * line:
            continue
        if box[0] < lb[2] + line and box[2] > lb[0] - line and abs(box[0] - lb[0]) < 4 * line:
            distance = box[1] - lb[3]
            if best is None or distance < best[0]:
                best = (distance, span)
    return best[1] if best else None


def _numbers(pages: list[_PageText], rules: OfficeDocumentRules) -> Field[str]:
    best: Field[str] = _none()
    for pt in pages:
        labelled = [end for _, end in _label_positions(pt, rules.number_labels)]
        for pattern in rules.number_patterns:
            for m in re.finditer(pattern, pt.text):
                raw = "".join(m.groups())
                try:
                    number = normalize_application_number(rules.office, raw)
                except InvalidNumber:
                    continue
                near_label = any(0 <= m.start() - end <= LABEL_REACH for end in labelled)
                hit = _Hit(pt, m.start(), m.end(), 1.0)
                candidate = _field_from(hit, number, 0.95 if near_label else 0.7)
                if candidate.confidence > best.confidence:
                    best = candidate
    return best


_MONTHS = {
    **{m: i + 1 for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                        "september", "october", "november", "december"))},
    **{m: i + 1 for i, m in enumerate(("januar", "februar", "märz", "april", "mai", "juni", "juli", "august",
                                        "september", "oktober", "november", "dezember"))},
    **{m: i + 1 for i, m in enumerate(("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                        "septembre", "octobre", "novembre", "décembre"))},
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12, "jänner": 1, "fevrier": 2, "aout": 8, "decembre": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_DATE_PATTERNS = (
    ("iso", re.compile(r"\b(\d{4})\s?-\s?(\d{1,2})\s?-\s?(\d{1,2})\b")),
    ("dotted", re.compile(r"\b(\d{1,2})\s?\.\s?(\d{1,2})\s?\.\s?(\d{4})\b")),
    ("slashed", re.compile(r"\b(\d{1,2})\s?/\s?(\d{1,2})\s?/\s?(\d{4})\b")),
    ("month_first", re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("day_first", re.compile(rf"\b(\d{{1,2}})(?:\.|er)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("era", re.compile(r"(令和|平成|昭和)\s?(\d{1,2}|元)\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日")),
    ("kanji", re.compile(r"(\d{4})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?日")),
)


def _to_date(kind: str, groups: tuple[str, ...], day_first: bool) -> date | None:
    try:
        if kind == "iso" or kind == "kanji":
            return date(int(groups[0]), int(groups[1]), int(groups[2]))
        if kind == "dotted":
            return date(int(groups[2]), int(groups[1]), int(groups[0]))
        if kind == "slashed":
            a, b, year = int(groups[0]), int(groups[1]), int(groups[2])
            return date(year, b, a) if day_first else date(year, a, b)
        if kind == "month_first":
            return date(int(groups[2]), _MONTHS[groups[0].lower()], int(groups[1]))
        if kind == "day_first":
            return date(int(groups[2]), _MONTHS[groups[1].lower()], int(groups[0]))
        if kind == "era":
            year = 1 if groups[1] == "元" else int(groups[1])
            return date(_ERAS[groups[0]] + year, int(groups[2]), int(groups[3]))
    except (ValueError, KeyError):
        return None
    return None


def _dates_in(text: str, day_first: bool) -> list[tuple[int, int, date]]:
    found = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            value = _to_date(kind, m.groups(), day_first)
            if value is not None and 1950 <= value.year <= 2100:
                found.append((m.start(), m.end(), value))
    return sorted(found, key=lambda f: f[0])


def _labelled_dates(pages: list[_PageText], rules: OfficeDocumentRules) -> dict[str, Field[date]]:
    """Each named date from its label: the date right after the label (parenthesised notes such as
    "(day/month/year)" skipped), or, in a form's table, the date in the label's column below it."""
    out: dict[str, Field[date]] = {}
    for date_label in rules.date_labels:
        for pt in pages:
            every_date: list[tuple[int, int, Any]] | None = None
            for label in _label_positions(pt, date_label.labels):
                end = label[1]
                window = pt.text[end: end + LABEL_REACH]
                found = _dates_in(window, rules.day_first)
                between = re.sub(r"\([^)]*\)", "", window[: found[0][0]]) if found else ""
                if found and not re.search(r"[^\W\d_]{4,}", between):
                    start, stop, value = found[0]
                    candidate = _field_from(_Hit(pt, end + start, end + stop, 1.0), value, 0.95)
                else:
                    if every_date is None:
                        every_date = list(_dates_in(pt.text, rules.day_first))
                    under = _below(pt, label, every_date)
                    if under is None:
                        continue
                    candidate = _field_from(_Hit(pt, under[0], under[1], 1.0), under[2], 0.9)
                if date_label.name not in out or candidate.confidence > out[date_label.name].confidence:
                    out[date_label.name] = candidate
            if date_label.name in out:
                break
    return out


_REFERENCE = r"[A-Z0-9][A-Za-z0-9./_\-]{2,30}"


def _reference(pages: list[_PageText], rules: OfficeDocumentRules) -> Field[str]:
    """Our reference as the office prints it (the office's "your reference"), after or under its label."""
    for pt in pages:
        for label in _label_positions(pt, rules.reference_labels):
            end = label[1]
            m = re.match(rf"[\s.:/]*({_REFERENCE})", pt.text[end: end + LABEL_REACH])
            if m and any(c.isdigit() for c in m.group(1)):
                hit = _Hit(pt, end + m.start(1), end + m.end(1), 1.0)
                return _field_from(hit, m.group(1).rstrip(".-/"), 0.85)
            spans = [(m.start(), m.end(), m.group()) for m in re.finditer(_REFERENCE, pt.text)
                     if any(c.isdigit() for c in m.group())]
            under = _below(pt, label, spans)
            if under is not None:
                return _field_from(_Hit(pt, under[0], under[1], 1.0), str(under[2]).rstrip(".-/"), 0.8)
    return _none()


def _period(pages: list[_PageText], rules: OfficeDocumentRules) -> tuple[Field[int], Field[int]]:
    """(months, days) of the period the document states for the reply, the first one stated."""
    for pt in pages:
        for pattern in (*rules.period_patterns, *PERIOD_PATTERNS):
            m = re.search(pattern, pt.text, re.IGNORECASE)
            if not m:
                continue
            raw = m.group("n").lower()
            n = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw)
            if not n:
                continue
            hit = _Hit(pt, m.start(), m.end(), 1.0)
            if m.group("unit").lower().startswith(DAY_UNITS):
                return _none(), _field_from(hit, n, 0.9)
            return _field_from(hit, n, 0.9), _none()
    return _none(), _none()


# --- the whole document ------------------------------------------------------------------------------------


def _office_field(names: dict[str, tuple[float, _Hit | None]], match: _TypeMatch | None) -> Field[str]:
    if match is not None:
        name_score, name_hit = names[match.rules.office]
        base = _field_from(name_hit if name_hit is not None and name_score >= 0.7 else match.hit,
                           match.rules.office, 1.0)
        backed = 1.0 if name_hit is not None else 0.85
        return Field(base.value, round(base.confidence * backed, 3), base.evidence)
    office, (score, hit) = max(names.items(), key=lambda kv: kv[1][0])
    if hit is None:
        return _none()
    return _field_from(hit, office, min(1.0, score) * 0.9)


def extract(reading: Reading) -> Extraction:
    pages = [_PageText(p) for p in reading.pages]
    match, names = _match_type(pages)
    office = _office_field(names, match)
    rules = match.rules if match is not None else next((r for r in RULE_SETS if r.office == office.value), None)
    doc_type: Field[str] = _none()
    if match is not None:
        doc_type = _field_from(match.hit, match.doc_type.code, min(1.0, match.score))
    if rules is None:
        return Extraction(office, doc_type, _none(), _none(), {}, _none(), None, 0.0, recognised=False)
    number = _numbers(pages, rules)
    dates = _labelled_dates(pages, rules)
    months, days = _period(pages, rules)
    event_date = next((dates[name] for name in rules.event_date_from if name in dates), None)
    proposed = None
    if match is not None and event_date is not None and event_date.value is not None:
        params: dict[str, Any] = {}
        if months.value is not None and match.doc_type.period_param:
            params[match.doc_type.period_param] = months.value
        if days.value is not None:
            params["period_days"] = days.value
        proposed = {"code": match.doc_type.code, "date": event_date.value, "params": params}
    key_fields = (doc_type.confidence, number.confidence, event_date.confidence if event_date else 0.0)
    recognised = any(f.value is not None for f in (office, doc_type, number)) or bool(dates)
    return Extraction(
        office=office,
        document_type=doc_type,
        application_number=number,
        references=_reference(pages, rules),
        dates=dates,
        period_months=months,
        proposed_event=proposed,
        confidence=round(min(key_fields), 3),
        recognised=recognised,
        period_days=days,
        document_name=match.doc_type.name if match is not None else "",
    )
