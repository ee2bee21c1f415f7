"""Documents on a matter: receive (store once), read and propose, accept or reject — every step attributed.

The reading itself (text, OCR, extraction) is ``patents.documents.reading`` / ``extraction``; this module
decides what happens with the result. Nothing is dropped: a file that cannot be read is kept as *refused*
with the reason, a file in which nothing was recognised as *nothing recognised*; both wait in the review
queue with the proposals until a person decides.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from docketapp.audit import attributed, set_change_reason

from ..models import Document, EventType, Matter, OfficeEvent
from ..numbers import InvalidNumber, normalize_application_number, office_code_from_name
from ..services import record_office_event
from . import storage
from .storage import FileRefused

log = logging.getLogger(__name__)
PROCESS = "documents"
LOW_CONFIDENCE = 0.8  # fields below are highlighted on the review page
ACCEPTABLE = (Document.Status.PROPOSED, Document.Status.NOTHING_RECOGNISED)

__all__ = ["FileRefused", "Received", "accept_document", "fail_stuck_readings", "read_again", "read_and_propose",
           "receive_document", "reject_document"]
SWEEP_PROCESS = "documents.stuck_reading_sweep"
STUCK_REASON = "reading did not finish: the worker stopped or the time limit was hit"
STUCK_MARGIN_S = 60


@dataclass(frozen=True)
class Received:
    document: Document
    created: bool
    filename: str = ""  # as this upload named it (a duplicate may come under another name)

    @property
    def message(self) -> str:
        name = self.filename or self.document.file_name
        if self.created:
            return f"{name} received as document {self.document.pk}"
        where = f" ({self.document.matter.reference})" if self.document.matter is not None else ""
        return f"{name} was already received as document {self.document.pk}{where}"


def same_file(digest: str, *, matter: Matter | None, user=None) -> Document | None:
    """The document the receiver already has with these bytes, looked up only where the receiver may look.

    On a matter: the documents of that matter's client (its staff see all of them). Without a matter: the
    uploader's own documents without a matter (the only ones of those they can see); for the process (the
    command, run by an operator who sees the whole docket) any document. Never another client's: telling
    client B "already received as document N" about client A's file leaks A's document and refuses B's upload.
    """
    found = Document.objects.filter(sha256=digest).select_related("matter")
    if matter is not None:
        found = found.filter(client_id=matter.client_id, matter__client_id=matter.client_id)
    elif user is not None:
        found = found.filter(matter__isnull=True, uploaded_by=user)
    return found.order_by("pk").first()


def receive_document(*, data: bytes, filename: str, source: str = Document.Source.UPLOAD, user=None,
                     matter: Matter | None = None, read_later: bool = False) -> Received:
    """Take a file in: checked (type from the bytes, size), stored, recorded.

    ``FileRefused`` when it is not taken in (nothing is stored). The same bytes again *in the same scope*
    (``same_file``) return the document already received (``created`` False); another client with the same
    bytes gets its own document. The bytes themselves are kept once under their SHA-256 whoever has them
    (the storage is private; each document row is what is shown, and only to who may see it).
    ``read_later`` queues the reading task once the row is committed.
    """
    content_type = storage.check_file(data, filename=filename, max_bytes=settings.DOCUMENT_MAX_BYTES)
    digest = storage.sha256(data)
    existing = same_file(digest, matter=matter, user=user)
    if existing is not None:
        return Received(existing, created=False, filename=filename)
    name, written = storage.store_bytes(data, digest=digest, content_type=content_type)
    where = f" for {matter.reference}" if matter is not None else ""
    try:
        with transaction.atomic(), attributed(reason=f"document received{where}: {filename[:120]}", user=user,
                                              process=None if user is not None else PROCESS):
            document = Document(
                matter=matter, sha256=digest, storage_name=name, file_name=filename[-255:], size=len(data),
                content_type=content_type, source=source, uploaded_by=user,
            )
            document.save()
    except IntegrityError:
        # Another upload of the same bytes in the same scope won the race: theirs is the document.
        existing = same_file(digest, matter=matter, user=user)
        if existing is None:  # not one this receiver may be told about: say nothing of it
            raise FileRefused(f"{filename} could not be taken in just now; upload it again")
        return Received(existing, created=False, filename=filename)
    except BaseException:
        # Nothing half-written: no row, and no file unless another document uses the same bytes.
        if written and not Document.objects.filter(storage_name=name).exists():
            storage.discard(name)
        raise
    if read_later:
        from .tasks import read_document_task

        read_document_task.delay_on_commit(document.pk)
    return Received(document, created=True, filename=filename)


# --- reading ------------------------------------------------------------------------------------------------


def _reading_json(reading: Any) -> dict:
    return {
        "content_type": reading.content_type,
        "ocr_used": reading.ocr_used,
        "warnings": list(reading.warnings),
        "pages": [
            {"number": p.number, "text": p.text, "ocr": p.ocr, "width": p.width, "height": p.height,
             "words": [[w.text, w.confidence, list(w.bbox) if w.bbox else None] for w in p.words]}
            for p in reading.pages
        ],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def extraction_json(extraction: Any) -> dict:
    """The proposal as stored: the --json contract's fields plus every field (flat: ``date:<name>`` for the
    dates) with its confidence and evidence, for the review page."""
    names = ("office", "document_type", "application_number", "references", "period_months", "period_days")
    fields = {name: getattr(extraction, name).as_json() for name in names if hasattr(extraction, name)}
    fields.update({f"date:{name}": f.as_json() for name, f in extraction.dates.items()})
    return {
        "summary": _plain(extraction.as_json()),
        "fields": fields,
        "proposed_event": _plain(extraction.proposed_event),
        "confidence": extraction.confidence,
        "recognised": extraction.recognised,
        "warnings": [],
    }


def find_matter(*, office: str | None, number: str | None, uploader=None) -> tuple[Matter | None, str]:
    """The one matter the document's application number names, or (None, why not).

    Canonical number against canonical number at the same office (a PCT number only finds a WO matter, a
    US number a US matter), as the office sync matches its answers; never a guess between several. A file a
    user uploaded is only matched among the matters that user can see (else their document would land on
    another client's matter); the process (the command) looks at the whole docket."""
    if not number:
        return None, "the document names no application number"
    code = office_code_from_name(office) if office else None
    candidates = Matter.objects.visible_to(uploader) if uploader is not None else Matter.objects.all()
    if code:
        try:
            number = normalize_application_number(code, number)
        except InvalidNumber:
            pass
        candidates = candidates.filter(office=code)
    found = list(candidates.filter(application_number_normalized=number)[:2])
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, f"no matter in the docket has application number {number}" + (f" ({code})" if code else "")
    return None, f"several matters have application number {number}: choose one"


def _other_number(matter: Matter, number: str) -> list[str]:
    """A warning when a document uploaded to ``matter`` names another application number (shown on review)."""
    try:
        names = normalize_application_number(matter.office, number)
    except InvalidNumber:
        names = number
    if names == matter.application_number_normalized:
        return []
    return [f"the document names application number {number}, but it was uploaded to {matter.reference} "
            f"({matter.application_number or 'no number'})"]


@dataclass(frozen=True)
class Twin:
    pk: int
    reference: str


def _twin_in_client(document: Document, matter: Matter | None) -> Twin | None:
    """Another document of ``matter``'s client with the same bytes (the per-client constraint's case)."""
    if matter is None:
        return None
    twin = (Document.objects.filter(client_id=matter.client_id, sha256=document.sha256, matter__isnull=False)
            .exclude(pk=document.pk).values_list("pk", "matter__reference").first())
    return Twin(*twin) if twin is not None else None


def _claim_for_reading(document_id: int) -> Document | None:
    with transaction.atomic(), attributed(reason="document: reading started", process=PROCESS):
        document = Document.objects.select_for_update().get(pk=document_id)
        # READING again: the worker that read it before died (the task is acknowledged late); read it anew.
        if document.status not in (Document.Status.RECEIVED, Document.Status.READING):
            return None
        document.status = Document.Status.READING
        document.reading_started_at = timezone.now()  # the stuck-reading sweep's clock starts (again) here
        document.save(update_fields=["status", "reading_started_at"])
    return document


def _finish(document: Document, *, reason: str, **values: Any) -> Document:
    with transaction.atomic(), attributed(reason=reason, process=PROCESS):
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status != Document.Status.READING:
            return locked  # decided meanwhile (or read by another worker): theirs stands
        for name, value in values.items():
            setattr(locked, name, value)
        locked.read_at = timezone.now()
        locked.save(update_fields=[*values, "read_at"])
    return locked


def _read(document: Document) -> tuple[Any, Any]:
    from .extraction import extract
    from .reading import read_document

    data = storage.read_bytes(document.storage_name)
    reading = read_document(data, filename=document.file_name, max_pages=settings.DOCUMENT_MAX_PAGES,
                            time_limit_s=float(settings.DOCUMENT_OCR_TIME_LIMIT))
    return reading, extract(reading)


def read_and_propose(*, document_id: int) -> Document:
    """Read the document, store the text and the proposal, and put it in the review queue (idempotent).

    Refused (encrypted, corrupt, too many pages …): kept as REFUSED with the reader's reason. Nothing
    recognised: NOTHING_RECOGNISED. Otherwise PROPOSED, matched to the matter its application number names
    when it has none yet (else it waits in review for a person to choose)."""
    from celery.exceptions import SoftTimeLimitExceeded

    from .reading import DocumentRefused

    document = _claim_for_reading(document_id)
    if document is None:
        return Document.objects.get(pk=document_id)
    try:
        reading, extraction = _read(document)
    except DocumentRefused as exc:
        return _finish(document, reason=f"document refused: {exc}", status=Document.Status.REFUSED,
                       status_reason=str(exc))
    except SoftTimeLimitExceeded:
        why = f"reading took longer than {settings.DOCUMENT_OCR_SOFT_TIME_LIMIT} s (DOCUMENT_OCR_SOFT_TIME_LIMIT)"
        return _finish(document, reason=f"document refused: {why}", status=Document.Status.REFUSED, status_reason=why)
    except Exception as exc:  # a reader bug must not lose the document: it is listed, with what went wrong
        log.exception("document %s could not be read", document.pk)
        why = f"the file could not be read ({type(exc).__name__}: {str(exc)[:200]})"
        return _finish(document, reason=f"document refused: {why}", status=Document.Status.REFUSED, status_reason=why)
    stored = extraction_json(extraction)
    values: dict[str, Any] = {"reading": _reading_json(reading), "extraction": stored, "pages": len(reading.pages),
                              "ocr_used": reading.ocr_used}
    number = extraction.application_number.value
    if document.matter is None:
        matter, why = find_matter(office=extraction.office.value, number=number, uploader=document.uploaded_by)
        twin = _twin_in_client(document, matter)
        if twin is not None:
            # The client already has these bytes: one document per file and client, so this one stays without
            # a matter for a person to close (the uploader could see that matter, so may be told).
            matter, why = None, (f"the same file is already document {twin.pk} of {twin.reference}: "
                                 "decide that one and reject this one as a duplicate")
        values["matter"] = matter
        values["status_reason"] = why if extraction.recognised or twin is not None else ""
    elif number:
        stored["warnings"] += _other_number(document.matter, number)
    if extraction.recognised:
        values["status"] = Document.Status.PROPOSED
        reason = "document read: proposal waiting for review"
    else:
        values["status"] = Document.Status.NOTHING_RECOGNISED
        values["status_reason"] = "nothing could be recognised in this document"
        reason = "document read: nothing recognised"
    return _finish(document, reason=reason, **values)


# --- readings that never finished ---------------------------------------------------------------------------


def reading_stale_after() -> dt.timedelta:
    """How long a document may be "being read" before its reading counts as lost.

    The task's hard time limit (a live reading is killed by then), plus the broker's visibility timeout (a
    worker killed outright has its late-acked message redelivered after it, and the new reading restarts the
    clock), plus a margin. A reading killed by the hard limit is not redelivered (Celery acks a timed-out
    task): without this sweep it would say "being read" for ever."""
    visibility = float((getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}).get("visibility_timeout", 600))
    return dt.timedelta(seconds=settings.DOCUMENT_OCR_HARD_TIME_LIMIT + visibility + STUCK_MARGIN_S)


def fail_stuck_readings(*, stale_after: dt.timedelta | None = None) -> list[int]:
    """Mark documents whose reading started longer ago than ``stale_after`` and never finished as FAILED,
    with the reason, attributed to the sweep. They stay in the review queue (an open status) with a "Read
    again" button; nothing is dropped. Returns their ids."""
    if stale_after is None:
        stale_after = reading_stale_after()
    cutoff = timezone.now() - stale_after
    stale = Q(reading_started_at__lt=cutoff) | Q(reading_started_at__isnull=True, received_at__lt=cutoff)
    minutes = max(1, round(stale_after.total_seconds() / 60))
    failed = []
    for pk in Document.objects.filter(stale, status=Document.Status.READING).values_list("pk", flat=True):
        why = (f"{STUCK_REASON} (no result {minutes} minutes after the reading started; the limit is "
               f"DOCUMENT_OCR_HARD_TIME_LIMIT = {settings.DOCUMENT_OCR_HARD_TIME_LIMIT} s). Read it again, or "
               "enter the event from the file yourself.")
        with transaction.atomic(), attributed(reason=f"document {pk}: {STUCK_REASON}", process=SWEEP_PROCESS):
            # Re-checked under the lock: a redelivered task may have taken it up again this very moment.
            document = (Document.objects.select_for_update(skip_locked=True)
                        .filter(stale, pk=pk, status=Document.Status.READING).first())
            if document is None:
                continue
            document.status, document.status_reason = Document.Status.FAILED, why
            document.save(update_fields=["status", "status_reason"])
        log.warning("document %s: %s", pk, STUCK_REASON)
        failed.append(pk)
    return failed


def read_again(*, document: Document, user) -> Document:
    """Send a document whose reading failed, was refused or found nothing back to be read (queued once the
    change is committed), by a user who may see and decide it; the history names them."""
    with transaction.atomic():
        with attributed(reason=f"document {document.pk}: read again", user=user):
            locked = _open_for(user, document, statuses=tuple(Document.Status))
            was = locked.get_status_display().lower()
            if not locked.can_be_read_again:
                raise ValidationError(f"document {locked.pk} is {was}: only a document whose reading failed, was "
                                      "refused or found nothing is read again")
            set_change_reason(locked, f"document {locked.pk}: read again (was {was})")
            locked.status, locked.status_reason, locked.reading_started_at = Document.Status.RECEIVED, "", None
            locked.save(update_fields=["status", "status_reason", "reading_started_at"])
        from .tasks import read_document_task

        read_document_task.delay_on_commit(locked.pk)
    return locked


# --- review ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """The event a document proposes, with the reviewer's corrections applied (what accepting records)."""

    code: str
    date: dt.date | None
    period_months: int | None
    page: int | None
    params: dict

    @classmethod
    def of(cls, document: Document, corrections: dict[str, str] | None = None) -> Proposal:
        stored = document.extraction or {}
        event = stored.get("proposed_event") or {}
        fields = stored.get("fields") or {}
        corrections = {k: (v or "").strip() for k, v in (corrections or {}).items()}
        code = corrections.get("code") or event.get("code") or ""
        raw_date = corrections.get("date") or event.get("date") or ""
        try:
            date = dt.date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            raise ValidationError(f"{raw_date!r} is not a date (YYYY-MM-DD)")
        raw_period = corrections.get("period_months") or (fields.get("period_months") or {}).get("value")
        try:
            period = int(str(raw_period)) if raw_period not in (None, "") else None
        except (TypeError, ValueError):
            raise ValidationError(f"{raw_period!r} is not a number of months")
        if period is not None and not 0 < period <= 60:
            raise ValidationError(f"a period of {period} months is not plausible")
        page = None
        for name in ("document_type", "date:mailing", "application_number"):
            evidence = (fields.get(name) or {}).get("evidence")
            if evidence and evidence.get("page"):
                page = int(evidence["page"])
                break
        dated = [f for n, f in fields.items() if n.startswith("date:") and f.get("value") == raw_date]
        if dated and (dated[0].get("evidence") or {}).get("page"):
            page = int(dated[0]["evidence"]["page"])
        params = dict(event.get("params") or {})
        if period is not None:
            params["period_months"] = period
        return cls(code=code, date=date, period_months=period, page=page, params=params)


def _open_for(user, document: Document, *, statuses=ACCEPTABLE) -> Document:
    locked = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
    # The service is the guard, not only the page.
    if not Document.objects.visible_to(user).filter(pk=locked.pk).exists():
        raise PermissionDenied("this document is not one you can decide")
    if not user.has_perm("patents.change_document"):
        raise PermissionDenied("you may not decide documents")
    if locked.status not in statuses:
        raise ValidationError(f"document {locked.pk} is {locked.get_status_display().lower()}: nothing to decide")
    return locked


def accept_document(*, document: Document, user, corrections: dict[str, str] | None = None,
                    matter: Matter | None = None, note: str = "") -> OfficeEvent:
    """Record the proposed office event (with the reviewer's corrections) from the document.

    The event's source is "document", its params name the document and page; the deadlines follow through
    the normal event path (``record_office_event``'s signal). Returns the event."""
    baseline = Proposal.of(document)
    proposed = {"code": baseline.code, "date": baseline.date.isoformat() if baseline.date else "",
                "period_months": str(baseline.period_months or "")}
    # Only what the reviewer changed counts as a correction (the form sends the proposal back as it stands).
    corrected = {k: v.strip() for k, v in (corrections or {}).items()
                 if (v or "").strip() and v.strip() != proposed.get(k, "")}
    reason = f"document {document.pk}: proposal accepted"
    reason += f" with corrections {sorted(corrected)}" if corrected else ""
    reason += f" ({note.strip()})" if note.strip() else ""
    with transaction.atomic(), attributed(reason=reason, user=user):
        document = _open_for(user, document)
        target = matter or document.matter
        if target is None:
            raise ValidationError("choose the matter this document belongs to")
        if not Matter.objects.visible_to(user).filter(pk=target.pk).exists():
            raise PermissionDenied("this matter is not one you can see")
        proposal = Proposal.of(document, corrected)
        if not proposal.code:
            raise ValidationError("choose the event the document is")
        if proposal.date is None:
            raise ValidationError("give the date of the document's event")
        event_type = EventType.objects.filter(code=proposal.code).first()
        if event_type is None:
            raise ValidationError(f"{proposal.code} is not a known event type")
        twin = _twin_in_client(document, target)
        if twin is not None:
            raise ValidationError(f"the same file is already document {twin.pk} of {twin.reference}: "
                                  "decide that one, and reject this one as a duplicate")
        if event_type.office != target.office:
            raise ValidationError(f"{proposal.code} is an event of {event_type.office}, but {target.reference} is a "
                                  f"{target.office} matter")
        params = {**proposal.params, "document": document.pk}
        if proposal.page:
            params["document_page"] = proposal.page
        where = f", page {proposal.page}" if proposal.page else ""
        try:
            event, _ = record_office_event(
                matter=target, event_type=event_type, office_code=f"DOC.{event_type.code}"[:40], date=proposal.date,
                office_text=f"from document {document.pk} ({document.file_name}){where}",
                source=OfficeEvent.Source.DOCUMENT, discriminator=f"document:{document.pk}", params=params,
            )
        except ValidationError as exc:
            raise ValidationError(f"the event cannot be recorded: {'; '.join(exc.messages)}")
        document.matter, document.event, document.corrections = target, event, corrected
        document.status, document.status_reason = Document.Status.ACCEPTED, note.strip()
        document.decided_by, document.decided_at = user, timezone.now()
        document.save(update_fields=["matter", "event", "corrections", "status", "status_reason", "decided_by",
                                     "decided_at"])
        from .reconcile import reconcile_document_event

        reconcile_document_event(event=event)
    return event


def reject_document(*, document: Document, user, reason: str) -> Document:
    """Close the document without recording anything, with the reason (kept in the history)."""
    if not reason.strip():
        raise ValidationError("say why the document is rejected")
    with transaction.atomic(), attributed(reason=f"document {document.pk}: rejected ({reason.strip()})", user=user):
        document = _open_for(user, document, statuses=Document.OPEN_STATUSES)
        document.status, document.status_reason = Document.Status.REJECTED, reason.strip()
        document.decided_by, document.decided_at = user, timezone.now()
        document.save(update_fields=["status", "status_reason", "decided_by", "decided_at"])
    return document
