"""US application numbers: series code + 6-digit serial; a US national stage may be written in PCT form."""

from __future__ import annotations

import re

from patents.numbers import InvalidNumber
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
