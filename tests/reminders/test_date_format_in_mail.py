"""E-mails write dates the way their recipient chose (UserProfile.date_format), as the dashboard does: the
digest and weekly report, deadline reminders and their escalations, the explanation of how a date was
computed — subjects included, written exactly as the body writes the same date. Two members of one team, or
two recipients of one escalation, with different formats each get their own rendering and their own subject."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from deadlines.models import Delivery
from patents.dates import HINTS, format_date
from patents.models import TeamMembership
from tests.factories import DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

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
    # The subject: the same date as the body's heading, led by its weekday.
    assert paula.subject == "Docket digest Wed 03.06.2026: 1 overdue, 1 due this week, 2 unverified"
    assert arthur.subject == "Docket digest Wed 06/03/2026: 1 overdue, 1 due this week, 2 unverified"


def test_weekly_report_dates_follow_the_recipients_format(team, mailoutbox):
    set_profile(team["attorney"], date_format="Y-m-d")
    DeadlineFactory(matter=team["matter"], title="Reply to search opinion", due_date=dt.date(2026, 6, 8))
    sweep(at(dt.date(2026, 6, 1), 7, 0))
    [report] = [m for m in sent_to(mailoutbox, "arthur@firm.test") if m.subject.startswith("Weekly docket report")]
    assert report.body.splitlines()[0].endswith("– 2026-06-01")
    assert report.subject == "Weekly docket report, week of 2026-06-01"
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
    assert escalation.subject.endswith("(was due 01.06.2026)")


def reminders_to(mailoutbox, address: str) -> list:
    """The deadline reminders and escalations sent to ``address`` (not its digest or report)."""
    return [m for m in sent_to(mailoutbox, address) if not m.subject.startswith(("Docket digest", "Weekly docket"))]


@pytest.mark.parametrize("date_format", sorted(HINTS))
def test_a_reminders_subject_writes_the_date_as_its_body_does(make_deadline, team, mailoutbox, date_format):
    set_profile(team["paralegal"], date_format=date_format)
    make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=7), 8))
    [message] = reminders_to(mailoutbox, "paula@firm.test")
    written = format_date(DUE, date_format)  # "06/01/2026", "01.06.2026", "2026-06-01", "Mon 1 Jun 2026"
    assert message.subject == f"Due in 7 days: [ACME-001] Reply to Rule 71(3) communication ({written})"
    assert f"Due in 7 days: {written}." in message.body


def test_a_recipient_without_a_profile_reads_the_firms_format_in_subject_and_body(make_deadline, mailoutbox):
    make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=7), 8))
    [message] = reminders_to(mailoutbox, "paula@firm.test")
    assert message.subject.endswith("(Mon 1 Jun 2026)") and "Due in 7 days: Mon 1 Jun 2026." in message.body


def test_two_recipients_of_one_escalation_each_get_the_subject_in_their_format(make_deadline, team, mailoutbox):
    set_profile(team["paralegal"], date_format="m/d/Y")
    set_profile(team["attorney"], date_format="d.m.Y")
    make_deadline(due_date=DUE)
    sweep(at(DUE + dt.timedelta(days=1), 8))
    [paula] = reminders_to(mailoutbox, "paula@firm.test")
    [arthur] = reminders_to(mailoutbox, "arthur@firm.test")
    assert paula.subject == "OVERDUE 1 day: [ACME-001] Reply to Rule 71(3) communication (was due 06/01/2026)"
    assert arthur.subject == "OVERDUE 1 day: [ACME-001] Reply to Rule 71(3) communication (was due 01.06.2026)"
    assert "was due on 06/01/2026" in paula.body and "was due on 01.06.2026" in arthur.body
    # What was sent is what the delivery records (the outbox shows it; a resend uses it).
    stored = dict(Delivery.objects.filter(reminder__deadline__isnull=False).values_list("address", "subject"))
    assert stored == {"paula@firm.test": paula.subject, "arthur@firm.test": arthur.subject}


def test_a_docketing_team_reads_the_subject_each_in_their_own_format(team, make_deadline, mailoutbox):
    orphan = MatterFactory(client=team["client"], reference="ACME-002")
    for name, date_format in (("dora", "Y-m-d"), ("dave", "m/d/Y"), ("dina", "Y-m-d")):
        member = UserFactory(username=name, email=f"{name}@firm.test")
        TeamMembershipFactory(user=member, client=team["client"], role=TeamMembership.Role.DOCKETING)
        set_profile(member, date_format=date_format)
    make_deadline(due_date=DUE, responsible=None, matter=orphan)
    sweep(at(DUE - dt.timedelta(days=7), 8))
    names = ("dora", "dave", "dina")
    subjects = {name: [m.subject for m in reminders_to(mailoutbox, f"{name}@firm.test")] for name in names}
    assert subjects == {
        "dora": ["Due in 7 days: [ACME-002] Reply to Rule 71(3) communication (2026-06-01)"],
        "dave": ["Due in 7 days: [ACME-002] Reply to Rule 71(3) communication (06/01/2026)"],
        "dina": ["Due in 7 days: [ACME-002] Reply to Rule 71(3) communication (2026-06-01)"],
    }


def test_subjects_in_each_recipients_format_cost_no_query_per_recipient(team, make_deadline, mailoutbox):
    """The claim reads each recipient's format from the profile loaded with the recipient (one join), never
    one profile query per recipient: the sweep keeps its pace with thousands of messages."""
    formats = sorted(HINTS)
    for i in range(8):
        paralegal = UserFactory(username=f"para{i}", email=f"para{i}@firm.test")
        set_profile(paralegal, date_format=formats[i % len(formats)])
        matter = MatterFactory(client=team["client"], reference=f"ACME-1{i:02d}", responsible_attorney=team["attorney"])
        make_deadline(due_date=DUE, responsible=paralegal, matter=matter)
    docketing = UserFactory(username="dora", email="dora@firm.test")
    TeamMembershipFactory(user=docketing, client=team["client"], role=TeamMembership.Role.DOCKETING)
    set_profile(docketing, date_format="Y-m-d")
    make_deadline(due_date=DUE, responsible=None, matter=MatterFactory(client=team["client"], reference="ACME-200"))
    set_profile(team["attorney"], date_format="m/d/Y")
    with CaptureQueriesContext(connection) as queries:
        sweep(at(DUE + dt.timedelta(days=1), 8))  # escalations: each to its paralegal and the attorney
    assert len([m for m in mailoutbox if m.subject.startswith("OVERDUE")]) == 8 * 2 + 1
    profile_table = '"patents_userprofile"'
    alone = [q["sql"] for q in queries.captured_queries if f"FROM {profile_table}" in q["sql"]]
    assert alone == []
    [attorney_ones] = {
        m.subject.rsplit("(", 1)[1] for m in reminders_to(mailoutbox, "arthur@firm.test")
    }
    assert attorney_ones == "was due 06/01/2026)"
