"""The offices the docket talks to: one package per office, one registry.

Everything specific to an office lives in its package (``ep``, ``wo``, ``us``, ``jp``, ``lens``): its
client, its parser and the step from its answers to the common ``Document`` shape, its number rules, its
status map, its code-mapping seed, its throttle limits, how the sync fetches a batch and how often.
Each package ends with one frozen ``Office`` descriptor; the rest of the code reads them from here and
never names an office (``tests/test_office_registry.py`` keeps it that way). Adding an office:
docs/offices.md.

Pure Python, no Django: the parsers' packages import this module, and the parsers run without Django.
"""

from __future__ import annotations

from collections.abc import Iterable

from .base import Office
from .ep import OFFICE as EP
from .jp import OFFICE as JP
from .lens import OFFICE as LENS
from .us import OFFICE as US
from .wo import OFFICE as WO

# Registry order is the order of the beat entries, of ``sync_office all`` and of the seed rows.
OFFICES: tuple[Office, ...] = (EP, WO, US, JP, LENS)
OFFICES_BY_CODE: dict[str, Office] = {o.code: o for o in OFFICES}
# Where a new matter goes when an answer names no office we docket (an OPS answer that says nothing).
DEFAULT_OFFICE = EP


class UnknownOffice(KeyError):
    pass


def get_office(code: str) -> Office:
    """The office for ``code`` (its ST.3 code, or an alias such as "EPO" or "USPTO"), case-insensitive."""
    key = (code or "").strip().upper()
    for office in OFFICES:
        if key == office.code or key in office.aliases:
            return office
    raise UnknownOffice(code)


def synced_offices() -> tuple[Office, ...]:
    """The offices the sync fetches from (a beat entry each; ``sync_office all``)."""
    return tuple(o for o in OFFICES if o.synced)


def synced_codes() -> tuple[str, ...]:
    return tuple(o.code for o in synced_offices())


def docketed_codes() -> tuple[str, ...]:
    """Offices whose answers are applied to the docket (ingest_file's --office choices)."""
    return tuple(o.code for o in OFFICES if o.file_kinds)


def office_for_kind(kind: str) -> Office | None:
    """The office whose parsing reads payloads of ``kind`` (first in registry order; EP and WO share OPS's)."""
    return next((o for o in OFFICES if kind in o.payload_kinds and o.parse is not None), None)


def processed_kinds() -> frozenset[str]:
    """Payload kinds applied to the docket (discovery's search pages are kept as evidence only)."""
    return frozenset(k for o in OFFICES for k in o.payload_kinds)


def throttle_limits(*, lease_seconds: float, settings: object = None) -> dict[tuple[str, str], object]:
    """Every service's buckets once (EP and WO share OPS's); ``settings`` carries operators' overrides."""
    limits: dict[tuple[str, str], object] = {}
    for office in _unique_services(OFFICES):
        if office.throttle_limits is not None:
            limits.update(office.throttle_limits(lease_seconds, settings))
    return limits


def _unique_services(offices: Iterable[Office]) -> list[Office]:
    seen: set[str] = set()
    out = []
    for office in offices:
        if office.service not in seen and office.throttle_limits is not None:
            seen.add(office.service)
            out.append(office)
    return out


__all__ = [
    "DEFAULT_OFFICE",
    "OFFICES",
    "OFFICES_BY_CODE",
    "Office",
    "UnknownOffice",
    "docketed_codes",
    "get_office",
    "office_for_kind",
    "processed_kinds",
    "synced_codes",
    "synced_offices",
    "throttle_limits",
]
