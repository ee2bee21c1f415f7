"""PCT application numbers: every way offices write one international application → PCT/CCYYYY/NNNNNN."""

from __future__ import annotations

import re
from typing import Any

from patents.numbers import ST3_CODES, InvalidNumber, _compact

_PCT_RE = re.compile(r"^PCT/?([A-Z]{2})(\d{4}|\d{2})/?(\d{5,6})$")
# The other ways offices write one PCT application (all seen in recorded answers, see tests/fixtures/offices):
#   original  US2008/086599, GB02/04635      (PCT/ dropped; published-data "original")
#   epodoc    WO2008US86599, WO2002GB04635   (WO + year + receiving office + serial without zeros)
#   docdb     US 2008086599 W, GB 0204635 W  (receiving office + year + serial + kind W)
_PCT_ORIGINAL_RE = re.compile(r"^([A-Z]{2})(\d{4}|\d{2})/(\d{1,6})$")
_PCT_EPODOC_RE = re.compile(r"^WO(\d{4})([A-Z]{2})(\d{1,6})$")
# Without a slash the split is only unambiguous at full length: 4-digit year + 6-digit serial (since 2004)
# or 2-digit year + 5-digit serial (before); any other length is refused rather than guessed.
_PCT_DOCDB_RE = re.compile(r"^([A-Z]{2})(?:(\d{4})(\d{6})|(\d{2})(\d{5}))W?$")


def _pct_parts(value: str) -> tuple[str, str, str] | None:
    m = _PCT_RE.match(value)
    if m:
        return m.group(1), m.group(2), m.group(3)
    m = _PCT_ORIGINAL_RE.match(value)
    if m:
        return m.group(1), m.group(2), m.group(3)
    m = _PCT_EPODOC_RE.match(value)
    if m:
        return m.group(2), m.group(1), m.group(3)
    m = _PCT_DOCDB_RE.match(value)
    if m and m.group(1) != "WO":
        return (m.group(1), m.group(2), m.group(3)) if m.group(2) else (m.group(1), m.group(4), m.group(5))
    return None


def normalize_pct(raw: str) -> str:
    """Every written form of one PCT application → PCT/CCYYYY/NNNNNN.

    PCT/EP2020/012345, the pre-2004 PCT/EP01/12345, and the offices' own forms: original ``US2008/086599``,
    epodoc ``WO2008US86599``, docdb ``US2008086599`` (+ kind ``W``) all give PCT/US2008/086599.
    """
    parts = _pct_parts(_compact(raw))
    if parts is None:
        raise InvalidNumber(
            f"{raw!r} is not a PCT application number; write it as PCT/CCYYYY/NNNNNN, e.g. PCT/EP2020/012345"
        )
    country, year, serial = parts
    if country not in ST3_CODES:
        raise InvalidNumber(f"{country!r} in {raw!r} is not a WIPO ST.3 receiving-office code")
    if len(year) == 2:
        year = ("19" if int(year) > 50 else "20") + year
    return f"PCT/{country}{year}/{int(serial):06d}"


def normalize(value: str, raw: str) -> str:
    return normalize_pct(value)


def pct_from_compact(number: str) -> str:
    """``US2025100064`` / ``WO2021EP100012`` (Lens, register forms) → ``PCT/US2025/100064``, or ""."""
    m = re.fullmatch(r"(?:WO)?(?:([A-Z]{2})(\d{4})|(\d{4})([A-Z]{2}))(\d{1,6})", number.replace("/", "").upper())
    if not m:
        return ""
    country, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    try:
        return normalize_pct(f"PCT/{country}{year}/{m.group(5)}")
    except InvalidNumber:
        return ""


def new_matter_number(biblio: Any) -> str:
    """The number a PCT matter created from office data is docketed under."""
    number = biblio.application_number_normalized or biblio.application_number
    return biblio.pct_application_normalized or pct_from_compact(number) or number
