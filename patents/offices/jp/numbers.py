"""JP application numbers: year + 6-digit serial (特願2020-123456)."""

from __future__ import annotations

import re

from patents.numbers import InvalidNumber

_JP_RE = re.compile(r"^(?:JP|特願)?(\d{4})-?(\d{6})$")


def normalize(value: str, raw: str) -> str:
    m = _JP_RE.match(value)
    if not m:
        raise InvalidNumber(
            f"{raw!r} is not a JP application number; write the year and the 6-digit serial, "
            "e.g. 2020-123456 (特願2020-123456)"
        )
    return "".join(m.groups())
