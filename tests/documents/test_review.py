"""Review, never silent: every proposal waits for a person, who accepts it (the event is recorded with source
"document", the deadlines follow and say which document and page they come from), corrects a field first,
or rejects it with a reason. Low-confidence fields are highlighted; unreadable and unrecognised documents
are listed as such."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from deadlines.explanation import explain_deadline, render_text
from deadlines.models import Deadline
from deadlines.services import recompute_deadlines
from patents.documents.service import read_and_propose, receive_document
from patents.models import Document, OfficeEvent
from tests.documents.builders import encrypted_pdf, pdf, scan, us_office_action

pytestmark = pytest.mark.django_db


def _proposed(docket, data: bytes, filename: str = "oa.pdf") -> Document:
    received = receive_document(data=data, filename=filename, matter=docket["matter"], user=docket["pat"])
    return read_and_propose(document_id=received.document.pk)


def _decide(client, document, **data):
    return client.post(reverse("patents:document-decide", args=[document.pk]), data, follow=True)


def test_accepting_records_the_event_from_the_document_and_its_deadline_names_document_and_page(client, docket):
    """37 CFR 1.134: the shortened statutory period (3 months) runs from the mailing date read from the page."""
    document = _proposed(docket, pdf([us_office_action()]))
    client.force_login(docket["pat"])
    page = client.get(reverse("patents:document-review", args=[document.pk])).content.decode()
    assert "US.NON_FINAL_REJECTION" in page and "NOTIFICATION DATE 03/04/2025" in page  # the evidence snippet
    assert f'src="{reverse("patents:document-page", args=[document.pk, 1])}"' in page
    response = _decide(client, document, action="accept", code="US.NON_FINAL_REJECTION", date="2025-03-04",
                       period_months="3")
    assert "US.NON_FINAL_REJECTION of Tue 4 Mar 2025 recorded on ACME-001" in response.content.decode()
    event = OfficeEvent.objects.get()
    assert (event.source, event.date, event.matter) == ("document", dt.date(2025, 3, 4), docket["matter"])
    assert event.params == {"period_months": 3, "document": document.pk, "document_page": 1}
    document.refresh_from_db()
    assert (document.status, document.event, document.decided_by) == ("accepted", event, docket["pat"])
    assert document.corrections == {}
    assert event.history.earliest().history_user == docket["pat"]
    # The normal event path: the matter is marked for recompute; the worker's recompute makes the deadline.
    recompute_deadlines(matter=docket["matter"], reason="test: the worker's recompute")
    deadline = Deadline.objects.get(matter=docket["matter"], trigger_event=event, rule_id__startswith="US.")
    assert deadline.due_date == dt.date(2025, 6, 4)
    assert f"from document {document.pk}, page 1" in render_text(explain_deadline(deadline), deadline=deadline)
    detail = client.get(deadline.get_absolute_url()).content.decode()
    assert f"from document {document.pk}, page 1" in detail


def test_a_corrected_field_is_what_gets_recorded_and_the_correction_is_kept(client, docket):
    document = _proposed(docket, pdf([us_office_action()]))
    client.force_login(docket["pat"])
    _decide(client, document, action="accept", code="US.NON_FINAL_REJECTION", date="2025-03-05", period_months="3",
            note="the stamp on the envelope")
    event = OfficeEvent.objects.get()
    assert event.date == dt.date(2025, 3, 5)
    document.refresh_from_db()
    assert document.corrections == {"date": "2025-03-05"}
    reason = document.history.latest().history_change_reason
    assert "proposal accepted with corrections ['date'] (the stamp on the envelope)" in reason


def test_rejecting_needs_a_reason_and_records_nothing(client, docket):
    document = _proposed(docket, pdf([us_office_action()]))
    client.force_login(docket["pat"])
    assert "say why the document is rejected" in _decide(client, document, action="reject", note="").content.decode()
    _decide(client, document, action="reject", note="a copy of the 2024 action, already docketed")
    document.refresh_from_db()
    assert (document.status, document.status_reason) == ("rejected", "a copy of the 2024 action, already docketed")
    assert not OfficeEvent.objects.exists()
    assert not Document.objects.waiting_for_review().exists()


def test_a_user_who_may_only_read_cannot_decide(client, docket):
    document = _proposed(docket, pdf([us_office_action()]))
    client.force_login(docket["reader"])
    page = client.get(reverse("patents:document-review", args=[document.pk])).content.decode()
    assert 'id="decide"' not in page
    _decide(client, document, action="accept", code="US.NON_FINAL_REJECTION", date="2025-03-04")
    assert not OfficeEvent.objects.exists()
    document.refresh_from_db()
    assert document.status == "proposed"


def test_an_unmatched_document_is_accepted_on_the_matter_the_reviewer_chooses(client, docket, settings):
    received = receive_document(data=pdf([us_office_action(number="16/555,444")]), filename="oa.pdf",
                                user=docket["pat"])
    document = read_and_propose(document_id=received.document.pk)
    assert document.matter is None
    client.force_login(docket["pat"])
    page = client.get(reverse("patents:document-review", args=[document.pk])).content.decode()
    assert "no matter in the docket has application number 16555444" in page and 'name="matter"' in page
    assert "BETA-001" not in page  # only the reviewer's own matters are offered
    answer = _decide(client, document, action="accept", matter=str(docket["other"].pk),
                     code="US.NON_FINAL_REJECTION", date="2025-03-04").content.decode()
    assert "choose one of your matters" in answer and not OfficeEvent.objects.exists()
    _decide(client, document, action="accept", matter=str(docket["matter"].pk), code="US.NON_FINAL_REJECTION",
            date="2025-03-04")
    assert OfficeEvent.objects.get().matter == docket["matter"]


def test_the_queue_lists_proposals_unrecognised_and_refused_documents_with_their_reasons(client, docket):
    proposed = _proposed(docket, pdf([us_office_action()]))
    nothing = _proposed(docket, pdf([["Dear Sir, thank you for your letter of 3 May.", "Kind regards"]]), "l.pdf")
    refused = _proposed(docket, encrypted_pdf(us_office_action()), "locked.pdf")
    assert (proposed.status, nothing.status, refused.status) == ("proposed", "nothing_recognised", "refused")
    client.force_login(docket["pat"])
    queue = client.get(reverse("patents:document-queue")).content.decode()
    for document in (proposed, nothing, refused):
        assert f'id="d{document.pk}"' in queue
    assert "Nothing recognised" in queue and "nothing could be recognised in this document" in queue
    assert refused.status_reason in queue
    page = client.get(reverse("patents:document-review", args=[nothing.pk])).content.decode()
    assert "Nothing could be recognised in this document." in page


def test_low_confidence_fields_of_a_scan_are_highlighted_beside_the_page_image(client, docket):
    document = _proposed(docket, scan(us_office_action()), "scan.png")
    assert document.ocr_used and document.status == "proposed"
    number = document.extraction["fields"]["application_number"]
    assert number["value"] == "17123456"
    client.force_login(docket["pat"])
    page = client.get(reverse("patents:document-review", args=[document.pk])).content.decode()
    low = [name for name, f in document.extraction["fields"].items()
           if f["value"] is not None and f["confidence"] < 0.8]
    assert low, "a 300 dpi scan read by OCR has at least one field below 0.8"
    assert page.count("<mark ") == len(low)
    image = client.get(reverse("patents:document-page", args=[document.pk, 1]))
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
