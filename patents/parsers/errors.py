"""The one error every parser raises.

A ``ParseError`` means "this body cannot be turned into trustworthy data"; the sync stores the raw payload
in quarantine with ``str(error)`` as the reason. ``category`` tells an operator where to look:

- ``"malformed"``: not well-formed XML/JSON, truncated, empty, or carrying a DTD / entity declaration
  (rejected outright: that is how XXE and billion-laughs payloads arrive, and no office sends one).
- ``"schema"``: well-formed, but a required element is missing or a value cannot be read (a date that is
  not a date, a count that is not a number, an unexpected root element).
- ``"out_of_scope"``: readable, but not a case file at all (a JPO lookup answer, a search page offered as
  a document): refused with what it is, never docketed.
"""

from __future__ import annotations

MALFORMED = "malformed"
SCHEMA = "schema"
OUT_OF_SCOPE = "out_of_scope"


class ParseError(ValueError):
    def __init__(self, reason: str, *, category: str = SCHEMA, source: str = "") -> None:
        if category not in (MALFORMED, SCHEMA, OUT_OF_SCOPE):
            raise ValueError(f"unknown ParseError category {category!r}")
        self.reason = reason
        self.category = category
        self.source = source
        super().__init__(f"[{category}] {source + ': ' if source else ''}{reason}")
