"""Small helpers shared by the office parsers: tolerant dates, JSON loading, one-or-many lists."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from patents.numbers import InvalidNumber, normalize_application_number

from .errors import MALFORMED, SCHEMA, ParseError

_YMD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_MDY = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")


def parse_date(value: Any, *, field: str, source: str = "", required: bool = False) -> dt.date | None:
    """Read a date the way offices write it; '' / None → None (or ParseError when ``required``).

    Accepted: ``20240709`` (EPO, JPO), ``2024-07-09`` (ODP, INPADOC L-fields, Lens), ISO datetimes such as
    ``2023-10-03T09:18:25.000-0400`` or ``2010-03-11T00:00:00Z``, ``2020-10-28 00:00:00`` (PEDS) and
    ``06-27-2019`` (PEDS month-day-year). For a datetime the calendar date *as written* is kept: it is the
    office's local date, and converting to UTC could move a document to another day.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ParseError(f"{field}: missing date", category=SCHEMA, source=source)
        return None
    s = str(value).strip()
    for rx, order in ((_YMD, "ymd"), (_ISO, "ymd"), (_MDY, "mdy")):
        m = rx.match(s)
        if m:
            a, b, c = (int(x) for x in m.groups()[:3])
            y, mo, d = (a, b, c) if order == "ymd" else (c, a, b)
            try:
                return dt.date(y, mo, d)
            except ValueError:
                break
    raise ParseError(f"{field}: {s!r} is not a date", category=SCHEMA, source=source)


def parse_int(value: Any, *, field: str, source: str = "") -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ParseError(f"{field}: {value!r} is not a number", source=source)
    try:
        return int(str(value).strip())
    except ValueError:
        raise ParseError(f"{field}: {value!r} is not a number", category=SCHEMA, source=source) from None


def parse_bool(value: Any) -> bool | None:
    """ODP writes booleans as JSON booleans, "Y"/"N", "True"/"False", "Yes"/"No"."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    s = str(value).strip().lower()
    if s in ("y", "yes", "true", "1"):
        return True
    if s in ("n", "no", "false", "0"):
        return False
    return None


def load_json(body: bytes | str, *, source: str) -> Any:
    if isinstance(body, bytes | bytearray):
        if not body.strip():
            raise ParseError("empty body", category=MALFORMED, source=source)
        try:
            body = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"body is not UTF-8: {exc}", category=MALFORMED, source=source) from None
    if not body.strip():
        raise ParseError("empty body", category=MALFORMED, source=source)
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not valid JSON: {exc}", category=MALFORMED, source=source) from None


def normalized_number(office: str, number: str) -> str | None:
    """The canonical application number, or None when the office wrote one we cannot read."""
    try:
        return normalize_application_number(office, number)
    except InvalidNumber:
        return None


def as_list(value: Any) -> list[Any]:
    """JSON that turns one child into an object and several into an array: always give a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or {} for anything else (missing optional parts)."""
    return value if isinstance(value, dict) else {}


def require_dict(value: Any, *, field: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"{field}: expected an object, got {type(value).__name__}", source=source)
    return value


def s(value: Any) -> str:
    """A JSON scalar as a stripped string ('' for None)."""
    if value is None:
        return ""
    return str(value).strip()


def content_discriminators(contents: Iterable[tuple[Any, ...]]) -> list[str]:
    """Stable per-item keys from content, for feeds whose items have no id of their own.

    Same content → same key whatever the order in the body; identical items get ``-2``, ``-3`` … in order
    of appearance, so two genuinely repeated entries are both kept.
    """
    seen: Counter[str] = Counter()
    out = []
    for content in contents:
        digest = hashlib.sha1(repr(content).encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
        seen[digest] += 1
        out.append(digest if seen[digest] == 1 else f"{digest}-{seen[digest]}")
    return out


def ordinal_discriminators(keys: Iterable[tuple[Any, ...]]) -> list[str]:
    """``"1"``, ``"2"`` … within each key (e.g. same code on the same date), in order of appearance."""
    seen: Counter[tuple[Any, ...]] = Counter()
    out = []
    for key in keys:
        seen[key] += 1
        out.append(str(seen[key]))
    return out
