"""A reminder says how its date was computed, in the same words as `deadlines explain` and the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.html import strip_tags

from deadlines import explanation
from deadlines.models import Delivery

from .conftest import at, sent_to, sweep


def reminder_mail(mailoutbox):
    [message] = [m for m in sent_to(mailoutbox, "paula@firm.test") if m.subject.startswith("Due ")]
    return message

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 1)
EXPLANATION = {
    "rule": {"id": "EP.REPLY_94_3", "version": 1},
    "citation": "EPC Art. 94(3); Rule 71(1)",
    "inputs": {
        "trigger": {"code": "EP.COMMUNICATION_94_3", "date": "2026-01-30", "ref": "17", "params": {}},
        "calendar": "EPO working days",
        "convention": "EPC Rule 131",
    },
    "steps": [
        {"op": "add", "from": "2026-01-30", "base": "event", "period": "4 months", "result": "2026-05-30",
         "citation": "EPC Rule 131(4)", "note": "same day of the month"},
        {"op": "roll_forward", "what": "due date", "from": "2026-05-30", "result": "2026-06-01",
         "skipped": [{"date": "2026-05-30", "causes": [{"type": "weekend", "name": "Saturday", "source": "weekend"}]},
                     {"date": "2026-05-31", "causes": [{"type": "weekend", "name": "Sunday", "source": "weekend"}]}]},
    ],
    "due_date": "2026-06-01",
}
REMEDIES = [{"name": "further processing", "until": None, "citation": "EPC Art. 121; Rule 135(1)", "basis": ""}]


def test_deadline_reminder_explains_the_date_in_text_and_html(make_deadline, mailoutbox):
    deadline = make_deadline(due_date=DUE, explanation=EXPLANATION, remedies=REMEDIES)
    sweep(at(DUE - dt.timedelta(days=60), 8))
    message = reminder_mail(mailoutbox)
    assert "How the date was computed:" in message.body
    assert "+ 4 months from 2026-01-30 (event) = 2026-05-30" in message.body
    assert "2026-05-30: Saturday [weekend]" in message.body
    assert "remedy: further processing until (depends on a later communication)" in message.body
    # The plain part is the command line's text without its header, the HTML part the page's fragment.
    assert explanation.render_text(explanation.explain_deadline(deadline)) in message.body
    html = " ".join(strip_tags(message.alternatives[0][0]).split())
    assert "Fri 30 Jan 2026 (event) + 4 months = Sat 30 May 2026" in html
    assert "Moved forward: the office is closed on the due date" in html
    # What was announced is kept on the delivery, explanation included.
    assert "How the date was computed:" in Delivery.objects.get(reminder__deadline=deadline).body


def test_a_deadline_without_explanation_still_gets_its_reminder(make_deadline, mailoutbox):
    make_deadline(due_date=DUE, explanation={})
    sweep(at(DUE - dt.timedelta(days=60), 8))
    message = reminder_mail(mailoutbox)
    assert message.subject.startswith("Due in 60 days")
    assert "How the date was computed:" not in message.body
    assert "carries no explanation" in message.alternatives[0][0]
