"""An event accepted from a document that the office later reports with another date: a ReconciliationItem.

Which office event is "the same event"? One of the same event type on the same matter, the nearest in date
within ``WINDOW``: the same communication misread (or mis-dated by the sender) is days or weeks off, while an
earlier communication of the same type (a first and a second Art. 94(3) letter) is months away. When the
office holds an event of that type on exactly the document's date, the two agree and nothing is raised.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from ..models import OfficeEvent, OfficePayload, ReconciliationItem

WINDOW = dt.timedelta(days=60)
FIELD = ReconciliationItem.Field.EVENT_DATE


def _office_twin(event: OfficeEvent) -> OfficeEvent | None:
    """The office's report of the event ``event`` (read from a document) if it gives another date, else None."""
    office = list(OfficeEvent.objects.filter(
        matter_id=event.matter_id, source=OfficeEvent.Source.OFFICE, event_type_id=event.event_type_id,
        date__gte=event.date - WINDOW, date__lte=event.date + WINDOW,
    ).order_by("date", "pk"))
    if not office or any(o.date == event.date for o in office):
        return None
    return min(office, key=lambda o: (abs((o.date - event.date).days), o.pk))


def _raise(event: OfficeEvent, twin: OfficeEvent, payload: OfficePayload) -> bool:
    code = event.event_type.code
    docket, office = event.date.isoformat(), twin.date.isoformat()
    existing = ReconciliationItem.objects.filter(matter_id=event.matter_id, field=FIELD, subject=code)
    if existing.filter(status=ReconciliationItem.Status.IGNORED, docket_value=docket, office_value=office).exists():
        return False  # a person decided the document is right while the office keeps saying this
    open_item = existing.filter(status=ReconciliationItem.Status.OPEN).first()
    if open_item is not None:
        if (open_item.docket_value, open_item.office_value) != (docket, office):
            open_item.docket_value, open_item.office_value, open_item.payload = docket, office, payload
            open_item.save(update_fields=["docket_value", "office_value", "payload"])
        return True
    try:
        with transaction.atomic():
            ReconciliationItem.objects.create(
                matter_id=event.matter_id, field=FIELD, subject=code, docket_value=docket, office_value=office,
                office=payload.office, payload=payload,
            )
    except IntegrityError:
        pass  # raised by a concurrent sync of the same matter
    return True


def reconcile_document_event(*, event: OfficeEvent, payload: OfficePayload | None = None) -> bool:
    """Check one event accepted from a document against the office's events (runs in the caller's
    transaction and attribution). ``payload``: the office answer that reported it; by default the matter's
    latest. True when an item is open for it."""
    twin = _office_twin(event)
    if twin is None:
        return False
    payload = payload or OfficePayload.objects.filter(matters=event.matter_id).order_by("-fetched_at", "-pk").first()
    if payload is None:
        return False  # an office event with no office answer behind it was typed in: nothing to reconcile with
    return _raise(event, twin, payload)


def reconcile_office_events(*, matter_id: int, payload: OfficePayload) -> int:
    """After an office answer recorded new events for a matter: every event accepted from a document that
    the office now dates differently opens an item. Returns how many are open."""
    events = OfficeEvent.objects.filter(matter_id=matter_id, source=OfficeEvent.Source.DOCUMENT).select_related(
        "event_type")
    return sum(reconcile_document_event(event=e, payload=payload) for e in events)


def accept_office_date(*, item: ReconciliationItem) -> list[str]:
    """The office's date stands: the events read from documents with the other date are removed (with
    history; the office's own event already carries the deadlines). Runs in the caller's attribution."""
    from ..models import Document
    from ..signals import send_office_events_changed

    removed = OfficeEvent.objects.filter(
        matter_id=item.matter_id, source=OfficeEvent.Source.DOCUMENT, event_type__code=item.subject,
        date=dt.date.fromisoformat(str(item.docket_value)),
    )
    names = []
    for event in removed:
        for document in Document.objects.filter(event=event):
            document.status_reason = (f"{document.status_reason} — " if document.status_reason else "") + (
                f"the office dates this event {item.office_value}: its event replaces the document's")
            document.event = None
            document.save(update_fields=["status_reason", "event"])
        names.append(str(event))
        event.delete()
    if names:
        send_office_events_changed(item.matter_id)
    return names
