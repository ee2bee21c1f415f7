"""Optional acts lose an option, never the right: past their date and still open they are not overdue, send no
escalation, and wait in "Windows passed — confirm not used" until a person closes them (docs/docket-truth.md)."""

import datetime as dt
import html

import pytest
import time_machine
from django.utils.html import strip_tags

from deadlines.actions import NOT_USED_REASON
from deadlines.models import Deadline, Reminder
from deadlines.reminders.planning import Offsets, plan_reminders
from deadlines.rules.registry import RULES
from tests.factories import MatterFactory, TeamMembershipFactory, UserFactory
from tests.truth.test_recompute_truth import TODAY, D, add_event, recompute, rows

pytestmark = pytest.mark.django_db

BY_ID = {rule.id: rule for rule in RULES}

# Acts whose window only keeps an option open; the citation is the basis that makes them optional.
OPTIONAL = [
    pytest.param("WO.ART19_AMENDMENTS", id="PCT Art. 19, Rule 46.1: amendments also possible under Art. 28, 34, 41"),
    pytest.param("WO.DEMAND", id="PCT Art. 31, Rule 54bis.1: without a demand Chapter I goes on to Art. 22"),
    pytest.param("WO.PRIORITY_CLAIM_CORRECTION", id="PCT Rule 26bis.1(a): only when a claim is wrong or missing"),
    pytest.param("EP.UNITARY_EFFECT_REQUEST", id="Reg. 1257/2012 Art. 9(1)(g), Rule 6 UPR: national validation"),
    pytest.param("US.IDS_WITHOUT_FEE", id="37 CFR 1.97(b): later IDS with fee or statement under 1.97(c), (d)"),
    pytest.param("US.IDS_97E_STATEMENT", id="37 CFR 1.97(e)(1): the fee route under 1.97(c), (d) remains"),
    pytest.param("US.RCE_BEFORE_ISSUE_FEE", id="37 CFR 1.114(b): an RCE is a choice"),
    pytest.param("US.CONTINUATION_BEFORE_ISSUE", id="35 U.S.C. 120: a continuing application is a choice"),
    pytest.param("US.PTA_RECONSIDERATION", id="37 CFR 1.705(b): the office's PTA stands without a request"),
    pytest.param("EP.OPPOSITION", id="EPC Art. 99(1): opposing a third party's patent is a choice"),
    pytest.param("JP.OPPOSITION", id="JP Patent Act Art. 113: opposing a third party's patent is a choice"),
]
# Acts that lose the right (or a priority) when missed: never optional, always an alarm once past.
NOT_OPTIONAL = [
    pytest.param("WO.FEES", id="PCT Art. 14(3): application considered withdrawn"),
    pytest.param("WO.PRIORITY_YEAR", id="Paris Art. 4C: the priority right is lost"),
    pytest.param("EP.EXAMINATION_REQUEST", id="EPC Art. 94(2): application deemed withdrawn"),
    pytest.param("US.REPLY_NON_FINAL", id="35 U.S.C. 133: abandonment"),
    pytest.param("EP.RENEWAL_FEE", id="EPC Art. 86(1): application deemed withdrawn"),
]


@pytest.mark.parametrize("rule_id", OPTIONAL)
def test_rule_declares_the_act_optional_and_says_why(rule_id):
    rule = BY_ID[rule_id]
    assert rule.optional and rule.notes.startswith("optional: "), rule_id


@pytest.mark.parametrize("rule_id", NOT_OPTIONAL)
def test_acts_that_lose_the_right_stay_alarms(rule_id):
    assert not BY_ID[rule_id].optional


def pct_matter():
    """A PCT application whose demand / Art. 19 / priority-correction windows all passed before TODAY, and for
    contrast a US application of the same client with an unanswered non-final rejection (not optional)."""
    matter = MatterFactory(office="WO", filing_date=D("2025-01-10"), application_number="PCT/EP2025/050001")
    add_event(matter, "WO.FILED", "2025-01-10")
    add_event(matter, "WO.ISR_TRANSMITTED", "2025-06-02")
    recompute(matter)
    us = MatterFactory(office="US", client=matter.client, filing_date=D("2025-01-10"), application_number="19/000001")
    add_event(us, "US.NON_FINAL_REJECTION", "2026-06-01")
    recompute(us)
    return matter


def reply(matter):
    return rows(matter.client.matters.get(office="US"), "US.REPLY_NON_FINAL").get()


def test_past_optional_pct_acts_are_not_overdue_but_wait_for_confirmation():
    matter = pct_matter()
    demand = rows(matter, "WO.DEMAND").get()
    fees = reply(matter)
    assert demand.optional and demand.status == Deadline.Status.OPEN and demand.due_date < TODAY
    assert not fees.optional
    overdue = set(Deadline.objects.overdue(TODAY).values_list("rule_id", flat=True))
    passed = set(Deadline.objects.window_passed(TODAY).values_list("rule_id", flat=True))
    assert "US.REPLY_NON_FINAL" in overdue
    assert {"WO.DEMAND", "WO.ART19_AMENDMENTS", "WO.PRIORITY_CLAIM_CORRECTION"} <= passed
    assert not passed & overdue
    assert not demand.is_overdue(TODAY) and demand.is_window_passed(TODAY)
    # Nothing is closed by time: the deadline stays open until a person answers.
    recompute(matter, today=TODAY + dt.timedelta(days=400))
    demand.refresh_from_db()
    assert demand.status == Deadline.Status.OPEN


def test_no_escalation_after_an_optional_window_but_reminders_before_it():
    matter = pct_matter()
    demand = rows(matter, "WO.DEMAND").get()
    fees = reply(matter)
    assert not Reminder.objects.filter(deadline=demand, kind=Reminder.Kind.OVERDUE).exists()
    assert Reminder.objects.filter(deadline=fees, kind=Reminder.Kind.OVERDUE).exists()
    # Before the date it is a real decision: reminded like any other deadline, and still no escalation.
    before = demand.due_date - dt.timedelta(days=20)
    planned = plan_reminders(deadline=demand, offsets=Offsets(), today=before)
    kinds = {p.kind for p in planned}
    assert Reminder.Kind.BEFORE_DUE in kinds and Reminder.Kind.OVERDUE not in kinds
    demand.optional = False  # the same deadline as an alarm would escalate
    assert Reminder.Kind.OVERDUE in {p.kind for p in plan_reminders(deadline=demand, offsets=Offsets(), today=before)}


def page_text(response) -> str:
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


@time_machine.travel(dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC))
def test_docket_lists_passed_windows_apart_and_closes_one_as_not_used(client):
    matter = pct_matter()
    user = UserFactory(username="optional-paralegal")
    TeamMembershipFactory(user=user, client=matter.client)
    client.force_login(user)
    demand = rows(matter, "WO.DEMAND").get()
    text = page_text(client.get("/?scope=all"))
    assert "Windows passed — confirm not used" in text
    # Only the unanswered US rejection is overdue; the three optional acts are not counted.
    assert "1 overdue" in text
    section = text.split("Windows passed — confirm not used", 1)[1].split("With the selected", 1)[0]
    assert "File demand for international preliminary examination" in section
    assert "Reply to non-final Office action" not in section

    detail = page_text(client.get(demand.get_absolute_url()))
    assert "window passed — confirm not used" in detail and "days overdue" not in detail
    matter_page = page_text(client.get(matter.get_absolute_url()))
    assert "window passed" in matter_page and "OVERDUE" not in matter_page

    response = client.post(f"/deadlines/{demand.pk}/not-used/", {"next": "/"})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert (demand.status, demand.waived_reason) == (Deadline.Status.WAIVED, NOT_USED_REASON)
    record = demand.history.first()
    assert record.history_user == user and record.history_change_reason == f"waived: {NOT_USED_REASON}"
    assert demand.needs_verification  # a second person confirms it, as for every hand-made change
    section = page_text(client.get("/?scope=all")).split("Windows passed — confirm not used", 1)[1]
    assert "File demand for international preliminary examination" not in section.split("With the selected")[0]


def test_not_used_is_refused_for_an_act_that_loses_the_right(client):
    matter = pct_matter()
    user = UserFactory(username="optional-paralegal-2")
    TeamMembershipFactory(user=user, client=matter.client)
    client.force_login(user)
    fees = reply(matter)
    response = client.post(f"/deadlines/{fees.pk}/not-used/", {"next": "/"})
    assert response.status_code == 302
    fees.refresh_from_db()
    assert fees.status == Deadline.Status.OPEN and fees.history.count() == 1
