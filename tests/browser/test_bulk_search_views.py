"""Docket search, bulk verification and saved views in a real browser (Debian's Chromium)."""

from __future__ import annotations

import re

import pytest

from deadlines.models import Deadline, SavedView
from docketapp.audit import attributed
from tests.browser.demo import build_demo
from tests.browser.test_dashboard_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_by_number_as_typed_finds_the_matter(live_server, open_page):
    from playwright.sync_api import expect

    build_demo()
    page = open_page()
    log_in(page, live_server.url, "paula")
    table = page.locator("#docket-table")
    expect(table).to_contain_text("Order IDS references from client")
    # The application number is stored as "18/345,678"; people paste it in any form.
    page.fill("#id_q", "18 345678")
    page.press("#id_q", "Enter")
    page.wait_for_url(re.compile(r".*q=18(%20|\+)345678.*"))
    expect(table).to_contain_text("ACME-US-01")
    expect(table).to_contain_text("18/345,678")
    expect(table).not_to_contain_text("ACME-EP-01")


def test_bulk_verify_verifies_the_others_and_lists_my_own_change(live_server, open_page, artifacts):
    from playwright.sync_api import expect

    demo = build_demo()
    engine = demo["deadlines"]["ACME-US-01:US.REPLY_NON_FINAL"]
    own = demo["deadlines"]["Order IDS references from client"]  # paula entered it herself
    with attributed(reason="test: the engine changed it, so it waits for verification again", process="tests"):
        engine.verified_at = engine.verified_by = None
        engine.save(update_fields=["verified_at", "verified_by"])
    page = open_page()
    log_in(page, live_server.url, "paula")
    page.check(f"#docket-table input[name=ids][value='{engine.pk}']")
    page.check(f"#docket-table input[name=ids][value='{own.pk}']")
    page.click(".bulk-bar button[value=verify]")
    messages = page.locator(".messages")
    expect(messages).to_contain_text("Verified: 1 deadline.")
    expect(messages).to_contain_text("Order IDS references from client: You made the last change")
    page.screenshot(path=str(artifacts / "bulk-verify.png"), full_page=True)
    engine.refresh_from_db()
    own.refresh_from_db()
    assert engine.verified_by == demo["paula"]
    assert own.verified_at is None


def test_save_a_view_and_open_it_again(live_server, open_page):
    from playwright.sync_api import expect

    build_demo()
    page = open_page()
    log_in(page, live_server.url, "paula")
    page.select_option("#id_kind", "statutory")
    page.wait_for_url(re.compile(r".*kind=statutory.*"))
    page.fill("#save-view-form input[name=name]", "My statutory dates")
    page.click("#save-view-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Saved view “My statutory dates”")
    assert SavedView.objects.get(user__username="paula").query.count("kind=statutory") == 1
    page.goto(live_server.url + "/")
    expect(page.locator("#docket-table")).to_contain_text("Order IDS references from client")
    page.click("#saved-views a:has-text('My statutory dates')")
    page.wait_for_url(re.compile(r".*kind=statutory.*"))
    expect(page.locator("#docket-table")).not_to_contain_text("Order IDS references from client")
    assert Deadline.objects.exists()
