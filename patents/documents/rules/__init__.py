"""What each office's documents look like, as data: one module per office, gathered in ``RULE_SETS``.

A module holds one ``OfficeDocumentRules``: the office's names (to tell who sent a letter), its document
types with the anchor texts each one carries and the canonical event code it proposes (the codes the
deadline rules trigger on), the labels in front of its application number, dates and references, and the
order it writes numeric dates in. extraction.py reads these and holds no office-specific text itself.

Anchors are matched on a compacted text (upper case, letters and digits only), with a few character errors
allowed on long anchors (OCR), so write them as they are printed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Anchor:
    text: str
    weight: float = 1.0  # how specific: 1.0 = only this document type prints it


@dataclass(frozen=True)
class DocumentType:
    code: str  # canonical event code (patents EventType), the one the deadline rules trigger on
    name: str
    anchors: tuple[Anchor, ...]
    # A stated period goes into the event's params under this name when the rule reads it from there.
    period_param: str | None = None
    # Anchors that rule this type out (a final rejection prints "non-final" nowhere; the reverse is not true).
    excluded_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class DateLabel:
    name: str  # "mailing", "dispatch", "document"
    labels: tuple[str, ...]


@dataclass(frozen=True)
class OfficeDocumentRules:
    office: str  # registry code (patents.offices)
    names: tuple[Anchor, ...]
    types: tuple[DocumentType, ...]
    # Regexes over the original text; group 1 (or all groups joined) is the number as printed.
    number_patterns: tuple[str, ...]
    number_labels: tuple[str, ...]
    date_labels: tuple[DateLabel, ...]
    # The date that dates the event, first found wins.
    event_date_from: tuple[str, ...]
    reference_labels: tuple[str, ...]
    day_first: bool = True  # 05/01/2024 is 5 January outside the US
    # Period phrases this office prints besides the common ones below: regexes with named groups
    # ``n`` (a number or a number word) and ``unit`` (months / days in any of the languages).
    period_patterns: tuple[str, ...] = ()


# Words in front of an anchor that make it a citation, not the document's title: our own reply ("Response to
# the Communication pursuant to Article 94(3) EPC") is not the office's communication. Compacted before match.
REPLY_MARKERS: tuple[str, ...] = (
    "Response to the", "Response to", "Reply to the", "In reply to the", "In response to the", "Erwiderung auf den",
    "Antwort auf den", "Réponse à la", "応答",
)

# Number words as offices write periods ("a period of four months", "einer Frist von vier Monaten").
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "ein": 1, "einem": 1, "eines": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "sechs": 6, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
}
_N = r"\b(?P<n>\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
# A unit is in days when it starts with one of these (lower case), otherwise in months.
DAY_UNITS = ("day", "tag", "jour", "日")
# Common period phrases (English, German, French, Japanese), matched case-insensitively.
PERIOD_PATTERNS: tuple[str, ...] = (
    r"within\s+a\s+(?:time\s+)?(?:period|time\s+limit)\s+of\s+" + _N + r"\s+(?P<unit>months?|days?)",
    r"within\s+" + _N + r"\s+(?P<unit>months?|days?)",
    r"innerhalb\s+(?:einer\s+Frist\s+)?von\s+" + _N + r"\s+(?P<unit>Monaten|Tagen)",
    r"dans\s+un\s+délai\s+de\s+" + _N + r"\s+(?P<unit>mois|jours)",
    r"(?P<n>\d{1,3})\s*(?P<unit>か月|ヶ月|ヵ月|箇月|ケ月|日)\s*以内",
)


def _load() -> tuple[OfficeDocumentRules, ...]:
    from patents.documents.rules import ep, jp, us, wo

    return (us.RULES, ep.RULES, jp.RULES, wo.RULES)


RULE_SETS: tuple[OfficeDocumentRules, ...] = _load()
