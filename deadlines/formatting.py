"""Dates in words, for pages, messages and action errors alike (no Django, no queries).

Services format dates for the messages they raise; they import this module, never the page code. The format is
the reader's (patents.dates: the viewer's during a request, the recipient's in an e-mail); text that is stored
(a closing reason in the history) passes ``STORED`` so it does not depend on who happened to write it.
"""

from __future__ import annotations

from typing import Any

from patents.dates import DEFAULT_FORMAT, format_date

STORED = DEFAULT_FORMAT


def fmt_date(value: Any, fmt: str | None = None) -> str:
    return format_date(value, fmt)
