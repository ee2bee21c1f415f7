"""Office answers as stored payloads: kept byte for byte, hashed, read back into documents, quarantined.

Every answer is stored before anything else happens to it; the same bytes for the same request are
"unchanged". Reading a payload hands it to its office's parsing (``patents.offices``), which returns the
common ``Document`` shape, within the configured size and event limits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from docketapp.audit import ensure_attributed

from ..models import (
    Matter,
    OfficePayload,
    QuarantineItem,
)
from ..offices import OFFICES, office_for_kind, processed_kinds
from ..parsers.errors import ParseError
from ..parsers.types import Document

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
    # Family members the docket holds no matter for ("US 8131731 (application …)"): offered for discovery.
    not_in_docket: list[str] = field(default_factory=list)

    def merge(self, other: IngestResult) -> None:
        self.matters += other.matters
        self.no_data += other.no_data
        self.created_matters += other.created_matters
        self.events_created += other.events_created
        self.quarantined += other.quarantined
        self.reconciliation_open += other.reconciliation_open
        self.not_in_docket += other.not_in_docket
        self.malformed = self.malformed or other.malformed
        self.too_large = self.too_large or other.too_large


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


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


def quarantine_answer(
    *, office: str, kind: str, response, matters: list[Matter], reason: str, sync_run_id: int | None = None
) -> QuarantineItem | None:
    """Keep an answer the client refused as unusable (e.g. JPO's HTTP 200 without statusCode) and open a
    quarantine item for it, so a person sees what the office sent instead of a bare error count."""
    with ensure_attributed(reason=f"office data: unusable answer from {office} {response.endpoint}", process=PROCESS):
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


def _set_outcome(payload: OfficePayload, outcome: str) -> None:
    if payload.outcome != outcome:
        payload.outcome = outcome
        payload.save(update_fields=["outcome"])
