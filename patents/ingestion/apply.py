"""Applying stored payloads to the docket: match each document to a matter, record its events, reconcile.

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
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from docketapp.audit import ensure_attributed

from ..documents.reconcile import reconcile_office_events
from ..models import (
    Client,
    Matter,
    OfficeEvent,
    OfficePayload,
    QuarantineItem,
    latest_possible_date,
)
from ..normalize import (
    MappingTable,
    biblio_events,
    canonical_params,
    compact_number,
    event_office,
    iso,
)
from ..numbers import has_publication_rule, publication_key
from ..offices import DEFAULT_OFFICE, OFFICES_BY_CODE
from ..parsers._util import normalized_number
from ..parsers.errors import MALFORMED, OUT_OF_SCOPE, ParseError
from ..parsers.types import Biblio, Document, Event
from ..services import (
    MatterData,
    ensure_client,
    notify_events_recorded,
    record_office_event,
    upsert_matter,
)
from ..signals import events_committed_to
from .reconcile import _claims, reconcile_matter
from .store import (
    PROCESS,
    PROCESSED_KINDS,
    IngestResult,
    PayloadTooLarge,
    _resolve_open,
    _set_outcome,
    max_payload_bytes,
    parse_payload,
    quarantine,
    store_payload,
)

log = logging.getLogger(__name__)


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
    found = Matter.objects.filter(query)
    if office:
        # In the query, not after the slice: other offices' matters with the same digits must not crowd out
        # the one this document is about.
        found = found.filter(office=office)
    matters = list(found.order_by("pk")[:5])
    if doc.family_member and pubs and office and has_publication_rule(office):
        matters = _by_publication_key(office, pubs, matters)
    return matters


def _by_publication_key(office: str, pubs: set[str], matters: list[Matter]) -> list[Matter]:
    """A family member's publications compared in the office's own number form too (OPS writes docdb
    ``US2021210819``, the docket may hold ``US20210210819A1``): still publication against publication and
    grant numbers only. Narrowed in SQL on the numbers' last digits, decided by the office's rule."""
    keys = {publication_key(office, p) for p in pubs} - {""}
    tails = {re.sub(r"\D", "", k)[-4:] for k in keys} - {""}
    if not tails:
        return matters
    narrow = Q(pk__in=[])
    for tail in tails:
        narrow |= Q(publication_number__contains=tail) | Q(grant_number__contains=tail)
    more = [m for m in Matter.objects.filter(narrow, office=office).exclude(pk__in=[m.pk for m in matters])
            if keys & ({publication_key(office, m.publication_number), publication_key(office, m.grant_number)}
                       - {""})]
    return sorted(matters + more, key=lambda m: m.pk)[:5]


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
    with ensure_attributed(reason=f"office data: {office} {endpoint}", process=PROCESS):
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
    reason = f"office data: payload {payload.pk} ({payload.office} {payload.endpoint})"
    with ensure_attributed(reason=reason, process=PROCESS):
        documents = _read_documents(payload, candidates, result)
        if documents is None:
            return result
        for doc in documents:
            _keep(result, _held_back(payload, doc, candidates))
        usable = [doc for doc in documents if not doc.no_data and not doc.out_of_scope
                  and (doc.family_member or _same_office(payload, doc))]
        # Only a one-document answer is taken to be about the one matter asked for. In a bulk answer
        # (replayed for one quarantine item, so with one candidate) the other documents belong to other
        # matters: they are looked up in the docket, never put on (or held against) the candidate. A family
        # member is about the application its own numbers name, whichever matter the family was asked for.
        sole = candidates[0] if len(candidates) == 1 and len(usable) == 1 and not usable[0].family_member else None
        resolver = _Resolver(payload, candidates, result, sole=sole, create_with_client=create_with_client,
                             trust_numbers=trust_numbers, confine=confine)
        seen: dict[int, Document] = {}
        for doc in usable:
            matter = resolver.matter_for(doc)
            if matter is None:
                continue
            if matter.pk in seen:
                _keep(result, quarantine(
                    payload=payload, category=QuarantineItem.Category.CONFLICT, matter=matter,
                    reason=f"the answer holds two documents for {matter.reference}; neither was applied twice",
                    fingerprint=f"conflict|payload:{payload.pk}|{matter.pk}",
                ))
                continue
            seen[matter.pk] = doc
            result.merge(apply_document(payload=payload, matter=matter, doc=doc, table=table))
        with transaction.atomic():
            if seen:
                payload.matters.add(*seen)
            missing = [m.pk for m in candidates if m.pk not in seen]
            result.no_data += missing
            held = any(d.out_of_scope or not (d.family_member or _same_office(payload, d)) for d in documents)
            read = seen or result.not_in_docket
            _set_outcome(payload, "parsed" if read else "quarantined" if held else "no-data")
    return result


def _keep(result: IngestResult, item: QuarantineItem | None) -> None:
    if item is not None:
        result.quarantined.append(item)


def _read_documents(payload: OfficePayload, candidates: list[Matter], result: IngestResult) -> list[Document] | None:
    """The payload's documents, or None when the whole answer went to quarantine (too large, unreadable)."""
    try:
        if payload.size > max_payload_bytes():
            # Never decompressed: the stored size says enough.
            raise PayloadTooLarge(f"{payload.size} bytes (limit OFFICE_PAYLOAD_MAX_BYTES={max_payload_bytes()})")
        if payload.status == 404 and not payload.raw.strip():
            # OPS answers a search without hits (and ODP an unknown number) with an empty 404.
            return [Document("", None, [], (), no_data=True, no_data_reason="HTTP 404 with an empty body")]
        return parse_payload(payload.kind, payload.raw)
    except PayloadTooLarge as exc:
        _keep(result, quarantine(
            payload=payload,
            category=QuarantineItem.Category.TOO_LARGE,
            reason=f"too large to process: {exc}; the answer is stored, nothing of it was applied",
            fingerprint=f"{QuarantineItem.Category.TOO_LARGE}|payload:{payload.pk}",
            matter=candidates[0] if len(candidates) == 1 else None,
            details={"matters": [m.reference for m in candidates], "request": payload.request_key,
                     "size": payload.size},
        ))
        result.too_large = True
        # Not "quarantined": the same oversized answer fetched again is then "unchanged" (one stored
        # copy and one open item, not a new 50 MB row every sync cycle).
        _set_outcome(payload, "too-large")
        return None
    except ParseError as exc:
        category = {MALFORMED: QuarantineItem.Category.MALFORMED,
                    OUT_OF_SCOPE: QuarantineItem.Category.OUT_OF_SCOPE}.get(exc.category,
                                                                            QuarantineItem.Category.SCHEMA)
        _keep(result, quarantine(
            payload=payload,
            category=category,
            reason=str(exc),
            fingerprint=f"{category}|payload:{payload.pk}",
            matter=candidates[0] if len(candidates) == 1 else None,
            details={"matters": [m.reference for m in candidates], "request": payload.request_key},
        ))
        result.malformed = exc.category != OUT_OF_SCOPE
        _set_outcome(payload, "quarantined")
        return None


class _Resolver:
    """Which matter one document of a payload belongs to; None when it is held for a person or skipped."""

    def __init__(self, payload: OfficePayload, candidates: list[Matter], result: IngestResult, *,
                 sole: Matter | None, create_with_client: Client | None, trust_numbers: bool,
                 confine: bool) -> None:
        self.payload, self.candidates, self.result, self.sole = payload, candidates, result, sole
        self.create_with_client, self.trust_numbers, self.confine = create_with_client, trust_numbers, confine

    def matter_for(self, doc: Document) -> Matter | None:
        if doc.family_member:
            return self.member_matter(doc)
        payload, sole = self.payload, self.sole
        matter = match_document(doc, self.candidates)
        if matter is None and sole is not None and (doc.biblio is None or self.trust_numbers):
            matter = sole
        if matter is None and sole is not None and doc.biblio is not None:
            self.result.quarantined += _mismatch(payload, sole, doc)
            return None
        if matter is None and self.confine:
            return None
        if matter is None:
            found = _docket_candidates(doc)
            if len(found) > 1:
                _keep(self.result, quarantine(
                    payload=payload, category=QuarantineItem.Category.CONFLICT,
                    reason=(f"the answer's numbers {', '.join(doc.numbers)} name {len(found)} matters "
                            f"({', '.join(m.reference for m in found)}); none was chosen"),
                    fingerprint=f"ambiguous|payload:{payload.pk}|{','.join(doc.numbers)}",
                ))
                return None
            matter = found[0] if found else None
        if matter is None and self.create_with_client is not None and doc.biblio is not None:
            return self.create(doc, doc.biblio, self.create_with_client)
        if matter is None:
            label = doc.biblio.application_number if doc.biblio else ", ".join(doc.numbers)
            _keep(self.result, quarantine(
                payload=payload, category=QuarantineItem.Category.MISMATCH,
                reason=f"the answer has data for {label or 'an unnamed application'}, "
                "which is not a matter in the docket",
                fingerprint=f"mismatch|payload:{payload.pk}|{label}",
            ))
        return matter

    def member_matter(self, doc: Document) -> Matter | None:
        """A family member's matter: the one docket matter its own numbers name, whichever was asked for."""
        found = _docket_candidates(doc)
        if len(found) > 1:
            if not self.confine:
                _keep(self.result, quarantine(
                    payload=self.payload, category=QuarantineItem.Category.CONFLICT,
                    reason=(f"the family member {_member_label(doc)} could be any of {len(found)} matters "
                            f"({', '.join(m.reference for m in found)}); its data was put on none"),
                    fingerprint=f"ambiguous|payload:{self.payload.pk}|{','.join(doc.numbers)}",
                ))
            return None
        if not found:
            # Another application of the family that the docket does not hold: reported, never merged into
            # the requested matter and never created unasked.
            if not self.confine:
                self.result.not_in_docket.append(_member_label(doc))
            return None
        if self.confine and found[0] not in self.candidates:
            return None
        return found[0]

    def create(self, doc: Document, biblio: Biblio, client: Client) -> Matter | None:
        try:
            with transaction.atomic():
                matter = create_matter_from_biblio(biblio=biblio, client=client)
        except ValidationError as exc:
            # Office data our own rules refuse (a number form nobody taught us): held for a person,
            # with the rule's words, instead of an exception that leaves the body unread.
            _keep(self.result, quarantine(
                payload=self.payload, category=QuarantineItem.Category.SCHEMA,
                reason=f"no matter could be created from {biblio.application_number}: "
                + "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                fingerprint=f"create|payload:{self.payload.pk}|{biblio.application_number}",
            ))
            return None
        self.result.created_matters.append(matter.pk)
        return matter


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
    with ensure_attributed(reason="office data stored but not yet applied (pending-payload sweep)", process=PROCESS):
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


def _member_label(doc: Document) -> str:
    """``US 8131731 (application 96495207)``: how a family member not in the docket is reported."""
    apps, pubs = _typed_numbers(doc)
    label = f"{doc.office} {', '.join(sorted(n for n in pubs if n.startswith(doc.office))) or '?'}"
    return label + (f" (application {', '.join(sorted(apps))})" if apps else "")


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
    if not _same_office(payload, doc) and not doc.family_member:
        number = doc.biblio.application_number if doc.biblio else ", ".join(doc.numbers)
        return quarantine(
            payload=payload, category=QuarantineItem.Category.OUT_OF_SCOPE, matter=sole,
            reason=(f"the answer is a {doc.office} document ({number}), offered as {payload.office}: "
                    f"not docketed as {payload.office}"),
            fingerprint=f"office|{payload.office}|{doc.office}|{number}",
        )
    return None


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
    with transaction.atomic():
        unmapped = _record_events(payload, matter, events, table, result)
        if result.events_created:
            notify_events_recorded(matter_id=matter.pk)  # one recompute for the matter, on commit
            # An event a paralegal accepted from a document that the office now dates differently.
            result.reconciliation_open += reconcile_office_events(matter_id=matter.pk, payload=payload)
        for (office, source, code), items in unmapped.items():
            _keep(result, quarantine(
                payload=payload, category=QuarantineItem.Category.UNMAPPED_CODE, matter=matter,
                source=source, office_code=code,
                reason=f"{office} {source} code {code!r} ({items[0].text[:120]}) has no canonical event type",
                fingerprint=f"unmapped|{matter.pk}|{office}|{source}|{code}",
                details={"office": office, "events": [
                    {"date": iso(e.date), "text": e.text, "code": e.code, "discriminator": e.discriminator}
                    for e in items
                ]},
            ))
        if QuarantineItem.objects.filter(matter=matter, status=QuarantineItem.Status.OPEN,
                                         category=QuarantineItem.Category.UNMAPPED_CODE).exists():
            mapped_codes = {(event_office(e, matter), e.source, e.code_stripped) for e in events} - set(unmapped)
            for office, source, code in mapped_codes:
                _resolve_open(matter=matter, office=office, source=source, code=code, payload=payload)
        if doc.biblio is not None:
            _hold_unreadable_priorities(payload, matter, doc.biblio, result)
            result.quarantined += _link_parent(matter=matter, biblio=doc.biblio, payload=payload)
            recon = reconcile_matter(matter=matter, biblio=doc.biblio, payload=payload)
            result.reconciliation_open += recon.open
            result.quarantined += recon.quarantined
    return result


def _record_events(payload: OfficePayload, matter: Matter, events: list[Event], table: MappingTable,
                   result: IngestResult) -> dict[tuple[str, str, str], list[Event]]:
    """Record the mapped events (new or changed only); returns the unmapped ones by (office, source, code)."""
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
    for event in events:
        if event.date is None:
            continue  # information without a date (EPO PROL/ISAT): kept in the payload, not an event
        office = event_office(event, matter)
        event_type = table.lookup(office=office, source=event.source, code=event.code)
        if event_type is None:
            unmapped[(office, event.source, event.code_stripped)].append(event)
            continue
        if event.date > today_limit:
            _keep(result, quarantine(
                payload=payload, category=QuarantineItem.Category.MISMATCH, matter=matter,
                source=event.source, office_code=event.code,
                reason=f"{event.code_stripped} is dated {event.date.isoformat()}, after today",
                fingerprint=f"future|{matter.pk}|{event.source}|{event.code_stripped}|{event.date}|{event.discriminator}",
            ))
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
    return unmapped


def _hold_unreadable_priorities(payload: OfficePayload, matter: Matter, biblio: Biblio, result: IngestResult) -> None:
    for claim in biblio.priority_claims:
        if claim.country and len(claim.country) == 2:
            continue
        # An office name our table does not know (ODP writes names, not codes): the claim is held
        # for a person with the office's words, never dropped and never given a guessed country.
        _keep(result, quarantine(
            payload=payload, category=QuarantineItem.Category.SCHEMA, matter=matter,
            source="priority", office_code=(claim.office_name or "")[:40],
            reason=(f"priority claim {claim.number or '?'} of {iso(claim.date) or '?'} names the office "
                    f"{claim.office_name or '(none)'!r}, which has no ST.3 code in the table: not entered"),
            fingerprint=f"priority|{matter.pk}|{claim.office_name}|{claim.number}|{iso(claim.date)}",
            details={"office_name": claim.office_name, "number": claim.number, "date": iso(claim.date)},
        ))


def _direct_parents(matter: Matter, biblio: Biblio, relations: dict[str, str]) -> dict[str, tuple[str, str]]:
    """{normalized parent number: (number as written, Matter.Relation)} of the matter's own parents.

    ODP's parent bag holds the whole chain (grandparents included): only the links whose child is this
    matter's application are its parents.
    """
    out: dict[str, tuple[str, str]] = {}
    own = matter.application_number_normalized
    for link in biblio.continuity:
        if link.relation != "parent" or link.relation_code not in relations:
            continue
        child = normalized_number(matter.office, link.child_number) or link.child_number
        if own and child != own:
            continue
        number = normalized_number(matter.office, link.parent_number) or link.parent_number
        out[number] = (link.parent_number, relations[link.relation_code])
    return out


def _link_parent(*, matter: Matter, biblio: Biblio, payload: OfficePayload) -> list[QuarantineItem]:
    """The parent the office names (EP Register division, USPTO continuity) becomes the matter's parent link.

    Only a parent of the same client is linked. A parent not in the docket is kept on the matter as a
    relation with the parent's number (``parent_number``), never lost; another parent than the one the
    docket has, or several, is held for a person: never overwritten, never guessed.
    """
    known = OFFICES_BY_CODE.get(matter.office)
    parents = _direct_parents(matter, biblio, dict(known.parent_relations)) if known is not None else {}
    if not parents:
        return []
    (number, *others) = sorted(parents)
    written, relation = parents[number]
    found = list(Matter.objects.filter(client=matter.client, office=matter.office,
                                       application_number_normalized=number)[:2])
    current = matter.parent
    if not others and len(found) == 1 and current in (None, found[0]):
        if (current, matter.parent_relation, matter.parent_number) != (found[0], relation, ""):
            matter.parent, matter.parent_relation, matter.parent_number = found[0], relation, ""
            matter.full_clean(validate_unique=False, validate_constraints=False)
            matter.save(update_fields=["parent", "parent_relation", "parent_number", "updated_at"])
        return []
    if not others and not found and current is None:
        if (matter.parent_relation, matter.parent_number) != (relation, written):
            matter.parent_relation, matter.parent_number = relation, written[:40]
            matter.save(update_fields=["parent_relation", "parent_number", "updated_at"])
        return []
    label = Matter.Relation(relation).label.lower() if relation in Matter.Relation.values else relation
    reason = (f"{matter.reference} is a {label} of {', '.join(sorted(parents))} ({payload.office} office data), "
              + (f"but the docket links it to {current.reference}" if current is not None
                 else "and more than one parent or matter fits"))
    item = quarantine(payload=payload, category=QuarantineItem.Category.MISMATCH, matter=matter,
                      source="parent", reason=reason + ": the parent link was not set",
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


# --- deadline hooks, inline --------------------------------------------------------------------------------


@contextmanager
def recompute_inline() -> Iterator[set[int]]:
    """Collect the matters whose events changed instead of queueing recompute tasks (CLI, benchmarks).

    The caller recomputes the collected matters itself, in-process, after the ingest committed.
    """
    collected: set[int] = set()
    with events_committed_to(collected.add):
        yield collected


def ensure_inbox_client() -> Client:
    with ensure_attributed(reason="client for matters created from office data", process=PROCESS):
        client, _ = ensure_client(reference="UNASSIGNED", name="Unassigned (created from office data)")
    return client
