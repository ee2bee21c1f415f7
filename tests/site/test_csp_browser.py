"""In a real browser, under the Content-Security-Policy, the pages work and the browser blocks nothing."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import _async_unsafe, _plain_static, chromium, open_page  # noqa: F401
from tests.browser.demo import PASSWORD, build_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_and_their_scripts_work_under_the_policy_with_no_violation(live_server, open_page):  # noqa: F811
    from playwright.sync_api import expect

    demo = build_demo()
    paula = demo["paula"]
    paula.is_staff = paula.is_superuser = True  # to open the admin's pages too
    paula.save(update_fields=["is_staff", "is_superuser"])
    target = next(iter(demo["deadlines"].values()))
    page = open_page()
    violations: list[str] = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.on("pageerror", lambda exc: violations.append(f"page error: {exc}"))
    base = live_server.url

    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "paula")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    assert page.evaluate("typeof htmx") == "object"

    # Scope tabs (site.js): the click ticks the radio and htmx refreshes the results in place.
    page.evaluate("window.__stillHere = true")
    everyone = page.locator("a[data-scope-link][href*='scope=all']").first
    everyone.click()
    expect(everyone).to_have_attribute("aria-current", "true")
    page.wait_for_url(re.compile(r".*scope=all.*"))
    expect(page.locator("#docket-table")).to_contain_text("Reply to non-final Office action")
    assert page.evaluate("window.__stillHere") is True
    # Badge colours come from the stylesheet now, not from style attributes.
    colours = page.evaluate(
        "[...document.querySelectorAll('span.kind')].map(e => [e.className, getComputedStyle(e).backgroundColor])"
    )
    expected = {"statutory": "rgb(109, 40, 217)", "procedural": "rgb(14, 116, 144)", "internal": "rgb(107, 114, 128)"}
    assert colours and all(colour == expected[cls.split("kind-")[1]] for cls, colour in colours), colours

    for path in (
        target.get_absolute_url(),
        f"/matters/{target.matter_id}/",
        "/deadlines/calendar/",
        "/deadlines/verify/",
        "/sync/",
        "/admin/",
        "/admin/deadlines/deadline/",
        f"/admin/deadlines/deadline/{target.pk}/change/",
    ):
        page.goto(base + path)
        expect(page.locator("body")).not_to_be_empty()

    # Filter selects that submit themselves (site.js).
    page.goto(base + "/sync/quarantine/")
    page.select_option("select[data-autosubmit]", index=1)
    page.wait_for_url(re.compile(r".*status=.*"))

    # The feed address selects itself on a click (site.js).
    page.goto(base + "/deadlines/feed/")
    field = page.locator("input[data-select-on-click]").first
    if field.count():
        field.click()
        assert page.evaluate("window.getSelection().toString() || document.activeElement.selectionEnd") not in ("", 0)

    assert violations == []
