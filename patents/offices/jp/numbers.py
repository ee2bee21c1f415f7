"""JP application numbers: year + 6-digit serial (特願2020-123456)."""

from __future__ import annotations

import re

from patents.numbers import InvalidNumber, compact_number

_JP_RE = re.compile(r"^(?:JP|特願)?(\d{4})-?(\d{6})$")


def normalize(value: str, raw: str) -> str:
    m = _JP_RE.match(value)
    if not m:
        raise InvalidNumber(
            f"{raw!r} is not a JP application number; write the year and the 6-digit serial, "
            "e.g. 2020-123456 (特願2020-123456)"
        )
    return "".join(m.groups())


def publication_key(value: str) -> str:
    """A JP publication or registration number in one form: docdb ``JP2011511970A``, ``特表2011-511970``
    and ``2011-511970`` → ``JP2011511970``; ``特許第6123456号`` and ``JP6123456B2`` → ``JP6123456``."""
    text = compact_number(value).removeprefix("JP")  # the kanji prefixes are not [0-9A-Z]: dropped
    return f"JP{text}" if text else ""
