"""EP application numbers: 8 digits, an optional check digit, or epodoc's long form."""

from __future__ import annotations

import re

from patents.numbers import InvalidNumber

_EP_RE = re.compile(r"^(?:EP)?(\d{8})(?:\.(\d))?$")
# epodoc's long form (EP20100167109 for EP10167109; the register's related-documents write 20110776418):
# four-digit year + the six-digit serial with a leading zero.
_EP_LONG_RE = re.compile(r"^(?:EP)?(?:19|20)(\d{2})0(\d{6})$")


def normalize(value: str, raw: str) -> str:
    long_form = _EP_LONG_RE.match(value)
    if long_form:
        return f"EP{long_form.group(1)}{long_form.group(2)}"
    m = _EP_RE.match(value)
    if not m:
        raise InvalidNumber(
            f"{raw!r} is not an EP application number; EP numbers have 8 digits and an optional "
            "check digit, e.g. EP13860559 or 13860559.4"
        )
    # The ".d" check digit is accepted and dropped: the office matches on the 8 digits, and we hold no
    # published statement of the check algorithm to verify it against.
    return f"EP{m.group(1)}"
