"""A paralegal instructs renewals in a real browser: sees the official fee and its source, records "let
lapse" for one fee and "pay" for another, and finds the closure with her name on the matter page."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from deadlines.models import Deadline, RenewalInstruction
from tests.browser.demo import PASSWORD
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory
from tests.renewals.conftest import seed_fee_tables

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _renewal(matter, year: str, due: dt.date, rule_id: str) -> Deadline:
    return DeadlineFactory(
        matter=matter, rule_id=rule_id, key=f"{rule_id}:ev:{year}", office=matter.office, extendable=True,
        title=f"Renewal fee (year {year})", due_date=due, latest_date=due + dt.timedelta(days=183),
    )


def _portfolio():
    seed_fee_tables()
    today = timezone.now().date()
    paula = UserFactory(username="paula", password=PASSWORD)
    client = ClientFactory(reference="ACME")
    TeamMembershipFactory(user=paula, client=client)
    ep = MatterFactory(client=client, reference="ACME-EP-7", office="EP", responsible_paralegal=paula)
    jp = MatterFactory(client=client, reference="ACME-JP-7", office="JP", application_number="2020-054321",
                       claim_count=12)
    lapse = _renewal(ep, "6", today + dt.timedelta(days=40), "EP.RENEWAL_FEE")
    later = _renewal(ep, "7", today + dt.timedelta(days=405), "EP.RENEWAL_FEE")
    pay = _renewal(jp, "4", today + dt.timedelta(days=60), "JP.ANNUITY")
    return SimpleNamespace(paula=paula, ep=ep, jp=jp, lapse=lapse, later=later, pay=pay)


def test_paralegal_records_let_lapse_and_pay_and_sees_who_decided(live_server, open_page, artifacts):
    from playwright.sync_api import expect

    data = _portfolio()
    page = open_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "paula")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.click("nav >> text=Renewals")
    lapse_row = page.locator(f"#renewal-{data.lapse.pk}")
    expect(lapse_row).to_contain_text("1,155 EUR")  # RFees Art. 2(1) item 4, year 6, from 1 April 2024
    expect(lapse_row).to_contain_text("+ 577.50 EUR")  # Rule 51(2): 50 % in the grace period
    expect(lapse_row).to_contain_text("EPO renewal fees for European patent applications, from Mon 1 Apr 2024")
    pay_row = page.locator(f"#renewal-{data.pay.pk}")
    expect(pay_row).to_contain_text("19,900 JPY")  # Art. 107(1): 10,300 + 12 claims x 800
    expect(pay_row).to_contain_text("10,300 + 12 claims × 800")
    assert page.locator(f"#renewal-{data.later.pk}").count() == 0  # a year away: outside the six months

    lapse_row.locator("input[name=note]").fill("client letter of 3 Dec: abandon EP")
    lapse_row.locator("button[value=let_lapse]").click()
    expect(page.locator(".messages")).to_contain_text("ACME-EP-7, Renewal fee (year 6): let lapse.")
    expect(page.locator(f"#renewal-{data.lapse.pk} .instruction-state")).to_contain_text("Let lapse · paula")
    page.locator(f"#renewal-{data.pay.pk} button[value=pay]").click()
    expect(page.locator(f"#renewal-{data.pay.pk} .instruction-state")).to_contain_text("Pay · paula")
    page.screenshot(path=str(artifacts / "renewals.png"), full_page=True)

    page.goto(live_server.url + data.ep.get_absolute_url())
    deadlines = page.locator("#deadlines")
    expect(deadlines).to_contain_text("Closed: instructed to let lapse")
    expect(deadlines).to_contain_text("Instructed to let lapse by paula")
    expect(deadlines).to_contain_text("client letter of 3 Dec: abandon EP")
    # Year 7 is no longer a forecast: with year 6 closed it is the next task, listed with the deadlines.
    expect(deadlines.locator("table").first).to_contain_text("Renewal fee (year 7)")

    assert Deadline.objects.get(pk=data.lapse.pk).status == Deadline.Status.LET_LAPSE
    assert Deadline.objects.get(pk=data.pay.pk).status == Deadline.Status.OPEN
    assert RenewalInstruction.objects.get(deadline=data.pay).decided_by == data.paula
