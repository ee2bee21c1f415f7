"""The paralegal's day in a real browser: log in, filter, read why a date is what it is, mark it done,
have a colleague verify it, and find both steps in the history."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from deadlines.models import Deadline
from tests.browser.demo import PASSWORD, build_demo
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/")


def log_out(page) -> None:
    page.click("header button:has-text('Log out')")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))


def test_filter_explain_mark_done_verify_and_see_the_history(live_server, open_page, artifacts):
    from playwright.sync_api import expect

    demo = build_demo()
    target = demo["deadlines"]["ACME-US-01:US.REPLY_NON_FINAL"]
    page = open_page()
    log_in(page, live_server.url, "paula")

    table = page.locator("#docket-table")
    expect(table).to_contain_text("Overdue — act now")
    expect(table).to_contain_text("Order IDS references from client")
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)

    # Filtering refreshes only the results (htmx): a marker set on the window survives, the URL follows.
    page.evaluate("window.__stillHere = true")
    page.select_option("#id_kind", "statutory")
    expect(table).not_to_contain_text("Order IDS references from client")
    expect(table).to_contain_text("Reply to non-final Office action")
    assert "kind=statutory" in page.url
    assert page.evaluate("window.__stillHere") is True

    # Open the deadline and read its explanation.
    page.click(f"#docket-table a[href='{target.get_absolute_url()}'] >> nth=0")
    page.wait_for_url(live_server.url + target.get_absolute_url())
    explanation = page.locator("#explanation")
    expect(explanation).to_contain_text("Rule US.REPLY_NON_FINAL")
    expect(explanation).to_contain_text("Add the period")
    expect(explanation).to_contain_text("+ 3 months")
    expect(explanation).to_contain_text("Extension by paying a fee for each extra month")
    expect(explanation).to_contain_text("petition to revive")

    # Mark it done with evidence.
    page.click("summary:has-text('Mark done')")
    page.fill("#id_evidence", "Response filed via Patent Center, receipt 8812")
    page.click("button:has-text('Mark done')")
    expect(page.locator(".messages")).to_contain_text("Marked done")
    expect(page.locator("h1")).to_contain_text("Done")
    expect(page.locator("#verification")).to_contain_text("You made the last change to this deadline")
    expect(page.locator("#verification button")).to_be_disabled()
    log_out(page)

    # A second person verifies it from the queue.
    log_in(page, live_server.url, "victor")
    page.click("nav >> text=To verify")
    row = page.locator("tr", has=page.locator(f"a[href='{target.get_absolute_url()}']")).first
    expect(row).to_contain_text("paula")
    row.locator("button:has-text('Verify')").click()
    expect(page.locator(".messages")).to_contain_text("Verified: ACME-US-01")

    # Both steps are in the history, with who and why.
    page.goto(live_server.url + target.get_absolute_url())
    expect(page.locator("#verification")).to_contain_text("Verified by victor")
    history = page.locator("#history")
    expect(history).to_contain_text("paula — changed: marked done on")
    expect(history).to_contain_text("Response filed via Patent Center, receipt 8812")
    expect(history).to_contain_text("victor — changed: verified")
    page.goto(live_server.url + demo["us1"].get_absolute_url())
    expect(page.locator("#timeline")).to_contain_text("by victor — verified")

    target.refresh_from_db()
    assert target.status == Deadline.Status.DONE and target.verified_by == demo["victor"]


def test_without_javascript_the_filters_and_actions_still_work(live_server, chromium, artifacts):
    build_demo()
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        log_in(page, live_server.url, "paula")
        page.select_option("#id_kind", "internal")
        page.click("button:has-text('Apply filters')")
        page.wait_for_url(re.compile(r".*kind=internal.*"))
        rows = page.locator("#docket-table tbody tr[data-deadline]")
        assert rows.count() == 3
        assert "Order IDS references" in page.locator("#docket-table").inner_text()
        page.click("#docket-table thead a:has-text('Matter')")
        page.wait_for_url(re.compile(r".*sort=matter.*kind=internal|.*kind=internal.*sort=matter.*"))
    finally:
        context.close()


def test_other_clients_deadline_is_not_found_in_the_browser(live_server, open_page):
    demo = build_demo()
    secret = Deadline.objects.filter(matter=demo["secret"]).first()
    page = open_page()
    log_in(page, live_server.url, "paula")
    response = page.goto(live_server.url + secret.get_absolute_url())
    assert response.status == 404
    page.goto(live_server.url + "/?scope=all&status=any")
    assert "ZETA" not in page.content()


@pytest.mark.skipif(not os.environ.get("DOCKETAPP_README_SCREENSHOT"), reason="set DOCKETAPP_README_SCREENSHOT=1")
def test_readme_screenshot(live_server, open_page, artifacts):
    """Regenerates the screenshot in docs/dashboard.md: DOCKETAPP_README_SCREENSHOT=1 pytest tests/browser -k readme."""
    from deadlines.saved_views import save_view

    demo = build_demo()
    for name, query in (("My EP office actions", "office=EP&kind=statutory"), ("Overdue for ACME", "status=overdue")):
        save_view(user=demo["paula"], name=name, query=query)
    page = open_page(width=1500, height=900)
    log_in(page, live_server.url, "paula")
    page.locator("tbody input[type=checkbox]").nth(1).check()  # a selection, as the bulk bar shows it
    page.screenshot(path=str(artifacts / "readme-dashboard.png"), full_page=True)
    target = ROOT / "docketapp/static/docketapp/screenshot-dashboard.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(artifacts / "readme-dashboard.png", target)
