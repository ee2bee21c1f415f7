"""One path for every office answer, whether fetched by the sync or saved to a file and ingested by hand.

store → hash → (same as last time for this request? stop) → parse → match to matters → normalize →
record events (idempotent) → reconcile bibliographic data → quarantine whatever could not be used.

The deadline recompute follows from ``record_office_event`` (its on-commit hook); nothing here imports
the deadlines app. Every write runs inside ``docketapp.audit.attributed`` with the caller's attribution.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from docketapp.audit import attributed, current

from .models import (
    Client,
    Matter,
    OfficeEvent,
    OfficePayload,
    QuarantineItem,
    ReconciliationItem,
    latest_possible_date,
)
from .normalize import (
    MappingTable,
    biblio_events,
    canonical_params,
    compact_number,
    docket_status,
    event_office,
    iso,
)
from .offices import DEFAULT_OFFICE, OFFICES, OFFICES_BY_CODE, office_for_kind, processed_kinds
from .parsers.errors import MALFORMED, OUT_OF_SCOPE, ParseError
from .parsers.types import Biblio, Document, Event
from .services import (
    MatterData,
    ensure_client,
    event_recorded_hooks,
    notify_events_recorded,
    record_office_event,
    set_priority_claims,
    upsert_matter,
)

log = logging.getLogger(__name__)

PROCESS = "patents.ingest"

# (office, kind accepted by ingest_file) → internal payload kind, from each office's descriptor.
FILE_KINDS: dict[tuple[str, str], str] = {
    (office.code, name): kind for office in OFFICES for name, kind in office.file_kinds.items()
}


# --- parsing ------------------------------------------------------------------------------------------------


# Kinds process_payload can apply to the docket (discovery's lens-search pages are kept as evidence only).
PROCESSED_KINDS = processed_kinds()


class PayloadTooLarge(Exception):
    """Over OFFICE_PAYLOAD_MAX_BYTES or OFFICE_PAYLOAD_MAX_EVENTS: kept and quarantined, never applied."""


def max_payload_bytes() -> int:
    return int(getattr(settings, "OFFICE_PAYLOAD_MAX_BYTES", 20 * 1024 * 1024))


def max_payload_events() -> int:
    return int(getattr(settings, "OFFICE_PAYLOAD_MAX_EVENTS", 20_000))


def _check_event_count(documents: list[Document]) -> list[Document]:
    limit = max_payload_events()
    count = sum(len(d.events) for d in documents)
    if count > limit:
        # Recording this many events (one upsert each) would hold a worker for tens of minutes; an office
        # answer this big is not a normal status update and wants a person's look.
        raise PayloadTooLarge(f"{count} events in one answer (limit OFFICE_PAYLOAD_MAX_EVENTS={limit})")
    return documents


def parse_payload(kind: str, body: bytes) -> list[Document]:
    """Bytes → documents. Raises ParseError (the payload is then quarantined with that reason), or
    PayloadTooLarge when the body or its event count is over the configured limits."""
    if len(body) > max_payload_bytes():
        # Checked before parsing: a 50 MB answer of small XML elements took 2 GB of memory in lxml.
        raise PayloadTooLarge(f"{len(body)} bytes (limit OFFICE_PAYLOAD_MAX_BYTES={max_payload_bytes()})")
    return _check_event_count(_parse_payload(kind, body))


def _parse_payload(kind: str, body: bytes) -> list[Document]:
    # Each office turns its own answers into the common Document shape (patents/offices/<code>/documents.py).
    office = office_for_kind(kind)
    if office is None or office.parse is None:
        raise ParseError(f"no parser for payload kind {kind!r}", category="schema")
    return office.parse(kind, body)


# --- results ------------------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    payload: OfficePayload | None = None
    unchanged: bool = False  # same bytes as last time for this request: nothing parsed, nothing written
    malformed: bool = False  # the body could not be parsed (quarantined)
    too_large: bool = False  # over the size / event limits: stored and quarantined, nothing applied
    matters: list[int] = field(default_factory=list)  # matters the payload had data for
    no_data: list[int] = field(default_factory=list)  # requested matters the office had nothing for
    created_matters: list[int] = field(default_factory=list)
    events_created: int = 0  # recorded or changed (record_office_event does not tell the two apart)
    quarantined: list[QuarantineItem] = field(default_factory=list)
    reconciliation_open: int = 0

    def merge(self, other: IngestResult) -> None:
        self.matters += other.matters
        self.no_data += other.no_data
        self.created_matters += other.created_matters
        self.events_created += other.events_created
        self.quarantined += other.quarantined
        self.reconciliation_open += other.reconciliation_open
        self.malformed = self.malformed or other.malformed
        self.too_large = self.too_large or other.too_large


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@contextmanager
def _attribution(reason: str) -> Iterator[None]:
    if current() is not None:
        yield
    else:
        with attributed(reason=reason, process=PROCESS):
            yield


# --- store --------------------------------------------------------------------------------------------------


# Parts of an answer that change on every request without the office data changing: ODP's request id,
# JPO's remaining-access counter, OPS' production date and elapsed-time meta. Comparing bodies without them
# is what lets "nothing changed at the office" write nothing.
_VOLATILE = [
    (re.compile(rb'"requestIdentifier"\s*:\s*"[^"]*"'), b'"requestIdentifier":""'),
    (re.compile(rb'"remainAccessCount"\s*:\s*"?[0-9]*"?'), b'"remainAccessCount":""'),
    (re.compile(rb'date-produced="[0-9]*"'), b'date-produced=""'),
    (re.compile(rb'<(?:\w+:)?meta [^>]*elapsed-time[^>]*/>'), b""),
]


def content_hash(body: bytes) -> str:
    for pattern, replacement in _VOLATILE:
        body = pattern.sub(replacement, body)
    return _sha(body)


def last_payload_for(request_key: str) -> OfficePayload | None:
    """The last answer to this request that was usable; a quarantined one never makes a retry "unchanged"."""
    return (
        OfficePayload.objects.filter(request_hash=_sha(request_key)).exclude(outcome="quarantined")
        .order_by("-fetched_at", "-pk").defer("body").first()
    )


def store_payload(
    *,
    office: str,
    kind: str,
    endpoint: str,
    request_key: str,
    body: bytes,
    status: int = 200,
    fetched_at: dt.datetime | None = None,
    content_type: str = "",
    origin: str = OfficePayload.Origin.SYNC,
    file_name: str = "",
    sync_run_id: int | None = None,
    requested_matter_ids: Iterable[int] = (),
) -> tuple[OfficePayload, bool]:
    """Store the raw answer unless it is byte-identical to the last one for the same request.

    Returns (payload, stored). ``request_key`` must never contain credentials (the clients build it from
    method, URL and a digest of the request body; tokens travel in headers and are not part of it).
    A payload returned with ``stored=False`` may still be unprocessed (``outcome == ""``: the process died
    between storing and applying it); callers that apply payloads must then apply it.
    """
    sha = _sha(body)
    digest = content_hash(body)
    last = last_payload_for(request_key)
    if last is not None and (last.sha256 == sha or last.content_hash == digest):
        # Stored but never finished (the process died or crashed half-way): the same body is processed
        # again, never reported "unchanged", or it would stay unread for good.
        return last, not last.outcome
    payload = OfficePayload.objects.create(
        office=office,
        kind=kind,
        endpoint=endpoint[:200],
        request_key=request_key[:1000],
        request_hash=_sha(request_key),
        status=status,
        fetched_at=fetched_at or timezone.now(),
        size=len(body),
        sha256=sha,
        content_hash=digest,
        body=zlib.compress(body, 6),
        content_type=content_type[:100],
        origin=origin,
        file_name=file_name[:300],
        sync_run_id=sync_run_id,
        requested_matter_ids=sorted(set(requested_matter_ids)),
    )
    return payload, True


# --- quarantine ---------------------------------------------------------------------------------------------


def quarantine(
    *,
    payload: OfficePayload,
    category: str,
    reason: str,
    fingerprint: str,
    matter: Matter | None = None,
    source: str = "",
    office_code: str = "",
    details: dict[str, Any] | None = None,
) -> QuarantineItem | None:
    """Open a quarantine item unless the same problem is already open (then it is returned unchanged)."""
    fingerprint = fingerprint[:300]
    existing = QuarantineItem.objects.filter(fingerprint=fingerprint, status=QuarantineItem.Status.OPEN).first()
    if existing is not None:
        return existing
    if QuarantineItem.objects.filter(
        fingerprint=fingerprint, status__in=[QuarantineItem.Status.REJECTED, QuarantineItem.Status.ACCEPTED]
    ).exists():
        return None  # a person already decided this exact problem; a replay must not reopen it
    item = QuarantineItem(
        category=category,
        payload=payload,
        matter=matter,
        office=payload.office,
        source=source,
        office_code=office_code[:40],
        reason=reason,
        details=details or {},
        fingerprint=fingerprint[:300],
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # opened by a concurrent worker in the meantime
        return QuarantineItem.objects.filter(fingerprint=fingerprint[:300], status=QuarantineItem.Status.OPEN).first()
    return item


def _resolve_open(*, matter: Matter, office: str, source: str, code: str, payload: OfficePayload) -> None:
    """A code that is mapped now (e.g. mapped in the admin) closes its open 'unmapped' items."""
    for item in QuarantineItem.objects.filter(
        status=QuarantineItem.Status.OPEN,
        category=QuarantineItem.Category.UNMAPPED_CODE,
        matter=matter,
        source=source,
        office_code=code,
    ):
        item.status = QuarantineItem.Status.RESOLVED
        item.decided_at = timezone.now()
        item.note = f"code {office} {code} is mapped now; events recorded from payload {payload.pk}"
        item.save(update_fields=["status", "decided_at", "note"])


# --- matching -----------------------------------------------------------------------------------------------


def _typed_numbers(doc: Document) -> tuple[set[str], set[str]]:
    """(application numbers, publication/grant numbers) the document names."""
    apps = {n for n in doc.application_numbers if n}
    return apps, {n for n in doc.numbers if n and n not in apps}


def _matter_keys(matter: Matter) -> set[str]:
    keys = {matter.application_number_normalized, compact_number(matter.publication_number),
            compact_number(matter.grant_number)}
    return {k for k in keys if k}


def _names(doc: Document, matter: Matter) -> bool:
    apps, pubs = _typed_numbers(doc)
    published = {compact_number(matter.publication_number), compact_number(matter.grant_number)} - {""}
    return bool((apps and matter.application_number_normalized in apps) or (pubs & published))


def match_document(doc: Document, candidates: list[Matter]) -> Matter | None:
    """The candidate the document names: application number against application number, publication or
    grant number against publication and grant numbers (None if none)."""
    for matter in candidates:
        if _names(doc, matter):
            return matter
    return None


def _docket_candidates(doc: Document) -> list[Matter]:
    apps, pubs = _typed_numbers(doc)
    if not apps and not pubs:
        return []
    office = doc.biblio.office if doc.biblio is not None else doc.office
    query = Q(pk__in=[])
    if apps:
        query |= Q(application_number_normalized__in=apps)
    if pubs:
        query |= Q(publication_number__in=pubs) | Q(grant_number__in=pubs)
    return [m for m in Matter.objects.filter(query).order_by("pk")[:5] if m.office == office or not office]


def _find_in_docket(doc: Document) -> Matter | None:
    """The one matter this document is about (None when none, or when more than one could be: see
    ``_docket_candidates``; an ambiguous match is quarantined by the caller, never guessed)."""
    found = _docket_candidates(doc)
    return found[0] if len(found) == 1 else None


# --- the pipeline -------------------------------------------------------------------------------------------


def ingest_response(
    *,
    office: str,
    kind: str,
    endpoint: str,
    request_key: str,
    body: bytes,
    matters: list[Matter],
    status: int = 200,
    fetched_at: dt.datetime | None = None,
    content_type: str = "",
    origin: str = OfficePayload.Origin.SYNC,
    file_name: str = "",
    sync_run_id: int | None = None,
    create_with_client: Client | None = None,
    table: MappingTable | None = None,
) -> IngestResult:
    """Store, and unless unchanged, process one office answer for the requested ``matters``."""
    with _attribution(f"office data: {office} {endpoint}"):
        with transaction.atomic():
            payload, stored = store_payload(
                office=office, kind=kind, endpoint=endpoint, request_key=request_key, body=body, status=status,
                fetched_at=fetched_at, content_type=content_type, origin=origin, file_name=file_name,
                sync_run_id=sync_run_id, requested_matter_ids=[m.pk for m in matters],
            )
        if not stored and payload.outcome:
            return IngestResult(payload=payload, unchanged=True, matters=[m.pk for m in matters],
                                too_large=payload.outcome == "too-large")
        # Stored now, or stored by an attempt that died before applying it (outcome still empty): "same
        # bytes as last time" only means "nothing to do" once last time's bytes were actually applied.
        return process_payload(payload=payload, matters=matters, create_with_client=create_with_client,
                               table=table)


def process_payload(
    *,
    payload: OfficePayload,
    matters: Iterable[Matter] = (),
    create_with_client: Client | None = None,
    table: MappingTable | None = None,
    trust_numbers: bool = False,
    confine: bool = False,
) -> IngestResult:
    """Parse a stored payload and apply it to the docket (also what replay runs). Idempotent.

    ``confine``: apply it to ``matters`` only; documents for other matters are left alone (a paralegal's
    quarantine decision must not write to other clients' matters named in the same bulk answer).
    """
    candidates = list(matters) or list(payload.matters.all())
    if not candidates and payload.requested_matter_ids:
        candidates = list(Matter.objects.filter(pk__in=payload.requested_matter_ids).order_by("pk"))
    result = IngestResult(payload=payload)
    table = table or MappingTable.load()
    with _attribution(f"office data: payload {payload.pk} ({payload.office} {payload.endpoint})"):
        try:
            if payload.size > max_payload_bytes():
                # Never decompressed: the stored size says enough.
                raise PayloadTooLarge(f"{payload.size} bytes (limit OFFICE_PAYLOAD_MAX_BYTES={max_payload_bytes()})")
            if payload.status == 404 and not payload.raw.strip():
                # OPS answers a search without hits (and ODP an unknown number) with an empty 404.
                documents = [Document("", None, [], (), no_data=True, no_data_reason="HTTP 404 with an empty body")]
            else:
                documents = parse_payload(payload.kind, payload.raw)
        except PayloadTooLarge as exc:
            item = quarantine(
                payload=payload,
                category=QuarantineItem.Category.TOO_LARGE,
                reason=f"too large to process: {exc}; the answer is stored, nothing of it was applied",
                fingerprint=f"{QuarantineItem.Category.TOO_LARGE}|payload:{payload.pk}",
                matter=candidates[0] if len(candidates) == 1 else None,
                details={"matters": [m.reference for m in candidates], "request": payload.request_key,
                         "size": payload.size},
            )
            result.too_large = True
            if item is not None:
                result.quarantined.append(item)
            # Not "quarantined": the same oversized answer fetched again is then "unchanged" (one stored
            # copy and one open item, not a new 50 MB row every sync cycle).
            _set_outcome(payload, "too-large")
            return result
        except ParseError as exc:
            category = {MALFORMED: QuarantineItem.Category.MALFORMED,
                        OUT_OF_SCOPE: QuarantineItem.Category.OUT_OF_SCOPE}.get(exc.category,
                                                                                QuarantineItem.Category.SCHEMA)
            item = quarantine(
                payload=payload,
                category=category,
                reason=str(exc),
                fingerprint=f"{category}|payload:{payload.pk}",
                matter=candidates[0] if len(candidates) == 1 else None,
                details={"matters": [m.reference for m in candidates], "request": payload.request_key},
            )
            result.malformed = exc.category != OUT_OF_SCOPE
            if item is not None:
                result.quarantined.append(item)
            _set_outcome(payload, "quarantined")
            return result
        seen: dict[int, Document] = {}
        for doc in documents:
            item = _held_back(payload, doc, candidates)
            if item is not None:
                result.quarantined.append(item)
        usable = [doc for doc in documents if not doc.no_data and not doc.out_of_scope
                  and _same_office(payload, doc)]
        # Only a one-document answer is taken to be about the one matter asked for. In a bulk answer
        # (replayed for one quarantine item, so with one candidate) the other documents belong to other
        # matters: they are looked up in the docket, never put on (or held against) the candidate.
        sole = candidates[0] if len(candidates) == 1 and len(usable) == 1 else None
        for doc in usable:
            matter = match_document(doc, candidates)
            if matter is None and sole is not None and (doc.biblio is None or trust_numbers):
                matter = sole
            if matter is None and sole is not None and doc.biblio is not None:
                result.quarantined += _mismatch(payload, sole, doc)
                continue
            if matter is None and confine:
                continue
            if matter is None:
                found = _docket_candidates(doc)
                if len(found) > 1:
                    item = quarantine(
                        payload=payload, category=QuarantineItem.Category.CONFLICT,
                        reason=(f"the answer's numbers {', '.join(doc.numbers)} name {len(found)} matters "
                                f"({', '.join(m.reference for m in found)}); none was chosen"),
                        fingerprint=f"ambiguous|payload:{payload.pk}|{','.join(doc.numbers)}",
                    )
                    if item is not None:
                        result.quarantined.append(item)
                    continue
                matter = found[0] if found else None
            if matter is None and create_with_client is not None and doc.biblio is not None:
                try:
                    with transaction.atomic():
                        matter = create_matter_from_biblio(biblio=doc.biblio, client=create_with_client)
                except ValidationError as exc:
                    # Office data our own rules refuse (a number form nobody taught us): held for a person,
                    # with the rule's words, instead of an exception that leaves the body unread.
                    item = quarantine(
                        payload=payload, category=QuarantineItem.Category.SCHEMA,
                        reason=f"no matter could be created from {doc.biblio.application_number}: "
                        + "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                        fingerprint=f"create|payload:{payload.pk}|{doc.biblio.application_number}",
                    )
                    if item is not None:
                        result.quarantined.append(item)
                    continue
                result.created_matters.append(matter.pk)
            if matter is None:
                label = doc.biblio.application_number if doc.biblio else ", ".join(doc.numbers)
                item = quarantine(
                    payload=payload, category=QuarantineItem.Category.MISMATCH,
                    reason=f"the answer has data for {label or 'an unnamed application'}, "
                    "which is not a matter in the docket",
                    fingerprint=f"mismatch|payload:{payload.pk}|{label}",
                )
                if item is not None:
                    result.quarantined.append(item)
                continue
            if matter.pk in seen:
                item = quarantine(
                    payload=payload, category=QuarantineItem.Category.CONFLICT, matter=matter,
                    reason=f"the answer holds two documents for {matter.reference}; neither was applied twice",
                    fingerprint=f"conflict|payload:{payload.pk}|{matter.pk}",
                )
                if item is not None:
                    result.quarantined.append(item)
                continue
            seen[matter.pk] = doc
            result.merge(apply_document(payload=payload, matter=matter, doc=doc, table=table))
        with transaction.atomic():
            if seen:
                payload.matters.add(*seen)
            missing = [m.pk for m in candidates if m.pk not in seen]
            result.no_data += missing
            held = any(d.out_of_scope or not _same_office(payload, d) for d in documents)
            _set_outcome(payload, "parsed" if seen else "quarantined" if held else "no-data")
    return result


def process_pending_payloads(*, older_than: dt.timedelta | None = None, limit: int = 1000) -> dict[str, int]:
    """Apply the payloads that were stored but never processed (the sweep behind the beat entry).

    A worker killed between storing an answer and applying it leaves ``outcome`` empty. The next fetch of
    the same answer applies it too; this catches the ones no fetch comes back for. ``older_than`` (default
    OFFICE_PAYLOAD_PENDING_GRACE_MINUTES) leaves payloads a live worker is still applying alone; doing one
    twice would be harmless anyway (processing is idempotent), only wasted work.
    """
    if older_than is None:
        older_than = dt.timedelta(minutes=float(getattr(settings, "OFFICE_PAYLOAD_PENDING_GRACE_MINUTES", 15)))
    cutoff = timezone.now() - older_than
    ids = list(
        OfficePayload.objects.filter(outcome="", kind__in=PROCESSED_KINDS, fetched_at__lte=cutoff)
        .exclude(origin=OfficePayload.Origin.DISCOVERY).order_by("fetched_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    totals = {"payloads": 0, "events_created": 0, "quarantined": 0}
    if not ids:
        return totals
    table = MappingTable.load()
    with _attribution("office data stored but not yet applied (pending-payload sweep)"):
        for pk in ids:
            payload = OfficePayload.objects.filter(pk=pk, outcome="").first()
            if payload is None:
                continue  # applied in the meantime (the next fetch of the same answer)
            result = process_payload(payload=payload, table=table)
            totals["payloads"] += 1
            totals["events_created"] += result.events_created
            totals["quarantined"] += len(result.quarantined)
    log.info("pending payloads applied: %s", totals)
    return totals


def quarantine_answer(
    *, office: str, kind: str, response, matters: list[Matter], reason: str, sync_run_id: int | None = None
) -> QuarantineItem | None:
    """Keep an answer the client refused as unusable (e.g. JPO's HTTP 200 without statusCode) and open a
    quarantine item for it, so a person sees what the office sent instead of a bare error count."""
    with _attribution(f"office data: unusable answer from {office} {response.endpoint}"):
        with transaction.atomic():
            payload, _ = store_payload(
                office=office, kind=kind, endpoint=response.endpoint, request_key=response.request_key,
                body=response.body, status=response.status, fetched_at=response.fetched_at,
                content_type=response.content_type, sync_run_id=sync_run_id,
                requested_matter_ids=[m.pk for m in matters],
            )
            item = quarantine(
                payload=payload, category=QuarantineItem.Category.MALFORMED, reason=reason,
                # The same bad answer for the same matter is one item, however often it is fetched.
                fingerprint=f"malformed|answer:{payload.sha256}|{','.join(str(m.pk) for m in matters)}",
                matter=matters[0] if len(matters) == 1 else None,
                details={"matters": [m.reference for m in matters], "request": payload.request_key},
            )
            _set_outcome(payload, "quarantined")
    return item


def _same_office(payload: OfficePayload, doc: Document) -> bool:
    """The document is of the office the answer was asked from (or offered as, for a file)."""
    return not doc.office or not payload.office or doc.office == payload.office


def _held_back(payload: OfficePayload, doc: Document, candidates: list[Matter]) -> QuarantineItem | None:
    """The quarantine item for a document that is readable but must not be docketed, else None."""
    sole = candidates[0] if len(candidates) == 1 else None
    if doc.no_data:
        # The office's own answer that it has nothing: shown to the operator as such, in its words.
        return quarantine(
            payload=payload, category=QuarantineItem.Category.NO_DATA, matter=sole,
            reason=f"the office has no data for this request: {doc.no_data_reason or 'no data'}",
            fingerprint=f"no_data|{payload.office}|{payload.request_hash}",
            details={"request": payload.request_key, "office_words": doc.no_data_reason},
        )
    if doc.out_of_scope:
        return quarantine(
            payload=payload, category=QuarantineItem.Category.OUT_OF_SCOPE, matter=sole, reason=doc.out_of_scope,
            fingerprint=f"out_of_scope|{payload.office}|{','.join(doc.numbers)}",
        )
    if not _same_office(payload, doc):
        number = doc.biblio.application_number if doc.biblio else ", ".join(doc.numbers)
        return quarantine(
            payload=payload, category=QuarantineItem.Category.OUT_OF_SCOPE, matter=sole,
            reason=(f"the answer is a {doc.office} document ({number}), offered as {payload.office}: "
                    f"not docketed as {payload.office}"),
            fingerprint=f"office|{payload.office}|{doc.office}|{number}",
        )
    return None


def _set_outcome(payload: OfficePayload, outcome: str) -> None:
    if payload.outcome != outcome:
        payload.outcome = outcome
        payload.save(update_fields=["outcome"])


def _mismatch(payload: OfficePayload, matter: Matter, doc: Document) -> list[QuarantineItem]:
    office_number = doc.biblio.application_number if doc.biblio else "?"
    item = quarantine(
        payload=payload, category=QuarantineItem.Category.MISMATCH, matter=matter,
        reason=(f"application number mismatch: the docket has {matter.application_number or '(none)'} for "
                f"{matter.reference}, the office answer is for {office_number}"),
        fingerprint=f"mismatch|payload:{payload.pk}|{matter.pk}",
        details={"docket": matter.application_number_normalized, "office": list(doc.numbers)},
    )
    return [item] if item else []


def apply_document(*, payload: OfficePayload, matter: Matter, doc: Document, table: MappingTable) -> IngestResult:
    """Record one application's events and reconcile its biblio, in one transaction."""
    result = IngestResult(payload=payload, matters=[matter.pk])
    events = list(doc.events)
    if doc.biblio is not None:
        events += biblio_events(doc.biblio, matter.office)
    unmapped: dict[tuple[str, str, str], list[Event]] = defaultdict(list)
    today_limit = latest_possible_date()
    # What the docket already holds for this matter, so an event seen before costs no query at all; new or
    # changed events go through record_office_event (the one write path, with its own locking).
    known = {
        (key, type_id, text, json.dumps(params, sort_keys=True, default=str))
        for key, type_id, text, params in OfficeEvent.objects.filter(
            matter=matter, source=OfficeEvent.Source.OFFICE
        ).values_list("natural_key", "event_type_id", "office_text", "params")
    }
    with transaction.atomic():
        for event in events:
            if event.date is None:
                continue  # information without a date (EPO PROL/ISAT): kept in the payload, not an event
            office = event_office(event, matter)
            event_type = table.lookup(office=office, source=event.source, code=event.code)
            if event_type is None:
                unmapped[(office, event.source, event.code_stripped)].append(event)
                continue
            if event.date > today_limit:
                item = quarantine(
                    payload=payload, category=QuarantineItem.Category.MISMATCH, matter=matter,
                    source=event.source, office_code=event.code,
                    reason=f"{event.code_stripped} is dated {event.date.isoformat()}, after today",
                    fingerprint=f"future|{matter.pk}|{event.source}|{event.code_stripped}|{event.date}|{event.discriminator}",
                )
                if item:
                    result.quarantined.append(item)
                continue
            discriminator = f"{event.source}:{event.discriminator}" if event.discriminator else event.source
            if len(discriminator) > 120:
                digest = hashlib.sha1(discriminator.encode(), usedforsecurity=False).hexdigest()
                discriminator = f"{event.source}:{digest}"
            params = canonical_params(event)
            natural_key = OfficeEvent.build_natural_key(event.code, event.date, discriminator)
            if (natural_key, event_type.pk, event.text[:500], json.dumps(params, sort_keys=True, default=str)) in known:
                continue
            _, changed = record_office_event(
                matter=matter, event_type=event_type, office_code=event.code, date=event.date,
                office_text=event.text, discriminator=discriminator, params=params, notify=False,
            )
            if changed:
                result.events_created += 1
        if result.events_created:
            notify_events_recorded(matter_id=matter.pk)  # one recompute for the matter, on commit
        for (office, source, code), items in unmapped.items():
            item = quarantine(
                payload=payload, category=QuarantineItem.Category.UNMAPPED_CODE, matter=matter,
                source=source, office_code=code,
                reason=f"{office} {source} code {code!r} ({items[0].text[:120]}) has no canonical event type",
                fingerprint=f"unmapped|{matter.pk}|{office}|{source}|{code}",
                details={"office": office, "events": [
                    {"date": iso(e.date), "text": e.text, "code": e.code, "discriminator": e.discriminator}
                    for e in items
                ]},
            )
            if item:
                result.quarantined.append(item)
        if QuarantineItem.objects.filter(matter=matter, status=QuarantineItem.Status.OPEN,
                                         category=QuarantineItem.Category.UNMAPPED_CODE).exists():
            mapped_codes = {(event_office(e, matter), e.source, e.code_stripped) for e in events} - set(unmapped)
            for office, source, code in mapped_codes:
                _resolve_open(matter=matter, office=office, source=source, code=code, payload=payload)
        if doc.biblio is not None:
            for claim in doc.biblio.priority_claims:
                if claim.country and len(claim.country) == 2:
                    continue
                # An office name our table does not know (ODP writes names, not codes): the claim is held
                # for a person with the office's words, never dropped and never given a guessed country.
                item = quarantine(
                    payload=payload, category=QuarantineItem.Category.SCHEMA, matter=matter,
                    source="priority", office_code=(claim.office_name or "")[:40],
                    reason=(f"priority claim {claim.number or '?'} of {iso(claim.date) or '?'} names the office "
                            f"{claim.office_name or '(none)'!r}, which has no ST.3 code in the table: not entered"),
                    fingerprint=f"priority|{matter.pk}|{claim.office_name}|{claim.number}|{iso(claim.date)}",
                    details={"office_name": claim.office_name, "number": claim.number, "date": iso(claim.date)},
                )
                if item:
                    result.quarantined.append(item)
            result.quarantined += _link_parent(matter=matter, biblio=doc.biblio, payload=payload)
            recon = reconcile_matter(matter=matter, biblio=doc.biblio, payload=payload)
            result.reconciliation_open += recon.open
            result.quarantined += recon.quarantined
    return result


def _link_parent(*, matter: Matter, biblio: Biblio, payload: OfficePayload) -> list[QuarantineItem]:
    """An EP divisional's parent (register related-documents) becomes the matter's parent link.

    Only a parent of the same client is linked; a parent not in the docket, or another parent than the
    one the docket has, is held for a person: the relation is never lost and never overwritten.
    """
    known = OFFICES_BY_CODE.get(matter.office)
    if known is None or not known.links_divisional_parents:
        return []
    parents = {link.parent_number for link in biblio.continuity
               if link.relation == "parent" and link.relation_code == "DIV"}
    if not parents:
        return []
    (number, *others) = sorted(parents)
    found = list(Matter.objects.filter(client=matter.client, office=matter.office,
                                       application_number_normalized=number)[:2])
    current = matter.parent
    if not others and len(found) == 1 and current in (None, found[0]):
        if current is None:
            matter.parent, matter.parent_relation = found[0], Matter.Relation.DIVISIONAL
            matter.full_clean(validate_unique=False, validate_constraints=False)
            matter.save(update_fields=["parent", "parent_relation", "updated_at"])
        return []
    reason = (f"{matter.reference} is a divisional of {', '.join(sorted(parents))} (EP Register), "
              + ("which is not a matter of this client in the docket" if not found
                 else f"but the docket links it to {matter.parent.reference if matter.parent else 'nothing'}"))
    item = quarantine(payload=payload, category=QuarantineItem.Category.MISMATCH, matter=matter,
                      source="epo-register", reason=reason + ": the parent link was not set",
                      fingerprint=f"parent|{matter.pk}|{','.join(sorted(parents))}",
                      details={"parents": sorted(parents)})
    return [item] if item else []


# --- creating matters from office data ----------------------------------------------------------------------


def create_matter_from_biblio(*, biblio: Biblio, client: Client, reference: str | None = None) -> Matter:
    known = OFFICES_BY_CODE.get(biblio.office or "")
    if known is None or not known.file_kinds:
        known = DEFAULT_OFFICE  # an answer that names no office we docket
    office = known.code
    number = biblio.application_number_normalized or biblio.application_number
    if known.new_matter_number is not None:
        number = known.new_matter_number(biblio)
    kind = Matter.Kind(known.matter_kind)
    if biblio.right == "design":
        kind = Matter.Kind.DESIGN
    data = MatterData(
        client=client,
        reference=reference or (number if number.startswith(office) else f"{office}-{number}").replace("/", "-")[:80],
        office=office,
        kind=kind,
        title=(biblio.title or "")[:500],
        application_number=number,
        filing_date=biblio.filing_date,
        applicant_name=(biblio.applicants[0].name if biblio.applicants else "")[:300],
        priority_claims=_claims(biblio),
    )
    matter, _ = upsert_matter(data=data)
    return matter


def _claims(biblio: Biblio) -> list[tuple[str, str, dt.date]]:
    out = []
    for c in biblio.priority_claims:
        if c.country and len(c.country) == 2 and c.date and c.number:
            if biblio.filing_date and c.date > biblio.filing_date:
                continue
            out.append((c.country.upper(), c.number[:40], c.date))
    return sorted(set(out))


# --- reconciliation -----------------------------------------------------------------------------------------


@dataclass
class Reconciliation:
    open: int = 0
    filled: list[str] = field(default_factory=list)
    quarantined: list[QuarantineItem] = field(default_factory=list)


def office_values(biblio: Biblio) -> dict[str, Any]:
    """The docket fields the office data speaks to, as JSON values (None: the office does not say)."""
    return {
        "filing_date": iso(biblio.filing_date),
        "status": docket_status(biblio),
        "publication_number": biblio.publication_number or None,
        "publication_date": iso(biblio.publication_date),
        "grant_number": biblio.grant_number or None,
        "grant_date": iso(biblio.grant_date),
        "priority_claims": [[c, n, d.isoformat()] for c, n, d in _claims(biblio)] or None,
    }


def docket_values(matter: Matter) -> dict[str, Any]:
    return {
        "filing_date": iso(matter.filing_date),
        "status": None if matter.status == Matter.Status.UNKNOWN else matter.status,
        "publication_number": matter.publication_number or None,
        "publication_date": iso(matter.publication_date),
        "grant_number": matter.grant_number or None,
        "grant_date": iso(matter.grant_date),
        "priority_claims": [[c.country, c.number, c.date.isoformat()] for c in matter.priority_claims.all()] or None,
    }


def _same(field_name: str, docket: Any, office: Any) -> bool:
    if field_name in ("publication_number", "grant_number"):
        return compact_number(docket) == compact_number(office)
    if field_name == "priority_claims":
        def number(country: str, raw: str) -> str:
            # Offices write the same priority as 2024572511, EP2024572511 or EP 2024 572511.
            text = "".join(ch for ch in raw if ch.isalnum()).upper()
            return (text[len(country):] if text.startswith(country) else text).lstrip("0")

        def key(rows):
            return sorted((c, number(c, n), d) for c, n, d in rows or ())
        return key(docket) == key(office)
    return docket == office


def reconcile_matter(*, matter: Matter, biblio: Biblio, payload: OfficePayload) -> Reconciliation:
    """Fill what the docket leaves blank; open a ReconciliationItem for every field that disagrees.

    A field a person decided to ignore stays ignored while the office keeps saying the same value.
    """
    out = Reconciliation()
    office = office_values(biblio)
    docket = docket_values(matter)
    fill: dict[str, Any] = {}
    # One query for the open items (a replay runs this for every payload; most matters have none).
    open_items = {i.field: i for i in ReconciliationItem.objects.filter(matter=matter, status="open")}
    for name, office_value in office.items():
        docket_value = docket[name]
        if office_value is None or _same(name, docket_value, office_value):
            if name in open_items:
                _close_open(open_items[name], ReconciliationItem.Status.RESOLVED, "docket and office agree")
            continue
        if docket_value is None:
            fill[name] = office_value
            continue
        open_item = open_items.get(name)
        decided = ReconciliationItem.objects.filter(
            matter=matter, field=name, status=ReconciliationItem.Status.IGNORED
        ).order_by("-decided_at", "-pk").first()
        if decided is not None and decided.office_value == office_value and decided.docket_value == docket_value:
            continue
        if open_item is not None:
            if open_item.office_value != office_value or open_item.docket_value != docket_value:
                open_item.office_value, open_item.docket_value, open_item.payload = office_value, docket_value, payload
                open_item.save(update_fields=["office_value", "docket_value", "payload"])
            out.open += 1
            continue
        try:
            with transaction.atomic():
                ReconciliationItem.objects.create(
                    matter=matter, field=name, docket_value=docket_value, office_value=office_value,
                    office=payload.office, payload=payload,
                )
            out.open += 1
        except IntegrityError:
            out.open += 1
    status_text = (biblio.status_text or "")[:300]
    if fill or (status_text and matter.office_status != status_text):
        try:
            out.filled = apply_office_values(
                matter=matter, values=fill, office_status=status_text or None,
            )
        except ValidationError as exc:
            item = quarantine(
                payload=payload, category=QuarantineItem.Category.CONFLICT, matter=matter,
                reason=f"office data cannot be applied to {matter.reference}: {'; '.join(exc.messages)}",
                fingerprint=f"conflict|fill|{matter.pk}|{sorted(fill)}",
                details={"values": fill},
            )
            if item:
                out.quarantined.append(item)
    return out


def _close_open(item: ReconciliationItem, status: str, note: str) -> None:
    item.status, item.note, item.decided_at = status, note, timezone.now()
    item.save(update_fields=["status", "note", "decided_at"])


def apply_office_values(*, matter: Matter, values: dict[str, Any], office_status: str | None = None) -> list[str]:
    """Write office values onto the matter (validated, with history under the caller's attribution)."""
    changed: list[str] = []
    claims = values.get("priority_claims")
    for name, value in values.items():
        if name == "priority_claims":
            continue
        if name.endswith("_date") and value:
            value = dt.date.fromisoformat(value)
        setattr(matter, name, value if value is not None else "")
        changed.append(name)
    if office_status is not None and matter.office_status != office_status:
        matter.office_status = office_status
        changed.append("office_status")
    with transaction.atomic():
        if changed:
            matter.full_clean(validate_unique=False, validate_constraints=False)
            matter.save(update_fields=[*changed, "updated_at"])
        if claims is not None:
            set_priority_claims(
                matter=matter, claims=[(c, n, dt.date.fromisoformat(d)) for c, n, d in claims]
            )
            changed.append("priority_claims")
    return changed


@transaction.atomic
def decide_reconciliation(*, item: ReconciliationItem, accept: bool, user, note: str = "") -> ReconciliationItem:
    """Accept the office value (the matter is updated, with history) or ignore it with a reason."""
    if item.status != ReconciliationItem.Status.OPEN:
        raise ValidationError("this difference was already decided")
    if not accept and not note.strip():
        raise ValidationError("say why the office value is ignored")
    what = "accepted office value" if accept else "ignored office value"
    with attributed(reason=f"reconciliation: {what} for {item.get_field_display()}"
                    + (f" ({note.strip()})" if note.strip() else ""), user=user):
        if accept:
            matter = Matter.objects.select_for_update().get(pk=item.matter_id)
            apply_office_values(matter=matter, values={item.field: item.office_value})
        item.status = ReconciliationItem.Status.ACCEPTED if accept else ReconciliationItem.Status.IGNORED
        item.decided_by, item.decided_at, item.note = user, timezone.now(), note.strip()
        item.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return item


# --- deadline hooks, inline --------------------------------------------------------------------------------


@contextmanager
def recompute_inline() -> Iterator[set[int]]:
    """Collect the matters whose events changed instead of queueing recompute tasks (CLI, benchmarks).

    The caller recomputes the collected matters itself, in-process, after the ingest committed.
    """
    collected: set[int] = set()
    saved: list[Callable[[int], None]] = list(event_recorded_hooks)
    event_recorded_hooks[:] = [collected.add]
    try:
        yield collected
    finally:
        event_recorded_hooks[:] = saved


def ensure_inbox_client() -> Client:
    with _attribution("client for matters created from office data"):
        client, _ = ensure_client(reference="UNASSIGNED", name="Unassigned (created from office data)")
    return client
