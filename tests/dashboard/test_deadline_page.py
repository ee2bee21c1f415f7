"""The deadline page explains the date in plain words, straight from the engine's explanation."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils.html import strip_tags

from deadlines.rules.engine import compute
from deadlines.rules.model import EventFact, MatterFacts
from tests.factories import DeadlineFactory

pytestmark = pytest.mark.django_db


def store(matter, computed, **extra):
    c = computed
    return DeadlineFactory(
        matter=matter,
        key=c.key,
        rule_id=c.rule,
        office=c.office,
        title=c.title,
        kind=c.kind,
        due_date=c.due_date,
        latest_date=c.latest_date,
        citation=c.citation,
        explanation=c.explanation,
        extendable=c.extendable,
        remedies=[{**r, "until": r["until"].isoformat() if r.get("until") else None} for r in c.remedies],
        **extra,
    )


def page_text(client, deadline) -> str:
    response = client.get(deadline.get_absolute_url())
    assert response.status_code == 200
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def test_us_reply_explains_rule_inputs_steps_holiday_roll_forward_extensions_and_remedies(client, portfolio):
    # Mailed Sun 16 Nov 2025 + 3 months = Mon 16 Feb 2026, Washington's Birthday → Tue 17 Feb 2026.
    computed = compute(
        MatterFacts(office="US", filing_date=dt.date(2024, 5, 1)),
        [EventFact(ref="1", code="US.NON_FINAL_REJECTION", date=dt.date(2025, 11, 16))],
    ).deadlines[0]
    assert computed.due_date == dt.date(2026, 2, 17)
    d = store(portfolio["matter_a2"], computed, responsible=portfolio["alice"])
    client.force_login(portfolio["alice"])
    text = page_text(client, d)
    assert "Rule US.REPLY_NON_FINAL (version 1)" in text
    assert "35 U.S.C. 133; 37 CFR 1.134, 1.111; MPEP 710.02(b)" in text
    assert "US.NON_FINAL_REJECTION dated Sun 16 Nov 2025" in text
    assert "Sun 16 Nov 2025 (event) + 3 months = Mon 16 Feb 2026" in text
    assert "Moved forward: the office is closed on the due date" in text
    assert "Mon 16 Feb 2026: public holiday: Washington's Birthday" in text
    assert "holidays.US(categories=('public', 'government'))" in text
    assert "Due date: Tue 17 Feb 2026" in text
    assert "Extension by paying a fee for each extra month" in text and "37 CFR 1.136(a)" in text
    for months in ("+1 month", "+2 months", "+3 months"):
        assert months in text
    assert "petition to revive (unintentional delay)" in text and "37 CFR 1.137(a)" in text
    assert "never more than six months" in text


def test_ep_reply_shows_the_office_closure_that_moved_the_date_and_the_deemed_notification(client, portfolio):
    computed = compute(
        MatterFacts(office="EP", filing_date=dt.date(2024, 5, 1)),
        [EventFact(ref="2", code="EP.COMMUNICATION_94_3", date=dt.date(2026, 8, 24), params={"period_months": 4})],
        closures={"EP": {dt.date(2026, 12, 24): ("EPO closed", "OJ EPO 2025, A100")}},
    ).deadlines[0]
    d = store(portfolio["matter_a"], computed)
    client.force_login(portfolio["alice"])
    text = page_text(client, d)
    assert "Deemed notification" in text and "documents dated on or after 1 Nov 2023" in text
    assert "Thu 24 Dec 2026: office closed: EPO closed [OJ EPO 2025, A100]" in text
    assert "Due date: Fri 25 Dec 2026" in text
    assert "Extension on request" in text and "EPC Rule 132(2)" in text
    assert "further processing" in text and "EPC Art. 121; Rule 135(1)" in text
    assert "period_months = 4" in text


def test_unknown_steps_and_fields_are_shown_not_hidden(client, portfolio):
    d = DeadlineFactory(
        matter=portfolio["matter_a"],
        explanation={
            "rule": {"id": "X.NEW", "version": 2},
            "steps": [
                {
                    "op": "leap_adjustment",
                    "note": "a step the dashboard does not know yet",
                    "result": "2026-05-04",
                    "shift": 3,
                }
            ],
            "reviewed_by_counsel": "yes",
        },
    )
    client.force_login(portfolio["alice"])
    text = page_text(client, d)
    assert "Leap adjustment" in text and "a step the dashboard does not know yet" in text
    assert "shift: 3" in text and "Mon 4 May 2026" in text
    assert "reviewed_by_counsel" in text


def test_a_deadline_without_explanation_says_so(client, portfolio):
    d = DeadlineFactory(matter=portfolio["matter_a"], explanation={})
    client.force_login(portfolio["alice"])
    assert "carries no explanation" in page_text(client, d)


def test_overdue_deadline_page_says_how_many_days_overdue(client, portfolio):
    client.force_login(portfolio["alice"])
    text = page_text(client, portfolio["overdue"])
    assert "5 days overdue" in text
    assert "UNVERIFIED" in text


def test_history_on_the_page_says_who_when_why_and_what_changed(client, portfolio):
    from deadlines import actions

    d = portfolio["soon"]
    actions.mark_done(deadline=d, user=portfolio["bob"], done_on=dt.date(2026, 3, 1), evidence="receipt 99")
    client.force_login(portfolio["alice"])
    text = page_text(client, d)
    assert "bob — changed: marked done on 2026-03-01: receipt 99" in text
    assert "status: Open → Done" in text
    assert "last changed by: — → bob" in text
    assert "tests (automatic) — created: test fixture" in text


def test_history_naming_both_a_user_and_an_office_event_is_shown_in_words(client, portfolio):
    """A history with a person's change and an engine reason naming an event code: the names and labels are
    looked up together (one UNION query). On SQLite — the demo's database — that query once failed with
    "ORDER BY not allowed in subqueries of compound statements" and the deadline page was a 500."""
    from deadlines import actions
    from docketapp.audit import attributed
    from patents.models import EventType

    event_type = EventType.objects.exclude(label="").order_by("code").first()
    assert event_type is not None  # seeded by the migrations
    d = portfolio["soon"]
    with attributed(reason=f"recompute: {event_type.code} recorded", process="deadlines.recompute"):
        d.title = "Reply to the communication"
        d.save()
    actions.mark_done(deadline=d, user=portfolio["bob"], done_on=dt.date(2026, 3, 1), evidence="receipt 99")
    client.force_login(portfolio["alice"])
    text = page_text(client, d)
    assert "bob — changed: marked done on 2026-03-01: receipt 99" in text
    assert f"recompute: {event_type.label} recorded" in text and f"{event_type.code} recorded" not in text


def test_a_user_without_a_time_zone_gets_the_firms_today_on_the_page_and_in_reminders(client, portfolio, settings):
    import time_machine
    from django.utils import timezone

    from deadlines.reminders import digest_context

    # settings.TIME_ZONE is the firm's zone for users without their own. At 20:00 UTC on 2 March it is already
    # 3 March in Tokyo: the page must count days from 3 March, as the reminder e-mails do.
    settings.TIME_ZONE = "Asia/Tokyo"
    alice, soon = portfolio["alice"], portfolio["soon"]  # soon: due 12 March
    client.force_login(alice)
    with time_machine.travel(dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.UTC), tick=False):
        response = client.get(soon.get_absolute_url())
        digest = digest_context(user=alice, now=timezone.now())
    assert response.context["today"] == dt.date(2026, 3, 3)
    assert response.context["days_left"] == 9
    assert digest["today"] == response.context["today"]
