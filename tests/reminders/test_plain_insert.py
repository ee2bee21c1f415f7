"""Reminder rows inserted as plain SQL (docketapp.plain_rows) are the rows Django's bulk_create stores: same
values, dates and moments included (on SQLite they are adapted to text, on PostgreSQL passed to the driver), a
row that already exists is left to whoever inserted it, and a model with a field that needs its own preparation
is prepared as the field would prepare it, not stored wrong."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.forms.models import model_to_dict

from deadlines.models import MatterComputation, Reminder
from docketapp.plain_rows import insert_rows
from tests.factories import DeadlineFactory, MatterFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 7, 30, 15, 123456, tzinfo=dt.UTC)


def rows(deadline, recipient):
    return [
        Reminder(deadline=deadline, kind="before_due", offset_days=30, target_date=dt.date(2026, 4, 1),
                 due_at=dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), created_at=NOW),
        Reminder(deadline=deadline, recipient=recipient, kind="overdue", offset_days=-1,
                 target_date=dt.date(2026, 4, 1), due_at=dt.datetime(2026, 4, 2, 8, 0, tzinfo=dt.UTC),
                 status=Reminder.Status.CANCELLED, status_reason="deadline done — «Ä»", processed_at=NOW,
                 created_at=NOW),
    ]


def stored(deadline):
    return [
        {k: v for k, v in model_to_dict(r).items() if k != "id"}
        | {"created_at": r.created_at, "updated_at": r.updated_at, "processed_at": r.processed_at}
        for r in Reminder.objects.filter(deadline=deadline).order_by("offset_days")
    ]


def test_rows_inserted_as_plain_sql_are_the_rows_bulk_create_stores():
    plain, orm = DeadlineFactory(), DeadlineFactory()
    user = UserFactory()
    with time_machine.travel(NOW, tick=False):
        insert_rows(Reminder, rows(plain, user), conflict_ignored=True)
        Reminder.objects.bulk_create(rows(orm, user), ignore_conflicts=True)
    ours, django = stored(plain), stored(orm)
    assert [r.pop("deadline") for r in ours] == [plain.pk] * 2
    assert [r.pop("deadline") for r in django] == [orm.pk] * 2
    assert ours == django
    # updated_at is auto_now: set at the insert, as bulk_create sets it.
    assert {r["updated_at"] for r in ours} == {NOW}
    assert ours[0]["target_date"] == dt.date(2026, 4, 1) and ours[0]["status_reason"] == "deadline done — «Ä»"


def test_a_row_that_already_exists_is_left_as_it_is():
    deadline = DeadlineFactory()
    first = rows(deadline, None)[:1]
    insert_rows(Reminder, first, conflict_ignored=True)
    again = rows(deadline, None)[:1]
    again[0].due_at = dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC)
    insert_rows(Reminder, again, conflict_ignored=True)  # same (deadline, kind, offset, target): the unique key
    assert list(Reminder.objects.filter(deadline=deadline).values_list("due_at", flat=True)) == [
        dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    ]


def test_a_json_field_is_stored_as_the_field_would_store_it():
    matter = MatterFactory()
    insert_rows(MatterComputation, [MatterComputation(matter=matter, problems=[{"rule": "x"}])])
    assert MatterComputation.objects.get(matter=matter).problems == [{"rule": "x"}]


@pytest.mark.postgres
def test_more_rows_than_one_statement_may_carry_go_in_several_and_the_values_travel_apart():
    """On PostgreSQL the values are bound on the server (docketapp.plain_rows.bound_cursor), where one statement
    carries at most 65,535 of them: 7,000 reminder rows (77,000 values) go in as two statements, every row
    stored, and a value that looks like SQL is stored as text."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deadline = DeadlineFactory(matter=MatterFactory())
    many = [
        Reminder(deadline=deadline, kind="before_due", offset_days=n, target_date=dt.date(2026, 4, 1),
                 due_at=NOW, created_at=NOW, status_reason="x'); DROP TABLE deadlines_reminder; --")
        for n in range(7000)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(Reminder, many)
    assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) == 2
    assert Reminder.objects.filter(deadline=deadline).count() == 7000
    assert set(Reminder.objects.filter(deadline=deadline).values_list("status_reason", flat=True)) == {
        "x'); DROP TABLE deadlines_reminder; --"
    }


def test_a_new_row_without_a_model_instance_stores_what_the_instance_would():
    """``new_row`` (the reminders a recorded event plans) gives every column the model's default, a computed one
    (``created_at = now``) computed per row, and stores exactly what a ``Reminder`` of the same values stores."""
    from docketapp.plain_rows import new_row

    deadline = DeadlineFactory(matter=MatterFactory())
    values = {"kind": "before_due", "offset_days": 14, "target_date": dt.date(2026, 4, 1),
              "due_at": dt.datetime(2026, 3, 18, 8, 0, tzinfo=dt.UTC)}
    with time_machine.travel(NOW, tick=False):
        insert_rows(Reminder, [Reminder(deadline=deadline, **values)])
        plain = new_row(Reminder, deadline_id=deadline.pk, **{**values, "offset_days": 7})
        assert (plain.status, plain.status_reason, plain.recipient_id, plain.created_at) == (
            Reminder.Status.SCHEDULED, "", None, NOW
        )
        insert_rows(Reminder, [plain])
    stored = {r.pop("offset_days"): r for r in Reminder.objects.values() if r.pop("id")}
    assert stored[7] == stored[14]
    assert stored[7]["created_at"] == stored[7]["updated_at"] == NOW
