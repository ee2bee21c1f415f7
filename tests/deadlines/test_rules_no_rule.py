"""A code the engine does not know never passes silently: compute, the CLI, recompute, the matter page and
the staff report all name it ("no rule for CODE")."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from deadlines import services
from deadlines.rules import EventFact, MatterFacts, compute
from docketapp.audit import attributed
from patents.models import OfficeEvent
from tests.factories import EventTypeFactory, MatterFactory, UserFactory

D = dt.date.fromisoformat


def test_engine_reports_an_unknown_code_as_a_problem():
    result = compute(
        MatterFacts(office="EP", filing_date=D("2024-03-15")),
        [EventFact("e0", "EP.SOMETHING_NEW", D("2026-02-02")), EventFact("e1", "EP.REPLY_FILED", D("2026-02-03"))],
    )
    assert [(p["trigger"], p["message"]) for p in result.problems] == [
        ("e0", "no rule for EP.SOMETHING_NEW: no deadline is computed from this event -- check it by hand")
    ]


def test_known_facts_without_deadline_are_not_reported():
    result = compute(MatterFacts(office="EP"), [EventFact("e0", "EP.DEEMED_WITHDRAWN", D("2026-02-02"))])
    assert result.problems == [] and result.deadlines == []


def test_cli_compute_reports_no_rule_and_keeps_its_json_contract():
    payload = {
        "office": "EP",
        "matter": {"filing_date": "2024-03-15"},
        "events": [
            {"code": "EP.SOMETHING_NEW", "date": "2026-02-02"},
            {"code": "EP.COMMUNICATION_94_3", "date": "2025-10-31", "params": {"period_months": 4}},
        ],
    }
    src, out, err = io.StringIO(json.dumps(payload)), io.StringIO(), io.StringIO()
    import sys

    old = sys.stdin
    sys.stdin = src
    try:
        call_command("deadlines", "compute", "--today", "2025-11-01", "--closures", "none", stdout=out, stderr=err)
    finally:
        sys.stdin = old
    rows = json.loads(out.getvalue())
    assert [r["rule"] for r in rows] == ["EP.REPLY_94_3"]
    assert "warning: no rule for EP.SOMETHING_NEW" in err.getvalue()


@pytest.mark.django_db
def test_recompute_and_matter_page_show_no_rule_and_staff_report_lists_the_type(client):
    matter = MatterFactory(office="EP")
    et = EventTypeFactory(code="EP.SOMETHING_NEW", label="Something new", office="EP")
    with attributed(reason="test event", process="tests"):
        OfficeEvent.objects.create(
            matter=matter, event_type=et, office_code="XNEW", date=D("2026-02-02"), natural_key="xnew"
        )
    outcome = services.recompute_deadlines(matter=matter, reason="test", today=D("2026-02-10"))
    assert [p["message"].split(":")[0] for p in outcome.problems] == ["no rule for EP.SOMETHING_NEW"]

    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    page = client.get(reverse("patents:matter-detail", args=[matter.pk])).content.decode()
    assert "no rule for EP.SOMETHING_NEW" in page

    report = client.get(reverse("deadlines:rule-coverage")).content.decode()
    no_rule_table = report.split('id="no-rule"')[1].split("</table>")[0]
    assert "EP.SOMETHING_NEW" in no_rule_table and "Something new" in no_rule_table
    assert "EP.COMMUNICATION_94_3" not in no_rule_table  # a code with a rule is not listed
    assert "EP.DEEMED_WITHDRAWN" in report.split('id="deliberate"')[1]


@pytest.mark.django_db
def test_rule_coverage_report_is_staff_only(client):
    client.force_login(UserFactory(username="para", is_staff=False))
    assert client.get(reverse("deadlines:rule-coverage")).status_code == 302  # to the admin login
