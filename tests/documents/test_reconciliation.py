"""An event accepted from a document that the office later reports with another date raises a reconciliation
item (and only then: the same date, or an earlier communication of the same type months away, raise nothing).
Accepting the office's date removes the document's event; ignoring keeps it."""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib

import pytest
from django.urls import reverse

from docketapp.audit import attributed
from patents.documents.service import accept_document, read_and_propose, receive_document
from patents.ingestion.apply import apply_document
from patents.models import Document, OfficeEvent, OfficePayload, ReconciliationItem
from patents.normalize import MappingTable
from patents.parsers.types import Document as ParsedDocument
from patents.parsers.types import Event
from tests.documents.builders import pdf, us_office_action

pytestmark = pytest.mark.django_db


def _office_reports(matter, *dates: dt.date) -> OfficePayload:
    """The USPTO ODP transactions feed reporting "MCTNF Mail Non-Final Rejection" on ``dates``, applied as the
    sync applies it."""
    body = b'{"transactions": "recorded for the test"}' + str(dates).encode()
    payload = OfficePayload.objects.create(
        office="US", kind="us-odp-transactions", endpoint="transactions", request_key=f"GET /{matter.pk}",
        request_hash=hashlib.sha256(body).hexdigest(), size=len(body), sha256=hashlib.sha256(body).hexdigest(),
        body=zlib.compress(body),
    )
    payload.matters.add(matter)
    doc = ParsedDocument(office="US", biblio=None, events=[
        Event(office="US", source="odp-transaction", code="MCTNF", date=d, text="Mail Non-Final Rejection",
              discriminator="") for d in dates])
    with attributed(reason="office sync (test)", process="sync"):
        apply_document(payload=payload, matter=matter, doc=doc, table=MappingTable.load())
    return payload


def _accepted(docket, mailed: str = "03/04/2025") -> Document:
    received = receive_document(data=pdf([us_office_action(mailed=mailed)]), filename="oa.pdf",
                                matter=docket["matter"], user=docket["pat"])
    document = read_and_propose(document_id=received.document.pk)
    accept_document(document=document, user=docket["pat"])
    document.refresh_from_db()
    return document


def test_the_office_reporting_the_documents_event_with_another_date_raises_an_item(docket):
    document = _accepted(docket)
    assert document.event.date == dt.date(2025, 3, 4)
    _office_reports(docket["matter"], dt.date(2025, 3, 6))
    item = ReconciliationItem.objects.get()
    assert (item.field, item.subject, item.docket_value, item.office_value, item.status) == (
        "event_date", "US.NON_FINAL_REJECTION", "2025-03-04", "2025-03-06", "open")


def test_a_document_accepted_after_the_office_reported_another_date_raises_it_too(docket):
    _office_reports(docket["matter"], dt.date(2025, 3, 6))
    _accepted(docket)
    assert ReconciliationItem.objects.get().office_value == "2025-03-06"


@pytest.mark.parametrize("office_dates", [
    pytest.param((dt.date(2025, 3, 4),), id="same-date"),
    pytest.param((dt.date(2024, 6, 20),), id="an-earlier-action-months-before"),
    pytest.param((dt.date(2024, 6, 20), dt.date(2025, 3, 4)), id="earlier-action-and-this-one"),
])
def test_no_item_when_the_office_agrees_or_reports_another_communication(docket, office_dates):
    _accepted(docket)
    _office_reports(docket["matter"], *office_dates)
    assert not ReconciliationItem.objects.exists()


def test_accepting_the_office_date_removes_the_documents_event_and_ignoring_keeps_it(client, docket):
    document = _accepted(docket)
    _office_reports(docket["matter"], dt.date(2025, 3, 6))
    item = ReconciliationItem.objects.get()
    client.force_login(docket["pat"])
    page = client.get(reverse("patents:reconciliation-review")).content.decode()
    assert "US.NON_FINAL_REJECTION" in page and "2025-03-06" in page
    client.post(reverse("patents:reconciliation-decide", args=[item.pk]), {"action": "accept"})
    item.refresh_from_db()
    assert item.status == "accepted"
    events = OfficeEvent.objects.filter(matter=docket["matter"])
    assert [(e.source, e.date) for e in events] == [("office", dt.date(2025, 3, 6))]
    document.refresh_from_db()
    assert document.event is None and "the office dates this event 2025-03-06" in document.status_reason
    assert "reconciliation: accepted office value" in document.history.latest().history_change_reason


def test_ignoring_keeps_the_documents_date(client, docket):
    _accepted(docket)
    _office_reports(docket["matter"], dt.date(2025, 3, 6))
    item = ReconciliationItem.objects.get()
    client.force_login(docket["pat"])
    client.post(reverse("patents:reconciliation-decide", args=[item.pk]),
                {"action": "ignore", "note": "the envelope shows 4 March"})
    assert OfficeEvent.objects.filter(source="document", date=dt.date(2025, 3, 4)).exists()
    _office_reports(docket["matter"], dt.date(2025, 3, 6), dt.date(2025, 3, 7))  # the office says it again
    assert not ReconciliationItem.objects.filter(status="open").exists()
