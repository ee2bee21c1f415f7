"""Plain dataclasses every office parser returns. No Django, no ORM: the sync maps these onto models.

Conventions
- Dates are ``datetime.date`` (office-local calendar date as written); never strings.
- Office codes are kept *exactly as written* (``Event.code``; INPADOC pads codes with spaces, the register
  has codes like ``"EPIDOS ABEX"`` with an inner space); ``Event.code_stripped`` is the trimmed form for
  mapping tables.
- Numbers are kept as written (``application_number``) next to a normalized form
  (``application_number_normalized``, from :mod:`patents.numbers`; ``None`` when it cannot be normalized —
  the raw form is still there, nothing is dropped).
- ``Event.key`` is the natural key for an idempotent upsert: (office, source, code, date, discriminator).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


def jsonable(value: Any) -> Any:
    """Parser output → JSON-safe values (dates as ISO strings, tuples as lists) for JSONField storage."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class EventSource(StrEnum):
    REGISTER_EVENT = "register-event"  # EPO Register dossier-event (events constituent)
    PROCEDURAL_STEP = "procedural-step"  # EPO Register procedural-step (procedural-steps constituent)
    INPADOC = "inpadoc"  # EPO OPS legal service (INPADOC legal events, any country)
    ODP_TRANSACTION = "odp-transaction"  # USPTO Open Data Portal eventDataBag entry
    PEDS_TRANSACTION = "peds-transaction"  # legacy USPTO PEDS transactions[] entry
    JPO_PROGRESS = "jpo-progress"  # JPO app_progress documentList entry


@dataclass(frozen=True)
class DocumentRef:
    """A publication/application/priority reference: country + number (+ kind, date) as written."""

    country: str
    number: str
    kind: str | None = None
    date: dt.date | None = None
    number_type: str | None = None  # docdb / epodoc / original / None when the office does not say

    @property
    def text(self) -> str:
        """``EP2400812A1`` style (the number already carries the country for epodoc forms)."""
        cc = "" if self.number.startswith(self.country) else self.country
        return f"{cc}{self.number}{self.kind or ''}"


@dataclass(frozen=True)
class Party:
    name: str
    role: str  # "applicant" | "inventor" | "representative" | "owner"
    country: str | None = None
    sequence: int | None = None
    address: tuple[str, ...] = ()
    office_id: str | None = None  # EPO cdsid, USPTO registration number, JPO applicantAttorneyCd


@dataclass(frozen=True)
class PriorityClaim:
    country: str
    number: str
    date: dt.date | None
    kind: str | None = None  # "national", "regional", "international", JPO "paris" / "domestic"
    sequence: int | None = None
    office_name: str | None = None  # ODP foreign priority gives the office name, not a code
    active: bool | None = None  # INPADOC priority-active-indicator


@dataclass(frozen=True)
class StatusEntry:
    """EPO Register ``ep-patent-status``: code (e.g. "7"), text, date of change (None when blank)."""

    code: str
    text: str
    changed_on: dt.date | None


@dataclass(frozen=True)
class ContinuityLink:
    """USPTO continuity: ``relation`` is "parent" (this application claims from it) or "child"."""

    relation: str
    relation_code: str  # CON, DIV, CIP, PRO, NST, CTNF … as written
    relation_text: str
    parent_number: str
    child_number: str
    filing_date: dt.date | None  # filing date of the *other* application
    status_code: str | None
    status_text: str | None
    patent_number: str | None
    first_inventor_to_file: bool | None = None


@dataclass(frozen=True)
class Biblio:
    """Bibliographic state of one application as one office reports it.

    ``source`` names the feed (``epo-register``, ``epo-published-data``, ``odp``, ``odp-beta``, ``peds``,
    ``jpo``, ``lens``). Fields an office does not report are ``None`` / empty, never guessed.
    """

    office: str
    source: str
    application_number: str
    application_number_normalized: str | None
    filing_date: dt.date | None = None
    publication_number: str | None = None  # the first (A) publication, as written
    publication_date: dt.date | None = None
    kind: str | None = None  # kind code of the latest publication (A1, B1 …)
    publications: tuple[DocumentRef, ...] = ()
    grant_number: str | None = None
    grant_date: dt.date | None = None
    status_code: str | None = None  # EPO status-code of the newest status / ODP applicationStatusCode
    status_text: str | None = None
    status_date: dt.date | None = None
    statuses: tuple[StatusEntry, ...] = ()  # EPO: every ep-patent-status, newest first as sent
    title: str | None = None  # English title when there is one, else the first
    titles: dict[str, str] = field(default_factory=dict)  # lang → title (newest per language)
    applicants: tuple[Party, ...] = ()
    inventors: tuple[Party, ...] = ()
    representatives: tuple[Party, ...] = ()
    priority_claims: tuple[PriorityClaim, ...] = ()
    designated_states: tuple[str, ...] = ()
    lapsed_states: tuple[tuple[str, dt.date | None], ...] = ()  # EPO term-of-grant (newest block)
    pct_application_number: str | None = None  # as written, e.g. WO2014EP63108
    pct_application_normalized: str | None = None  # PCT/EP2014/063108
    pct_publication_number: str | None = None  # WO2014206912
    pct_publication_date: dt.date | None = None
    application_type: str | None = None  # ODP applicationTypeCode (UTL, DES, PLT, PROV …)
    entity_status: str | None = None  # ODP businessEntityStatusCategory / PEDS appEntityStatus
    first_inventor_to_file: bool | None = None
    language_of_filing: str | None = None
    expiry_date: dt.date | None = None  # JPO expireDate; Lens anticipated_term_date
    family_id: str | None = None
    continuity: tuple[ContinuityLink, ...] = ()
    dates: dict[str, dt.date] = field(default_factory=dict)  # other dated facts, named by the office's term
    extra: dict[str, Any] = field(default_factory=dict)  # office-specific values, documented per parser
    # The kind of right the office file is about, as the document itself says (JPO serves designs and
    # trademarks through the same app_progress shape): "patent", "design" or "trademark".
    right: str = "patent"

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(n for n in (self.application_number, self.publication_number, self.grant_number) if n)


@dataclass(frozen=True)
class Event:
    """One dated entry in an office's file history.

    ``date`` is ``None`` only for EPO procedural steps that carry information but no date (e.g. PROL,
    language of the procedure); every other feed raises ParseError on a missing date.
    """

    office: str
    source: str
    code: str  # exactly as written
    date: dt.date | None
    text: str
    discriminator: str  # stable within (office, source, code, date)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def code_stripped(self) -> str:
        return self.code.strip()

    @property
    def key(self) -> tuple[str, str, str, dt.date | None, str]:
        return (self.office, self.source, self.code, self.date, self.discriminator)

    @property
    def params_json(self) -> dict[str, Any]:
        return jsonable(self.params)


@dataclass(frozen=True)
class FamilyMember:
    publication: DocumentRef
    application: DocumentRef | None
    priority_claims: tuple[PriorityClaim, ...] = ()
    family_id: str | None = None
    # With the family service's constituents: this member's exchange-documents (biblio) and INPADOC
    # legal events (legal), each as the member carries them.
    biblio: tuple[Biblio, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Family:
    family_id: str | None
    total: int | None
    members: tuple[FamilyMember, ...]


@dataclass(frozen=True)
class SearchPage:
    """One page of search results. ``total`` is the office's count (OPS caps it at 10,000)."""

    total: int
    range_begin: int | None
    range_end: int | None
    query: str | None
    items: tuple[Biblio, ...] = ()
    publications: tuple[DocumentRef, ...] = ()  # published-data search returns references only

    @property
    def numbers(self) -> tuple[str, ...]:
        """Application numbers of the hits; for a references-only published-data search, ``EP2400812A1``."""
        if self.items:
            return tuple(b.application_number for b in self.items)
        return tuple(p.text for p in self.publications)


@dataclass(frozen=True)
class OpsFault:
    """An OPS error body: ``<fault xmlns="http://ops.epo.org">`` or the gateway's ``<error>``."""

    code: str  # SERVER.EntityNotFound, CLIENT.InvalidQuery, "400", "403" …
    message: str
    description: str = ""
    more_info: str = ""

    @property
    def is_not_found(self) -> bool:
        return self.code == "SERVER.EntityNotFound"

    @property
    def is_invalid_token(self) -> bool:
        return self.message == "invalid_access_token"

    @property
    def is_fair_use(self) -> bool:
        return "fair use" in self.message.lower()


@dataclass(frozen=True)
class OpsTokenResponse:
    access_token: str = field(repr=False)
    expires_in: int  # seconds
    token_type: str
    issued_at: dt.datetime | None  # aware UTC
    status: str | None = None


@dataclass(frozen=True)
class ThrottleService:
    color: str  # green / yellow / red / black
    limit_per_minute: int


@dataclass(frozen=True)
class ThrottlingControl:
    """``X-Throttling-Control: busy (images=green:100, inpadoc=green:45, …)``."""

    state: str  # idle / busy / overloaded
    services: dict[str, ThrottleService]


@dataclass(frozen=True)
class OpsQuotaHeaders:
    """What OPS says about load and fair use in its response headers (names are case-insensitive)."""

    throttling: ThrottlingControl | None
    individual_quota_per_hour_used: int | None  # bytes, X-IndividualQuotaPerHour-Used
    registered_quota_per_week_used: int | None  # bytes, X-RegisteredQuotaPerWeek-Used
    rejection_reason: (
        str | None
    )  # X-Rejection-Reason on 403: IndividualQuotaPerHour, RegisteredQuotaPerWeek …
    retry_after_seconds: int | None  # Retry-After (sent with black / ThrottlingControlQuota)


@dataclass(frozen=True)
class RegisterDocument:
    """One ``reg:register-document``: its biblio plus whichever constituents the request asked for."""

    biblio: Biblio | None  # None for the events / procedural-steps constituents (no bibliographic-data)
    events: tuple[Event, ...] = ()  # dossier events (events constituent)
    procedural_steps: tuple[Event, ...] = ()  # procedural-steps constituent
    date_produced: dt.date | None = None
    statuses: tuple[StatusEntry, ...] = ()  # ep-patent-statuses, present in every constituent
    query: str | None = None  # ops:query, e.g. "publication=EP2400812"


# --- the one shape every office's parsing hands to ingestion ----------------------------------------------


@dataclass
class Document:
    """One application's data inside a payload (a bulk register answer holds several)."""

    office: str
    biblio: Biblio | None
    events: list[Event]
    numbers: tuple[str, ...] = ()  # normalized application numbers / compact publication numbers
    no_data: bool = False
    # Which of ``numbers`` are application numbers: those are compared with the docket's application
    # numbers only, the others with publication and grant numbers only (one office's digits can be an
    # application number here and someone else's publication number there).
    application_numbers: tuple[str, ...] = ()
    no_data_reason: str = ""  # the office's own words when it has nothing (JPO 107 …)
    out_of_scope: str = ""  # a readable answer that must not be docketed, and why
    # One application of a family answer (any office): applied only to the docket matter its own numbers
    # name, never to the requested matter by default and never used to create one; a member no matter
    # has is reported as not in the docket (offered for discovery).
    family_member: bool = False
