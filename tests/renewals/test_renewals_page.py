"""The renewals page and its CSV: amounts with their source, grace surcharge, instruction, filters, scoping,
bad input, and a query count that does not grow with the portfolio."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines.instructions import record_instruction
from tests.factories import MatterFactory

from .conftest import renewal

pytestmark = pytest.mark.django_db
D = dt.date
URL = "/deadlines/renewals/"


def test_url_is_where_the_page_says():
    assert reverse("deadlines:renewals") == URL


def test_next_six_months_with_fee_surcharge_grace_end_and_instruction(client, portfolio):
    record_instruction(deadline=portfolio.y4, decision="pay", user=portfolio.sam, note="by phone")
    client.force_login(portfolio.pat)
    response = client.get(URL)
    html = response.content.decode()
    rows = [r.deadline for r in response.context["rows"]]
    assert rows == [portfolio.y4, portfolio.jp4]  # y5 is in 2027, ZETA is not pat's client
    y4 = html.split(f'id="renewal-{portfolio.y4.pk}"')[1].split("</tr>")[0]
    assert "845 EUR" in y4 and "+ 422.50 EUR" in y4 and "30 Sep 2026" in y4
    assert "EPO renewal fees for European patent applications, from Mon 1 Apr 2024" in y4
    assert "<strong>Pay</strong> · sam" in y4
    jp = html.split(f'id="renewal-{portfolio.jp4.pk}"')[1].split("</tr>")[0]
    assert "claim count unknown: set it on the matter" in jp and "<strong>Undecided</strong>" in jp
    assert "ZETA" not in html


def test_filters_by_client_office_and_month_range_show_the_forecast(client, portfolio):
    client.force_login(portfolio.pat)
    response = client.get(URL, {"office": "EP", "start": "2026-03", "end": "2027-03", "client": portfolio.acme.pk})
    rows = response.context["rows"]
    assert [r.deadline.pk for r in rows] == [portfolio.y4.pk, portfolio.y5.pk]
    assert [bool(r.deadline.is_forecast) for r in rows] == [False, True]
    assert "forecast: instruct when it is the next year" in response.content.decode()
    tasks = client.get(URL, {"start": "2026-03", "end": "2027-03", "show": "tasks"}).context["rows"]
    assert portfolio.y5.pk not in [r.deadline.pk for r in tasks]


def test_office_choices_are_the_offices_that_charge_renewals_not_the_search_service(client, portfolio):
    """The office filter lists EP, JP and US (the offices whose rules charge yearly fees), never Lens — a
    search service that holds no rights — nor the PCT, which has no renewals."""
    client.force_login(portfolio.pat)
    choices = [value for value, _ in client.get(URL).context["form"].fields["office"].choices]
    assert choices == ["", "EP", "JP", "US"]
    response = client.get(URL, {"office": "LENS"})
    assert "office" in response.context["form"].errors


def test_past_due_fees_in_grace_are_listed_with_the_amount_payable_now(client, portfolio):
    late = MatterFactory(client=portfolio.acme, office="EP", reference="ACME-EP-LATE")
    in_grace = renewal(late, "3", D(2026, 1, 31), latest=D(2026, 7, 31))
    client.force_login(portfolio.pat)
    response = client.get(URL)
    row = next(r for r in response.context["rows"] if r.deadline.pk == in_grace.pk)
    assert row.fee.in_grace and row.fee.payable_now == 1035
    assert "in grace now: 1,035 EUR" in response.content.decode()


def test_a_us_maintenance_fee_in_grace_shows_the_1_20_h_surcharge_for_its_entity_size(client, portfolio):
    late = MatterFactory(client=portfolio.acme, office="US", reference="ACME-US-LATE", entity_size="small")
    in_grace = renewal(late, "3.5", D(2026, 1, 15), rule_id="US.MAINTENANCE_FEE", latest=D(2026, 7, 15))
    client.force_login(portfolio.pat)
    html = client.get(URL).content.decode()
    row = html.split(f'id="renewal-{in_grace.pk}"')[1].split("</tr>")[0]
    assert "860 USD" in row and "+ 216 USD" in row and "in grace now: 1,076 USD" in row


def test_bad_filters_say_what_is_wrong_and_show_nothing(client, portfolio):
    client.force_login(portfolio.pat)
    for params in ({"start": "March"}, {"start": "2026-05", "end": "2026-01"}, {"start": "2026-13"},
                   {"office": "XX"}, {"client": "nope"}, {"start": "2026-01", "end": "2031-12"}):
        response = client.get(URL, params)
        assert response.status_code == 200 and response.context["rows"] is None
        assert 'class="error-box"' in response.content.decode()
    assert client.get(URL + "export.csv", {"start": "March"}).status_code == 400


def test_another_clients_filter_is_refused(client, portfolio):
    client.force_login(portfolio.pat)
    response = client.get(URL, {"client": portfolio.zeta.pk})
    assert response.context["rows"] is None


def test_csv_export_has_the_figures_the_source_and_escapes_text(client, portfolio):
    evil = MatterFactory(client=portfolio.acme, office="EP", reference="ACME-EVIL")
    renewal(evil, "3", D(2026, 6, 30), title="=HYPERLINK(\"http://x\")")
    client.force_login(portfolio.pat)
    response = client.get(URL + "export.csv", {"start": "2026-03", "end": "2027-03"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_key = {(r["matter"], r["year"]): r for r in rows}
    y4 = by_key[("ACME-EP-1", "4")]
    assert (y4["fee amount"], y4["currency"], y4["surcharge if paid in grace"], y4["forecast"]) == (
        "845.00", "EUR", "422.50", "no")
    assert "CA/D 16/23" in y4["fee source"] and "2024-04-01" in y4["fee source"]
    assert by_key[("ACME-EP-1", "5")]["forecast"] == "yes"
    assert by_key[("ACME-JP-1", "4")]["no figure because"].startswith("claim count unknown")
    assert by_key[("ACME-EVIL", "3")]["fee"].startswith("'=")
    assert not any(r["matter"].startswith("ZETA") for r in rows)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"start": "2026-03", "end": "2027-12"}).status_code == 200
    return len(ctx.captured_queries)


def test_page_queries_do_not_grow_with_the_portfolio(client, portfolio):
    client.force_login(portfolio.pat)
    small = _queries(client)
    for n in range(25):
        matter = MatterFactory(client=portfolio.acme, office=("EP", "JP", "US")[n % 3], claim_count=n,
                               entity_size="small")
        rule = ("EP.RENEWAL_FEE", "JP.ANNUITY", "US.MAINTENANCE_FEE")[n % 3]
        renewal(matter, ("4", "5", "3.5")[n % 3], D(2026, 4, 1) + dt.timedelta(days=n), rule_id=rule,
                latest=D(2026, 10, 1))
        renewal(matter, ("5", "6", "7.5")[n % 3], D(2027, 4, 1) + dt.timedelta(days=n), rule_id=rule)
        record_instruction(deadline=matter.deadlines.order_by("due_date").first(), decision="pay", user=portfolio.sam)
    assert _queries(client) == small


def test_dates_follow_the_users_format_and_the_instruction_time_names_its_zone(client, portfolio):
    from docketapp.audit import attributed
    from patents.models import UserProfile

    record_instruction(deadline=portfolio.y4, decision="pay", user=portfolio.sam, note="by phone")
    with attributed(reason="test preference", process="tests"):
        UserProfile.objects.update_or_create(user=portfolio.pat, defaults={"date_format": "Y-m-d",
                                                                           "time_zone": "Asia/Tokyo"})
    client.force_login(portfolio.pat)
    html = client.get(URL).content.decode()
    y4 = html.split(f'id="renewal-{portfolio.y4.pk}"')[1].split("</tr>")[0]
    assert "2026-09-30" in y4 and "30 Sep 2026" not in y4  # Art. 86(1) EPC / Rule 51(2) grace end
    assert "from 2024-04-01" in y4
    assert " JST</div>" in y4  # who decided, when, on pat's clock with the zone named
