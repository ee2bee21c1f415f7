"""Date boxes in a real browser (Debian's Chromium, en-GB locale): they show and read the user's own format
(here month first, the opposite of the browser's locale), not the browser's date picker; an ambiguous date
is answered with a message next to the list instead of being silently ignored."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from docketapp.audit import attributed
from patents.models import UserProfile
from tests.browser.demo import build_demo
from tests.browser.test_dashboard_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docket_date_filter_follows_the_users_format_not_the_browsers(live_server, open_page, artifacts):
    from playwright.sync_api import expect

    demo = build_demo()
    with attributed(reason="test: paula reads dates month first", process="tests"):
        UserProfile.objects.update_or_create(user=demo["paula"], defaults={"date_format": "m/d/Y"})
    ids = demo["deadlines"]["Order IDS references from client"]  # due two days ago
    page = open_page()
    log_in(page, live_server.url, "paula")
    box = page.locator("#id_due_from")
    assert box.get_attribute("type") == "text" and box.get_attribute("placeholder") == "MM/DD/YYYY"
    table = page.locator("#docket-table")
    expect(table).to_contain_text("Order IDS references from client")
    day_after = ids.due_date + dt.timedelta(days=1)
    box.fill(f"{day_after:%m/%d/%Y}")
    box.press("Enter")
    page.wait_for_url(re.compile(r".*due_from=.*"))
    expect(table).not_to_contain_text("Order IDS references from client")
    expect(page.locator("#filter-errors")).to_have_count(0)
    # Day first with dots: readable two ways for someone who writes month first.
    box.fill("03.04.2026")
    box.press("Enter")
    errors = page.locator("#filter-errors")
    expect(errors).to_contain_text("could be 3 April 2026 or 4 March 2026")
    expect(errors).to_contain_text("This filter is not applied")
    page.screenshot(path=str(artifacts / "date-filter-error.png"), full_page=True)
