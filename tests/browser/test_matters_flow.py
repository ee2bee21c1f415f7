"""Matters in a real browser: create a matter from the dashboard and watch it sync (a real Celery worker
against the office simulator, htmx polling the progress), and read a family's priority tree."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.contrib.auth.models import Permission

from docketapp.audit import attributed
from patents.models import Matter
from patents.services import add_team_member, ensure_client
from patents.simulator.testing import simulator_factory  # noqa: F401 - fixture used by the worker's simulator
from tests.browser.demo import PASSWORD
from tests.browser.test_dashboard_flow import log_in
from tests.conftest import ROOT
from tests.factories import DeadlineFactory, FamilyFactory, MatterFactory, PriorityClaimFactory, UserFactory
from tests.sync.conftest import mappings  # noqa: F401 - the worker's code mappings
from tests.sync.test_worker_end_to_end import sim, worker  # noqa: F401 - the real worker fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS_IMAGES = ROOT / "docs" / "img"


def paralegal(*codenames: str):
    user = UserFactory(username="paula")
    user.set_password(PASSWORD)
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="patents", codename__in=codenames))
    with attributed(reason="test setup", process="tests"):
        acme, _ = ensure_client(reference="ACME", name="Acme Corporation")
        add_team_member(client=acme, user=user, role="paralegal")
    return user, acme


def shoot(page, name: str, artifacts) -> None:
    page.screenshot(path=str(artifacts / name), full_page=True)
    if os.environ.get("DOCKETAPP_DOCS_SCREENSHOTS"):
        DOCS_IMAGES.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS_IMAGES / name), full_page=True)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.simulator
def test_create_a_matter_in_the_form_and_see_it_sync(live_server, open_page, artifacts, sim, worker):  # noqa: F811
    from playwright.sync_api import expect

    _, acme = paralegal("add_matter", "change_matter")
    target = next(m for m in sim.portfolio.matters("US") if m.filing_date)
    page = open_page()
    log_in(page, live_server.url, "paula")
    page.click("nav >> text=Matters")
    page.click("#new-matter")
    page.select_option("#id_client", str(acme.pk))
    page.fill("#id_reference", "ACME-US-NEW")
    page.select_option("#id_office", "US")
    page.select_option("#id_kind", "patent")
    page.fill("#id_title", target.title)
    page.fill("#id_application_number", f"  {target.application_number} ")
    # A wrong date format is refused with a clear message, whatever the browser's locale.
    page.fill("#id_filing_date", target.filing_date.strftime("%d/%m/%Y"))
    page.click("button:has-text('Create matter')")
    expect(page.locator("#form-errors")).to_contain_text("Nothing was saved")
    expect(page.locator("#field-filing_date")).to_contain_text("Write D MMM YYYY (e.g. 2 Mar 2026) or YYYY-MM-DD")
    assert not Matter.objects.filter(reference="ACME-US-NEW").exists()
    page.fill("#id_filing_date", target.filing_date.isoformat())
    page.fill("#id_priority-0-country", "US")
    page.fill("#id_priority-0-number", "63/000,001")
    page.fill("#id_priority-0-date", (target.filing_date - dt.timedelta(days=300)).isoformat())
    page.click("button:has-text('Create matter')")

    expect(page.locator("h1")).to_contain_text("ACME-US-NEW")
    progress = page.locator("#sync-progress")
    expect(progress).to_be_visible()
    # htmx polls the run until the worker has fetched the office data and the deadlines are computed.
    expect(progress).to_contain_text("Sync now: done", timeout=120_000)
    expect(progress.locator(".events-created")).not_to_have_text("0")
    matter = Matter.objects.get(reference="ACME-US-NEW")
    assert matter.last_synced is not None and matter.events.exists()
    assert matter.history.order_by("history_id").first().history_change_reason == "created in the dashboard"
    page.reload()  # the page (still polling-free: the run is done) now shows the office's events
    expect(page.locator("#timeline")).to_contain_text("office event")
    expect(page.locator("#sync-progress")).to_contain_text("Sync now: done")
    shoot(page, "matter-sync-now.png", artifacts)


def test_family_page_shows_the_tree_and_links_priority_claims(live_server, open_page, artifacts):
    from playwright.sync_api import expect

    _, acme = paralegal()
    family = FamilyFactory(client=acme, reference="WIDGET", title="Self-cleaning widget")
    prov = MatterFactory(client=acme, family=family, reference="ACME-001-USP", office="US",
                         kind=Matter.Kind.PROVISIONAL, application_number="63/123,456",
                         filing_date=dt.date(2023, 3, 1))
    pct = MatterFactory(client=acme, family=family, reference="ACME-001-PCT", office="WO", kind=Matter.Kind.PCT,
                        application_number="PCT/US2024/012345", filing_date=dt.date(2024, 2, 28))
    PriorityClaimFactory(matter=pct, country="US", number="63/123,456", date=dt.date(2023, 3, 1))
    ep = MatterFactory(client=acme, family=family, reference="ACME-001-EP", office="EP", kind=Matter.Kind.REGIONAL,
                       application_number="EP24700001", parent=pct, parent_relation=Matter.Relation.REGIONAL_PHASE,
                       filing_date=dt.date(2024, 2, 28))
    us = MatterFactory(client=acme, family=family, reference="ACME-001-US", office="US",
                       application_number="18/100,001", parent=pct, parent_relation=Matter.Relation.NATIONAL_PHASE,
                       filing_date=dt.date(2024, 2, 28))
    MatterFactory(client=acme, family=family, reference="ACME-001-USC", office="US",
                  application_number="18/200,002", parent=us, parent_relation=Matter.Relation.CONTINUATION,
                  filing_date=dt.date(2025, 1, 10))
    DeadlineFactory(matter=ep, title="Request examination (Art. 94 EPC)", due_date=dt.date.today() + dt.timedelta(30))
    DeadlineFactory(matter=us, office="US", title="Reply to non-final Office action",
                    due_date=dt.date.today() + dt.timedelta(60))
    page = open_page()
    log_in(page, live_server.url, "paula")
    page.goto(live_server.url + ep.get_absolute_url())
    page.click("#matter-actions >> text=Family WIDGET")
    tree = page.locator("#family-tree")
    expect(tree).to_contain_text("claims priority of: ACME-001-PCT")
    expect(tree).to_contain_text("Regional phase of a PCT application: ACME-001-EP")
    expect(tree).to_contain_text("Continuation: ACME-001-USC")
    expect(tree.locator("li[data-reference='ACME-001-EP']").first).to_contain_text("Request examination")
    expect(page.locator("#family-deadlines")).to_contain_text("Reply to non-final Office action")
    shoot(page, "family.png", artifacts)
    # The priority claim names the matter holding that number and links to it.
    tree.locator("li[data-reference='ACME-001-PCT'] .priority-claim a").first.click()
    page.wait_for_url(live_server.url + prov.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("ACME-001-USP")
