"""Moved deadlines are rescheduled, closed ones cancelled, and a sweep after downtime sends no flood."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from deadlines.models import Deadline, Reminder

from .conftest import at, change, resync, sent_to, sweep

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 1)


def deadline_subjects(mailoutbox, address="paula@firm.test") -> list[str]:
    return [
        m.subject
        for m in sent_to(mailoutbox, address)
        if "digest" not in m.subject.lower() and "report" not in m.subject.lower()
    ]


def test_moved_deadline_is_announced_for_the_new_date_only(make_deadline, mailoutbox):
    deadline = make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=30), 8))  # 30-day reminder for 1 June
    change(deadline, due_date=DUE + dt.timedelta(days=28))  # office moved it to 29 June
    resync(deadline, at(DUE - dt.timedelta(days=29), 10))
    sweep(at(DUE - dt.timedelta(days=29), 10, 5))  # the new date is announced at once
    sweep(at(DUE - dt.timedelta(days=14), 8))  # the old 14-day date: nothing
    sweep(at(DUE + dt.timedelta(days=14), 8))  # 14 days before 29 June
    assert deadline_subjects(mailoutbox) == [
        "Due in 30 days: [ACME-001] Reply to Rule 71(3) communication (Mon 1 Jun 2026)",
        "Due in 57 days: [ACME-001] Reply to Rule 71(3) communication (Mon 29 Jun 2026)",
        "Due in 14 days: [ACME-001] Reply to Rule 71(3) communication (Mon 29 Jun 2026)",
    ]
    moved = deadline.reminders.get(kind=Reminder.Kind.BEFORE_DUE, offset_days=7)
    assert (moved.target_date, moved.status) == (dt.date(2026, 6, 29), Reminder.Status.SCHEDULED)
    assert moved.status_reason == "rescheduled: date moved from 2026-06-01"
    # What was sent for the old date stays as the record.
    assert deadline.reminders.get(offset_days=30, target_date=DUE).status == Reminder.Status.SENT


def test_deadline_moved_earlier_is_announced_at_once(make_deadline, mailoutbox):
    deadline = make_deadline(due_date=DUE)
    change(deadline, due_date=dt.date(2026, 1, 15))
    resync(deadline, at(dt.date(2026, 1, 5), 10))
    sweep(at(dt.date(2026, 1, 6), 8))
    assert deadline_subjects(mailoutbox) == [
        "Due in 9 days: [ACME-001] Reply to Rule 71(3) communication (Thu 15 Jan 2026)"
    ]


def test_extension_stops_the_escalation_and_reminds_for_the_new_date(make_deadline, mailoutbox):
    deadline = make_deadline(due_date=DUE, extendable=True, latest_date=DUE + dt.timedelta(days=60))
    sweep(at(DUE + dt.timedelta(days=1), 8))
    assert deadline_subjects(mailoutbox)[-1].startswith("OVERDUE 1 day:")
    change(deadline, extended_to=DUE + dt.timedelta(days=30))
    resync(deadline, at(DUE + dt.timedelta(days=1), 10))
    for days in range(2, 24):
        sweep(at(DUE + dt.timedelta(days=days), 8))
    after = deadline_subjects(mailoutbox)[1:]
    assert not any(s.startswith("OVERDUE") for s in after)
    # The new date is announced at once (the 30-day reminder came due before the extension), then on cadence.
    assert [a.split(":")[0] for a in after] == ["Due in 28 days", "Due in 14 days", "Due in 7 days"]
    assert all(a.endswith("(Wed 1 Jul 2026)") for a in after)


@pytest.mark.parametrize(
    "status",
    [Deadline.Status.DONE, Deadline.Status.WAIVED, Deadline.Status.SUPERSEDED, Deadline.Status.MISSED],
)
def test_closed_deadline_cancels_its_scheduled_reminders(make_deadline, mailoutbox, status):
    deadline = make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=30), 8))
    change(deadline, status=status)
    resync(deadline, at(DUE - dt.timedelta(days=29), 10))
    for days in (14, 7, 0, -1, -2):
        sweep(at(DUE - dt.timedelta(days=days), 8))
    assert len(deadline_subjects(mailoutbox)) == 1
    assert deadline_subjects(mailoutbox, "arthur@firm.test") == []
    scheduled = deadline.reminders.filter(status=Reminder.Status.SCHEDULED)
    assert not scheduled.exists()
    cancelled = deadline.reminders.filter(status=Reminder.Status.CANCELLED)
    assert cancelled.count() >= 6
    assert {r.status_reason for r in cancelled} == {f"deadline {status.label.lower()}"}


def test_sweep_does_not_announce_a_closed_or_moved_deadline_when_nobody_synced(make_deadline, mailoutbox):
    """Safety net: an engine or action that forgot to sync must not cause a wrong e-mail."""
    done = make_deadline(due_date=DUE)
    moved = make_deadline(due_date=DUE)
    change(done, status=Deadline.Status.DONE)
    change(moved, due_date=DUE + dt.timedelta(days=60))
    sweep(at(DUE - dt.timedelta(days=7), 8))
    assert deadline_subjects(mailoutbox) == []
    assert not done.reminders.filter(status=Reminder.Status.SCHEDULED).exists()
    assert set(moved.reminders.filter(status=Reminder.Status.SCHEDULED).values_list("target_date", flat=True)) == {
        DUE + dt.timedelta(days=60)
    }


def test_new_deadline_without_sync_is_scheduled_by_the_sweep(team, mailoutbox):
    from tests.factories import DeadlineFactory

    DeadlineFactory(matter=team["matter"], responsible=team["paralegal"], due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=3), 8))
    assert deadline_subjects(mailoutbox) == [
        "Due in 3 days: [ACME-001] Reply to Rule 71(3) communication (Mon 1 Jun 2026)"
    ]


def test_reopened_deadline_gets_its_reminders_back(make_deadline, mailoutbox):
    deadline = make_deadline(due_date=DUE)
    change(deadline, status=Deadline.Status.DONE)
    resync(deadline, at(DUE - dt.timedelta(days=20), 10))
    change(deadline, status=Deadline.Status.OPEN)
    resync(deadline, at(DUE - dt.timedelta(days=20), 11))
    sweep(at(DUE - dt.timedelta(days=1), 8))
    assert deadline_subjects(mailoutbox) == [
        "Due tomorrow: [ACME-001] Reply to Rule 71(3) communication (Mon 1 Jun 2026)"
    ]


def test_catch_up_after_downtime_sends_only_the_latest_reminder(make_deadline, mailoutbox):
    deadline = make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=60), 8))
    # Down from 59 days before until 10 days before: the 30- and 14-day reminders were missed.
    sweep(at(DUE - dt.timedelta(days=10), 8))
    assert deadline_subjects(mailoutbox) == [
        "Due in 60 days: [ACME-001] Reply to Rule 71(3) communication (Mon 1 Jun 2026)",
        "Due in 10 days: [ACME-001] Reply to Rule 71(3) communication (Mon 1 Jun 2026)",
    ]
    thirty = deadline.reminders.get(offset_days=30)
    assert thirty.status == Reminder.Status.SKIPPED
    assert thirty.status_reason.startswith("overtaken: a later reminder for the same date was already due")
    assert deadline.reminders.get(offset_days=14).status == Reminder.Status.SENT


def test_catch_up_after_downtime_sends_one_escalation_not_one_per_missed_day(make_deadline, mailoutbox):
    make_deadline(due_date=DUE)
    sweep(at(DUE + dt.timedelta(days=1), 8))
    sweep(at(DUE + dt.timedelta(days=6), 8))  # down for four days
    sweep(at(DUE + dt.timedelta(days=7), 8))
    assert [s.split(":")[0] for s in deadline_subjects(mailoutbox)] == [
        "OVERDUE 1 day",
        "OVERDUE 6 days",
        "OVERDUE 7 days",
    ]


def test_sweeping_twice_in_a_row_sends_nothing_twice(make_deadline, mailoutbox):
    make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=7), 8))
    count = len(mailoutbox)
    assert count >= 1
    sweep(at(DUE - dt.timedelta(days=7), 8, 5))
    sweep(at(DUE - dt.timedelta(days=7), 9))
    assert len(mailoutbox) == count


def test_the_management_command_runs_the_sweep(make_deadline, mailoutbox):
    import time_machine
    from django.core.management import call_command

    make_deadline(due_date=DUE)
    with time_machine.travel(at(DUE - dt.timedelta(days=1), 8), tick=False):
        call_command("send_due_reminders")
        call_command("send_due_reminders")
    assert deadline_subjects(mailoutbox) == [
        "Due tomorrow: [ACME-001] Reply to Rule 71(3) communication (Mon 1 Jun 2026)"
    ]


def test_cancelling_a_schedule_stamps_each_row_and_costs_a_fixed_number_of_statements(
    make_deadline, django_assert_max_num_queries
):
    """A recorded office event that supersedes a deadline cancels its whole schedule in the event's transaction:
    the rows carry the moment of the change (``updated_at``), and the statements do not grow with the rows
    (issue 18: each row's old ``updated_at`` used to be read back one query at a time and written unchanged)."""
    deadline = make_deadline(due_date=DUE)
    resync(deadline, at(DUE - dt.timedelta(days=90), 8))
    scheduled = deadline.reminders.filter(status=Reminder.Status.SCHEDULED)
    assert scheduled.count() >= 6
    change(deadline, status=Deadline.Status.SUPERSEDED)
    when = at(DUE - dt.timedelta(days=40), 10)
    # policies, savepoint, deadlines, one UPDATE for all of them (no locking read first), release
    with django_assert_max_num_queries(5):
        resync(deadline, when)
    cancelled = list(deadline.reminders.filter(status=Reminder.Status.CANCELLED))
    assert len(cancelled) >= 6
    assert {(r.updated_at, r.processed_at, r.status_reason) for r in cancelled} == {
        (when, when, "deadline superseded")
    }


def test_a_moved_deadline_gives_each_row_its_own_new_date(make_deadline):
    """Rows changed to different values are written each with its own (not grouped into one wrong value)."""
    deadline = make_deadline(due_date=DUE)
    resync(deadline, at(DUE - dt.timedelta(days=90), 8))
    change(deadline, due_date=DUE + dt.timedelta(days=10))
    when = at(DUE - dt.timedelta(days=80), 9)
    resync(deadline, when)
    scheduled = deadline.reminders.filter(status=Reminder.Status.SCHEDULED, kind=Reminder.Kind.BEFORE_DUE)
    new_date = DUE + dt.timedelta(days=10)
    assert scheduled.count() >= 4
    for row in scheduled:
        assert row.target_date == new_date
        assert row.due_at.date() == new_date - dt.timedelta(days=row.offset_days)
        assert row.updated_at == when


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reminder_being_sent_while_its_deadline_closes_stays_sent_and_the_rest_are_cancelled(make_deadline):
    """The schedule of a closed deadline is cancelled by one UPDATE with no locking read first. A sweep that
    holds one of its rows (claiming it, about to send) must finish first; the row is then sent, and the UPDATE,
    which checks "scheduled" again on the row it waited for, leaves it alone: the record says sent, not
    cancelled, and nothing is sent twice."""
    deadline = make_deadline(due_date=DUE)
    resync(deadline, at(DUE - dt.timedelta(days=90), 8))
    scheduled = list(deadline.reminders.filter(status=Reminder.Status.SCHEDULED).order_by("pk"))
    assert len(scheduled) >= 4
    held = scheduled[0]
    locked, release, failures = threading.Event(), threading.Event(), []

    def sweep_holding_one_row() -> None:
        try:
            with transaction.atomic():
                list(Reminder.objects.select_for_update().filter(pk=held.pk))
                locked.set()
                release.wait(20)
                Reminder.objects.filter(pk=held.pk).update(status=Reminder.Status.SENT)
        except Exception as exc:  # reported below, in the test's own thread
            failures.append(exc)
        finally:
            connection.close()

    def close_the_deadline() -> None:
        try:
            change(deadline, status=Deadline.Status.SUPERSEDED)
            resync(deadline, at(DUE - dt.timedelta(days=40), 10))
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    sweep = threading.Thread(target=sweep_holding_one_row)
    sweep.start()
    assert locked.wait(20)
    closer = threading.Thread(target=close_the_deadline)
    closer.start()
    with connection.cursor() as cursor:  # until the closing UPDATE waits for the sweep's row lock
        for _ in range(400):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the cancelling UPDATE never waited for the row the sweep holds")
    release.set()
    sweep.join(20)
    closer.join(20)
    assert failures == []
    statuses = dict(Reminder.objects.filter(deadline=deadline).values_list("pk", "status"))
    assert statuses.pop(held.pk) == Reminder.Status.SENT
    assert set(statuses.values()) == {Reminder.Status.CANCELLED}
