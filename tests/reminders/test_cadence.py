"""Reminder cadence: 60/30/14/7/3/1 days and on the day, latest-date reminders, daily escalation, policies."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlines.models import Deadline, Reminder, ReminderPolicy
from docketapp.audit import attributed

from .conftest import at, sent_to, sweep

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 1)


def run_daily(start: dt.date, end: dt.date, hour: int = 8) -> None:
    day = start
    while day <= end:
        sweep(at(day, hour))
        day += dt.timedelta(days=1)


def deadline_mail(mailoutbox, address: str) -> list:
    return [
        m
        for m in sent_to(mailoutbox, address)
        if "digest" not in m.subject.lower() and "report" not in m.subject.lower()
    ]


def test_default_cadence_reminds_60_30_14_7_3_1_days_before_and_on_the_day(make_deadline, mailoutbox, team):
    deadline = make_deadline(due_date=DUE)
    sent_days = []
    # Every reminder day and the days either side of it (a daily loop proves no more, at 3x the run time).
    days_before = sorted({d + delta for d in (60, 30, 14, 7, 3, 1, 0) for delta in (1, 0, -1)} - {-1}, reverse=True)
    for days in [61, *days_before]:
        before = len(deadline_mail(mailoutbox, "paula@firm.test"))
        sweep(at(DUE - dt.timedelta(days=days), 8))
        if len(deadline_mail(mailoutbox, "paula@firm.test")) > before:
            sent_days.append(days)
    assert sent_days == [60, 30, 14, 7, 3, 1, 0]
    subjects = [m.subject for m in deadline_mail(mailoutbox, "paula@firm.test")]
    assert subjects[0].startswith("Due in 60 days: [ACME-001]")
    assert subjects[-2].startswith("Due tomorrow:")
    assert subjects[-1].startswith("Due today:")
    # Ordinary reminders go to the responsible person only, not the attorney.
    assert deadline_mail(mailoutbox, "arthur@firm.test") == []
    assert deadline.reminders.filter(kind=Reminder.Kind.BEFORE_DUE, status=Reminder.Status.SENT).count() == 7


def test_reminder_is_not_sent_before_the_firm_morning(make_deadline, mailoutbox):
    make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=8), 8))  # the 14-day reminder
    sweep(at(DUE - dt.timedelta(days=7), 6, 59))
    assert len(deadline_mail(mailoutbox, "paula@firm.test")) == 1
    sweep(at(DUE - dt.timedelta(days=7), 7, 0))
    assert [m.subject[:14] for m in deadline_mail(mailoutbox, "paula@firm.test")] == [
        "Due in 8 days:",
        "Due in 7 days:",
    ]


def test_overdue_escalates_daily_to_responsible_and_supervising_attorney(make_deadline, mailoutbox):
    make_deadline(due_date=DUE)
    run_daily(DUE + dt.timedelta(days=1), DUE + dt.timedelta(days=4))
    for address in ("paula@firm.test", "arthur@firm.test"):
        subjects = [m.subject for m in deadline_mail(mailoutbox, address)]
        assert subjects == [
            f"OVERDUE {n} day{'s' if n > 1 else ''}: [ACME-001] Reply to Rule 71(3) communication "
            "(was due Mon 1 Jun 2026)"
            for n in (1, 2, 3, 4)
        ]
    attorney_mail = deadline_mail(mailoutbox, "arthur@firm.test")[0]
    assert "supervising attorney" in attorney_mail.body


def test_escalation_runs_on_without_any_deadline_change(make_deadline, mailoutbox):
    make_deadline(due_date=DUE)
    run_daily(DUE + dt.timedelta(days=1), DUE + dt.timedelta(days=10))
    assert len(deadline_mail(mailoutbox, "paula@firm.test")) == 10


def test_extendable_deadline_is_also_announced_before_its_latest_date(make_deadline, mailoutbox):
    latest = DUE + dt.timedelta(days=60)  # 31 Jul 2026
    make_deadline(due_date=DUE, extendable=True, latest_date=latest)
    planned = set(Reminder.objects.filter(kind=Reminder.Kind.BEFORE_LATEST).values_list("offset_days", flat=True))
    # 60 days before the latest date falls before the due date: the ordinary reminders cover that time.
    assert planned == {30, 14, 7, 3, 1, 0}
    sweep(at(latest - dt.timedelta(days=14), 8))
    latest_mail = [m for m in deadline_mail(mailoutbox, "paula@firm.test") if m.subject.startswith("Last possible")]
    assert [m.subject for m in latest_mail] == [
        "Last possible date in 14 days: [ACME-001] Reply to Rule 71(3) communication (Fri 31 Jul 2026)"
    ]
    assert "with extension or grace" in latest_mail[0].body


@pytest.mark.parametrize(
    ("policy_client", "policy_kind", "offsets", "expected"),
    [
        pytest.param(False, "", "10, 2", {10, 2}, id="firm-wide-default"),
        pytest.param(False, Deadline.Kind.STATUTORY, "90,45", {90, 45}, id="per-kind"),
        pytest.param(True, "", "21;5;0", {21, 5, 0}, id="per-client"),
        pytest.param(False, Deadline.Kind.INTERNAL, "1", {60, 30, 14, 7, 3, 1, 0}, id="other-kind-not-applied"),
    ],
)
def test_policy_offsets_apply_per_kind_and_client(team, make_deadline, policy_client, policy_kind, offsets, expected):
    with attributed(reason="policy", process="tests"):
        ReminderPolicy.objects.create(
            client=team["client"] if policy_client else None,
            deadline_kind=policy_kind,
            before_due_days=offsets,
        )
    deadline = make_deadline(due_date=DUE, kind=Deadline.Kind.STATUTORY)
    assert (
        set(deadline.reminders.filter(kind=Reminder.Kind.BEFORE_DUE).values_list("offset_days", flat=True)) == expected
    )


def test_client_policy_wins_over_kind_policy(team, make_deadline):
    with attributed(reason="policy", process="tests"):
        ReminderPolicy.objects.create(deadline_kind=Deadline.Kind.STATUTORY, before_due_days="90")
        ReminderPolicy.objects.create(
            client=team["client"], deadline_kind=Deadline.Kind.STATUTORY, before_due_days="20"
        )
    deadline = make_deadline(due_date=DUE, kind=Deadline.Kind.STATUTORY)
    assert list(deadline.reminders.filter(kind=Reminder.Kind.BEFORE_DUE).values_list("offset_days", flat=True)) == [20]


def test_policy_rejects_offsets_that_are_not_day_counts():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ReminderPolicy(before_due_days="60, soon").full_clean()


def test_deadline_without_responsible_goes_to_matter_paralegal_then_docketing(team, make_deadline, mailoutbox):
    from patents.models import TeamMembership
    from tests.factories import MatterFactory, TeamMembershipFactory, UserFactory

    make_deadline(due_date=DUE, responsible=None)
    docketing = UserFactory(username="dora", email="dora@firm.test")
    TeamMembershipFactory(user=docketing, client=team["client"], role=TeamMembership.Role.DOCKETING)
    orphan = MatterFactory(client=team["client"], reference="ACME-002")
    make_deadline(due_date=DUE, responsible=None, matter=orphan)
    sweep(at(DUE - dt.timedelta(days=7), 8))
    assert [m.subject[:24] for m in deadline_mail(mailoutbox, "paula@firm.test")] == ["Due in 7 days: [ACME-001"]
    assert [m.subject[:24] for m in deadline_mail(mailoutbox, "dora@firm.test")] == ["Due in 7 days: [ACME-002"]
