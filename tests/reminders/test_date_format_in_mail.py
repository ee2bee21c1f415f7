"""E-mails write dates the way their recipient chose (UserProfile.date_format), as the dashboard does: the
digest and weekly report, deadline reminders and their escalations, the explanation of how a date was
computed. Two members of one team with different formats each get their own rendering.

Subjects stay in the firm's unambiguous "01 Jun 2026": one subject is computed per reminder, for all of its
recipients, before any of them is known to the message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.html import strip_tags

from tests.factories import DeadlineFactory

from .conftest import at, sent_to, set_profile, sweep
from .test_explanation_in_email import EXPLANATION, REMEDIES

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.date(2026, 6, 3)
DUE = dt.date(2026, 6, 1)


def test_digest_dates_follow_each_recipients_format(team, mailoutbox):
    set_profile(team["paralegal"], date_format="d.m.Y")
    set_profile(team["attorney"], date_format="m/d/Y")
    DeadlineFactory(matter=team["matter"], title="Pay renewal fee", due_date=dt.date(2026, 6, 1),
                    responsible=team["paralegal"])
    DeadlineFactory(matter=team["matter"], title="Reply to search opinion", due_date=dt.date(2026, 6, 8),
                    responsible=team["paralegal"])
    sweep(at(WEDNESDAY, 7, 30))
    [paula] = [m for m in sent_to(mailoutbox, "paula@firm.test") if m.subject.startswith("Docket digest")]
    [arthur] = [m for m in sent_to(mailoutbox, "arthur@firm.test") if m.subject.startswith("Docket digest")]
    assert "Docket digest – 03.06.2026" in paula.body and "- 01.06.2026  ACME-001" in paula.body
    assert "until 09.06.2026" in paula.body and "08.06.2026" in paula.alternatives[0][0]
    assert "Jun" not in paula.body.split("\n", 1)[1]  # no other format anywhere in the body
    assert "Docket digest – 06/03/2026" in arthur.body and "- 06/01/2026  ACME-001" in arthur.body


def test_weekly_report_dates_follow_the_recipients_format(team, mailoutbox):
    set_profile(team["attorney"], date_format="Y-m-d")
    DeadlineFactory(matter=team["matter"], title="Reply to search opinion", due_date=dt.date(2026, 6, 8))
    sweep(at(dt.date(2026, 6, 1), 7, 0))
    [report] = [m for m in sent_to(mailoutbox, "arthur@firm.test") if m.subject.startswith("Weekly docket report")]
    assert report.body.splitlines()[0].endswith("– 2026-06-01")
    assert "OPEN DEADLINES UNTIL 2026-07-27" in report.body and "- 2026-06-08  ACME-001" in report.body


def test_reminder_and_its_explanation_follow_the_recipients_format(make_deadline, team, mailoutbox):
    set_profile(team["paralegal"], date_format="m/d/Y")
    make_deadline(due_date=DUE, explanation=EXPLANATION, remedies=REMEDIES)
    sweep(at(DUE - dt.timedelta(days=60), 8))
    [message] = [m for m in sent_to(mailoutbox, "paula@firm.test") if m.subject.startswith("Due ")]
    assert "06/01/2026" in message.body and "1 June 2026" not in message.body
    html = " ".join(strip_tags(message.alternatives[0][0]).split())
    assert "01/30/2026 (event) + 4 months = 05/30/2026" in html


def test_an_escalation_speaks_in_the_recipients_format(make_deadline, team, mailoutbox):
    set_profile(team["attorney"], date_format="d.m.Y")
    make_deadline(due_date=DUE)
    sweep(at(DUE + dt.timedelta(days=2), 8))
    [escalation] = [m for m in sent_to(mailoutbox, "arthur@firm.test") if m.subject.startswith("OVERDUE")]
    assert "was due on 01.06.2026" in escalation.body
    assert "(was due 01 Jun 2026)" in escalation.subject  # one subject for every recipient (module docstring)
