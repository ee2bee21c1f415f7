"""US application numbers: series code + 6-digit serial; a US national stage may be written in PCT form."""

from __future__ import annotations

import re

from patents.numbers import InvalidNumber, compact_number
from patents.offices.wo.numbers import normalize_pct

_US_RE = re.compile(r"^(?:US)?(\d{2})/?(\d{3}),?(\d{3})$")


def normalize(value: str, raw: str) -> str:
    if value.startswith("PCT"):
        return normalize_pct(value)
    m = _US_RE.match(value)
    if not m:
        raise InvalidNumber(
            f"{raw!r} is not a US application number; US numbers have 8 digits (series code + "
            "6-digit serial), e.g. 16/123,456 or 16123456, or a PCT form PCT/US2020/012345"
        )
    return "".join(m.groups())


# OPS docdb writes a US application as year + series code + serial since 2015 (``201815919370``); the
# older docdb form (serial + 2-digit year, ``96495207``) does not say the series code and is not read.
_US_DOCDB_APP_RE = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{6})$")
# A pre-grant publication: year + 7-digit serial (USPTO ``2021/0210819``; docdb drops the serial's first
# zero: ``US2021210819``). Grants have at most 8 digits, so 10 or 11 digits starting with a year are this.
_US_PUB_RE = re.compile(r"^((?:19|20)\d{2})(\d{6,7})$")


def docdb_application(number: str) -> str | None:
    """The docdb application number ``201815919370`` as the docket writes it (``15919370``); None else."""
    m = _US_DOCDB_APP_RE.match(re.sub(r"\s+", "", number or ""))
    return f"{m[2]}{m[3]}" if m else None


def publication_key(value: str) -> str:
    """A US publication or grant number in one form: ``US2021210819``, ``US 2021/0210819 A1`` and
    ``20210210819`` → ``US20210210819``; ``10,465,445 B2`` and ``US10465445`` → ``US10465445``."""
    text = compact_number(value).removeprefix("US")
    if not text:
        return ""
    m = _US_PUB_RE.match(text)
    if m:
        return f"US{m[1]}{m[2].zfill(7)}"
    return f"US{text}"
