"""Office data → docket terms: codes to canonical event types, parameters the rules read, office status.

The mapping itself is data (``OfficeCodeMapping``, edited in the admin, seeded from ``code_seed``); this
module only looks codes up and derives the few parameters the deadline rules key on:

- ``year``: the renewal/annuity year a payment answers (EP RFEE ``YEAR`` text, INPADOC L520EP).
- ``office``: the office a national/regional phase was entered at (INPADOC L501EP), which answers the
  PCT national-phase deadline of that office.
- ``period_months``: the time limit the EPO set (procedural-step ``time-limit``), passed through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .models import EventType, Matter, OfficeCodeMapping
from .numbers import compact_number  # noqa: F401  (re-exported: callers compare numbers through normalize)
from .offices import OFFICES_BY_CODE
from .parsers.types import Biblio, Event

BIBLIO_SOURCE = OfficeCodeMapping.Source.BIBLIO


@dataclass
class MappingTable:
    """Every mapping, loaded once per payload batch: (office, source, stripped code) → EventType."""

    by_key: dict[tuple[str, str, str], EventType] = field(default_factory=dict)

    @classmethod
    def load(cls) -> MappingTable:
        rows = OfficeCodeMapping.objects.select_related("event_type")
        return cls({(m.office, m.source, m.code): m.event_type for m in rows})

    def lookup(self, *, office: str, source: str, code: str) -> EventType | None:
        return self.by_key.get((office, source, code.strip()))


def event_office(event: Event, matter: Matter) -> str:
    """The office whose code list an event's code belongs to: INPADOC says it per event (L001EP)."""
    return (event.office or matter.office or "").upper()


def canonical_params(event: Event) -> dict[str, Any]:
    """The event's parameters as stored (JSON-safe), plus the names the deadline rules read."""
    params = dict(event.params_json)
    year = params.get("renewal_year") or params.get("fee_year")
    if year is not None and "year" not in params:
        params["year"] = year
    if event.source == "inpadoc" and params.get("ref_country") and "office" not in params:
        params["office"] = params["ref_country"]
    return params


def biblio_events(biblio: Biblio, office: str) -> list[Event]:
    """Facts of the bibliographic data that are events for the deadline engine (filing, grant)."""
    out = []
    if biblio.filing_date:
        out.append(Event(office=office, source=BIBLIO_SOURCE, code="@filing_date", date=biblio.filing_date,
                         text="Filing date (bibliographic data)", discriminator="biblio"))
    if biblio.grant_date:
        out.append(Event(office=office, source=BIBLIO_SOURCE, code="@grant_date", date=biblio.grant_date,
                         text=f"Grant {biblio.grant_number or ''} (bibliographic data)".replace("  ", " "),
                         discriminator="biblio"))
    return out


# --- office status → docket status -------------------------------------------------------------------------


def docket_status(biblio: Biblio) -> str | None:
    """The docket's status category the office data implies, or None when it does not say clearly."""
    code = (biblio.status_code or "").strip()
    office = OFFICES_BY_CODE.get(biblio.office or "")
    if office is not None and code in office.status_map:
        # The office's own status code, read through its status map (patents/offices/<code>).
        return Matter.Status(office.status_map[code])
    if biblio.grant_number or biblio.grant_date:
        return Matter.Status.GRANTED
    return None


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def seed_code_mappings() -> dict[str, int]:
    """Load ``code_seed`` into the tables (what migration 0005 did), keeping every existing row as it is.

    For databases emptied after migrating (test flushes, a restored dump without the seed).
    """
    from django.db import transaction

    from docketapp.audit import ensure_attributed

    from .code_seed import EVENT_TYPES, MAPPINGS

    created = {"event_types": 0, "mappings": 0}
    existing = set(OfficeCodeMapping.objects.values_list("office", "source", "code"))
    if len(existing) >= len(MAPPINGS) and EventType.objects.filter(code__in=[c for c, *_ in EVENT_TYPES]).count() \
            == len(EVENT_TYPES):
        return created
    ctx = ensure_attributed(reason="seed office code mappings (patents.code_seed)", process="patents.seed_mappings")
    with ctx, transaction.atomic():
        types = {t.code: t for t in EventType.objects.all()}
        for code, label, office, internal in EVENT_TYPES:
            if code not in types:
                types[code] = EventType.objects.create(code=code, label=label, office=office, internal=internal)
                created["event_types"] += 1
        for office, source, code, canonical, note in MAPPINGS:
            if (office, source, code) not in existing:
                OfficeCodeMapping.objects.create(office=office, source=source, code=code,
                                                 event_type=types[canonical], note=note)
                created["mappings"] += 1
    return created
