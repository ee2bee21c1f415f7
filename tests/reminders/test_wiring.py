"""The dashboard actions keep reminders in step at once (no need to wait for the sweep's safety net)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from deadlines import actions
from deadlines.models import Deadline, Reminder

from .conftest import at, sent_to, sweep

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("act", "status"),
    [
        pytest.param(
            lambda d, u: actions.mark_done(
                deadline=d, user=u, done_on=DUE - dt.timedelta(days=8), evidence="receipt 123"
            ),
            "done",
            id="mark-done",
        ),
        pytest.param(lambda d, u: actions.waive(deadline=d, user=u, reason="client abandons"), "waived", id="waive"),
    ],
)
def test_closing_a_deadline_on_the_dashboard_cancels_its_reminders(team, make_deadline, mailoutbox, act, status):
    deadline = make_deadline(due_date=DUE)
    with time_machine.travel(at(DUE - dt.timedelta(days=8), 12), tick=False):
        act(deadline, team["paralegal"])
    assert not deadline.reminders.filter(status=Reminder.Status.SCHEDULED).exists()
    assert set(deadline.reminders.values_list("status_reason", flat=True)) >= {f"deadline {status}"}
    sweep(at(DUE - dt.timedelta(days=7), 8))
    sweep(at(DUE + dt.timedelta(days=1), 8))
    assert [m for m in sent_to(mailoutbox, "paula@firm.test") if "ACME-001" in m.subject] == []


def test_manual_deadline_added_on_the_dashboard_is_scheduled_at_once(team, mailoutbox):
    with time_machine.travel(at(DUE - dt.timedelta(days=20), 12), tick=False):
        deadline = actions.add_manual_deadline(
            matter=team["matter"],
            user=team["paralegal"],
            title="Client instruction deadline",
            kind=Deadline.Kind.INTERNAL,
            due_date=DUE,
            reason="client e-mail of 3 May",
            responsible=team["paralegal"],
        )
    assert deadline.reminders.filter(status=Reminder.Status.SCHEDULED, kind=Reminder.Kind.BEFORE_DUE).count() == 7
    sweep(at(DUE - dt.timedelta(days=14), 8))
    assert [m.subject for m in sent_to(mailoutbox, "paula@firm.test") if "ACME-001" in m.subject] == [
        "Due in 14 days: [ACME-001] Client instruction deadline (Mon 1 Jun 2026)"
    ]
