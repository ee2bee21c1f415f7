"""In a real browser: a paralegal uploads a scanned office action on the matter page, opens the proposal in
the review queue (page image beside the fields), and accepts it; the event and its deadline appear."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlines.models import Deadline
from deadlines.services import recompute_deadlines
from patents.models import Document, OfficeEvent
from tests.browser.test_dashboard_flow import log_in
from tests.documents.builders import scan, us_office_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def docket(db, settings, tmp_path):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from docketapp.audit import attributed
    from patents.models import Client, Matter, TeamMembership
    from patents.normalize import seed_code_mappings
    from tests.browser.demo import PASSWORD

    seed_code_mappings()  # the seeded event types (an earlier transactional test may have flushed them)
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "docs")}}}
    with attributed(reason="browser test set-up", process="tests"):
        client = Client.objects.create(reference="ACME", name="Acme Batteries GmbH")
        matter = Matter.objects.create(client=client, reference="ACME-US-07", office="US", title="Lattice anode",
                                       application_number="17/123,456", filing_date=dt.date(2021, 3, 15))
        user = get_user_model().objects.create_user("paula", "paula@example.com", PASSWORD)
        user.user_permissions.set(Permission.objects.filter(codename__in=["add_document", "change_document"]))
        TeamMembership.objects.create(user=user, client=client, role=TeamMembership.Role.PARALEGAL)
    return matter


def test_upload_a_scanned_office_action_and_accept_the_proposed_event(live_server, open_page, artifacts, docket,
                                                                       tmp_path, monkeypatch):
    from playwright.sync_api import expect

    from patents.documents import tasks
    from patents.documents.service import read_and_propose

    queued: list[int] = []
    # The worker's part: the upload queues the reading task; the test runs it (the real reader, OCR included)
    # where a worker would. tests/documents/test_worker.py proves the same with a real worker.
    monkeypatch.setattr(tasks.read_document_task, "delay_on_commit", queued.append)
    scanned = tmp_path / "office-action.png"
    scanned.write_bytes(scan(us_office_action()))
    page = open_page()
    log_in(page, live_server.url, "paula")
    page.goto(live_server.url + docket.get_absolute_url())
    page.set_input_files("#document-upload input[type=file]", str(scanned))
    page.click("#document-upload button")
    expect(page.locator(".messages")).to_contain_text("office-action.png received as document")
    assert len(queued) == 1
    document = read_and_propose(document_id=queued[0])
    assert document.status == Document.Status.PROPOSED

    page.click("nav >> text=Office sync")
    page.click("text=Office documents to review")
    page.click(f"#d{document.pk} a:has-text('Document {document.pk}')")
    # The first request for a page renders it from the scan: on a 2-core machine busy with other work (a bench
    # build beside the suite) that took over Playwright's 5 s default once, so this wait is longer.
    expect(page.locator("#page-image")).to_be_visible(timeout=30_000)
    assert page.locator("#page-image").evaluate("img => img.naturalWidth") > 0  # the page image really loads
    expect(page.locator("#fields")).to_contain_text("US.NON_FINAL_REJECTION")
    expect(page.locator("#fields mark").first).to_be_visible()  # low-confidence OCR fields are highlighted
    page.screenshot(path=str(artifacts / "document-review.png"), full_page=True)
    assert page.locator("select[name=code]").input_value() == "US.NON_FINAL_REJECTION"
    assert page.locator("input[name=date]").input_value() == "Tue 4 Mar 2025"  # the date box speaks the user's format
    page.click("#decide button:has-text('Accept')")
    expect(page.locator(".messages")).to_contain_text("US.NON_FINAL_REJECTION of Tue 4 Mar 2025 recorded on ACME-US-07")
    expect(page.locator("#documents")).to_contain_text("Accepted")

    event = OfficeEvent.objects.get(matter=docket)
    assert (event.source, event.params["document"]) == ("document", document.pk)
    recompute_deadlines(matter=docket, reason="test: the worker's recompute")
    deadline = Deadline.objects.get(matter=docket, trigger_event=event, rule_id__startswith="US.")
    page.goto(live_server.url + deadline.get_absolute_url())
    expect(page.locator("#explanation")).to_contain_text(f"from document {document.pk}, page 1")
