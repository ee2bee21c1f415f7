"""Office response bodies → plain dataclasses. Pure Python: no Django, no ORM (a test enforces it).

Modules: ``epo_ops`` (EPO OPS register / legal / published data / family / search / faults / token /
headers), ``uspto_odp`` (USPTO Open Data Portal, beta ODP, legacy PEDS), ``jpo`` (JPO Patent Information
Retrieval API), ``lens`` (Lens.org patent search). Shared dataclasses live in ``types``; every parser raises
``errors.ParseError`` (category "malformed" or "schema") for a body it cannot trust, and the sync
quarantines the payload with that reason. XML goes through the hardened ``xml.parse_xml``.
"""

from .errors import MALFORMED, SCHEMA, ParseError
from .types import (
    Biblio,
    ContinuityLink,
    DocumentRef,
    Event,
    EventSource,
    Family,
    FamilyMember,
    OpsFault,
    OpsQuotaHeaders,
    OpsTokenResponse,
    Party,
    PriorityClaim,
    RegisterDocument,
    SearchPage,
    StatusEntry,
    ThrottleService,
    ThrottlingControl,
    jsonable,
)

__all__ = [
    "MALFORMED",
    "SCHEMA",
    "Biblio",
    "ContinuityLink",
    "DocumentRef",
    "Event",
    "EventSource",
    "Family",
    "FamilyMember",
    "OpsFault",
    "OpsQuotaHeaders",
    "OpsTokenResponse",
    "ParseError",
    "Party",
    "PriorityClaim",
    "RegisterDocument",
    "SearchPage",
    "StatusEntry",
    "ThrottleService",
    "ThrottlingControl",
    "jsonable",
]
