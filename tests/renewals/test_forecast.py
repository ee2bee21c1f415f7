"""Only the next renewal year of each right is a task; later years are a forecast: not on the docket's
open/overdue totals, not in the verification queue, collapsed on the matter page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from deadlines import services
from deadlines.instructions import record_instruction
from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.models import OfficeEvent
from tests.factories import EventTypeFactory, MatterFactory

from .conftest import renewal

pytestmark = pytest.mark.django_db
D = dt.date
ALL = {"scope": "all", "status": "any", "due_from": "2020-01-01", "due_to": "2045-12-31"}


def test_engine_renewals_epc_rule_51_1_only_year_3_is_a_task_until_it_is_closed(portfolio):
    """EPC Art. 86(1), Rule 51(1): an EP filed 15 March 2024 has renewal years 3 to 20 on the docket."""
    matter = MatterFactory(client=portfolio.acme, office="EP", filing_date=D(2024, 3, 15))
    et = EventTypeFactory(code="EP.FILED", label="filed", office="EP")
    with attributed(reason="test event", process="tests"):
        OfficeEvent.objects.create(matter=matter, event_type=et, office_code="EP.FILED", date=D(2024, 3, 15),
                                   natural_key="EP.FILED|2024-03-15", params={"source": "test"})
    services.recompute_matters(matter_ids=[matter.pk], reason="test", today=D(2026, 3, 2))
    renewals = Deadline.objects.filter(matter=matter).renewals()
    assert renewals.count() == 18
    [task] = renewals.tasks()
    assert task.title == "Renewal fee (year 3)" and task.due_date == D(2026, 3, 31)
    assert renewals.forecast().count() == 17
    record_instruction(deadline=task, decision="let_lapse", user=portfolio.pat)
    [task] = Deadline.objects.filter(matter=matter).renewals().tasks().needs_action()
    assert task.title == "Renewal fee (year 4)"


def test_docket_totals_count_the_next_year_only(client, portfolio):
    # Both years are past due: only year 4 (the next one) is work and overdue; year 5 is a forecast.
    old = MatterFactory(client=portfolio.acme, office="EP", responsible_paralegal=portfolio.pat)
    renewal(old, "4", D(2026, 1, 31), latest=D(2026, 7, 31))
    renewal(old, "5", D(2026, 2, 28), latest=D(2026, 8, 31))
    client.force_login(portfolio.pat)
    response = client.get(reverse("patents:home"), ALL)
    titles = [d.matter.reference + " " + d.title for d in response.context["page"].object_list]
    assert f"{old.reference} Renewal fee (year 4)" in titles
    assert f"{old.reference} Renewal fee (year 5)" not in titles
    assert "ACME-EP-1 Renewal fee (year 5)" not in titles and "ACME-EP-1 Renewal fee (year 4)" in titles
    assert response.context["overdue_total"] == 1


def test_verification_queue_and_its_badge_leave_the_forecast_out(client, portfolio):
    client.force_login(portfolio.pat)
    response = client.get(reverse("deadlines:verification-queue"))
    listed = {d.pk for d in response.context["page"].object_list}
    assert portfolio.y4.pk in listed and portfolio.jp4.pk in listed
    assert portfolio.y5.pk not in listed
    assert response.context["page"].paginator.count == 2
    assert '<span class="count" title="2 deadlines waiting' in response.content.decode()


def test_matter_page_collapses_the_later_years(client, portfolio):
    client.force_login(portfolio.pat)
    html = client.get(portfolio.ep.get_absolute_url()).content.decode()
    table, forecast = html.split('id="renewal-forecast"')
    assert "Renewal fee (year 4)" in table and "Renewal fee (year 5)" not in table
    assert "1 forecast fee " in forecast and "Renewal fee (year 5)" in forecast
    assert '<dd id="matter-claim-count"><span class="muted">unknown</span>' in html
