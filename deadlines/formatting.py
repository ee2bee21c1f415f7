"""Dates in words, for pages, messages and action errors alike (no Django, no queries).

Services format dates for the messages they raise; they import this module, never the page code."""

from __future__ import annotations

import datetime as dt
from typing import Any

DATE_FMT = "%a %-d %b %Y"


def fmt_date(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.strftime(DATE_FMT)
