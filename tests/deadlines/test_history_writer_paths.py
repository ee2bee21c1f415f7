"""New deadlines reach PostgreSQL by three paths (deadlines.services.history_writer): one plain INSERT for the
few a recorded office event creates, COPY for a bulk build, simple-history's bulk_create_with_history
elsewhere. Whatever the path, the docket row, its "+" history row (attribution, explanation, dates) and the
audit chain must be the same."""

import datetime as dt

import pytest
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from deadlines.models import Deadline
from deadlines.services import history_writer
from docketapp import audit_chain
from docketapp.audit import attributed, history_kwargs, set_change_reason
from tests.factories import DeadlineFactory, MatterFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

D = dt.date.fromisoformat
IDENTITY = {"id", "matter_id", "created_at", "updated_at"}
HISTORY_IDENTITY = IDENTITY | {"history_id", "chain_seq", "row_hash", "history_date"}


def planned(matter):
    return [
        DeadlineFactory.build(
            matter=matter, key="EP.REPLY_94_3:1", due_date=D("2026-04-01"), latest_date=D("2026-06-01"),
            extendable=True, explanation={"steps": [{"op": "add", "months": 4, "note": "Rule 132(2) «EPC»"}]},
            remedies=[{"name": "further processing", "basis": "Art. 121 EPC"}], fingerprint="f" * 40,
        ),
        DeadlineFactory.build(matter=matter, key="EP.RENEWAL:3", due_date=D("2026-03-31"), optional=True),
    ]


def stored(matter):
    rows = [
        {k: v for k, v in vars(d).items() if not k.startswith("_") and k not in IDENTITY}
        for d in Deadline.objects.filter(matter=matter).order_by("key")
    ]
    history = [
        {k: v for k, v in vars(h).items() if not k.startswith("_") and k not in HISTORY_IDENTITY}
        for h in Deadline.history.filter(matter=matter).order_by("key", "chain_seq")
    ]
    return rows, history


def test_every_path_stores_the_same_rows_history_and_chain():
    user = UserFactory()
    matters = [MatterFactory(office="EP") for _ in range(3)]
    with attributed(reason="recompute: office event recorded", user=user, process="tests"):
        with transaction.atomic():
            _, plain = history_writer._write_few([], planned(matters[0]))
            copied = history_writer._copy_create_with_history(planned(matters[1]))
            django = bulk_create_with_history(planned(matters[2]), Deadline, **history_kwargs())
    assert len(plain) == len(copied) == len(django) == 2
    reference = stored(matters[2])
    assert stored(matters[0]) == reference
    assert stored(matters[1]) == reference
    rows, history = reference
    assert rows[1]["explanation"]["steps"][0]["note"] == "Rule 132(2) «EPC»"
    assert {(h["history_type"], h["history_actor"], h["history_user_id"], h["history_change_reason"])
            for h in history} == {("+", f"user:{user.username}", user.pk, "recompute: office event recorded")}
    assert audit_chain.verify().findings == []


def test_a_changed_row_is_stored_and_historied_alike_by_one_update_and_by_save():
    """The few rows a recorded event changes (a reply supersedes the reply deadline): one UPDATE … RETURNING of
    the planned values and a history row sealed with the event's new rows, or save() with simple-history's
    row: the same row, the same history (the row as stored, with every column read back)."""
    from deadlines.services.diff import Update

    user = UserFactory()
    matters = [MatterFactory(office="EP") for _ in range(2)]
    with attributed(reason="set up", process="tests"), transaction.atomic():
        rows = [planned(m)[0] for m in matters]
        for row in rows:
            row.save()
    reason = "superseded: answered by EP.REPLY_FILED of 2026-01-05"
    values = {
        "status": Deadline.Status.SUPERSEDED,
        "closed_reason": "answered by EP.REPLY_FILED of 2026-01-05",
        "explanation": {**rows[0].explanation, "closed": {"by": "EP.REPLY_FILED", "on": "2026-01-05"}},
    }
    with attributed(reason="recompute: office event recorded", user=user, process="tests"):
        with transaction.atomic():
            written, created = history_writer._write_few([Update(pk=rows[0].pk, values=values, reason=reason)], [])
            for name, value in values.items():
                setattr(rows[1], name, value)
            set_change_reason(rows[1], reason)
            rows[1].save(update_fields=[*values, "updated_at"])
    assert created == []
    assert [(w.pk, w.status, w.explanation["closed"]["by"], w.due_date) for w in written] == [
        (rows[0].pk, Deadline.Status.SUPERSEDED, "EP.REPLY_FILED", D("2026-04-01"))
    ]
    ours, theirs = stored(matters[0]), stored(matters[1])
    assert ours == theirs
    assert ours[0][0]["status"] == Deadline.Status.SUPERSEDED
    assert [h["history_type"] for h in ours[1]] == ["+", "~"]
    changed = ours[1][1]
    assert (changed["history_change_reason"], changed["history_user_id"], changed["closed_reason"]) == (
        "superseded: answered by EP.REPLY_FILED of 2026-01-05", user.pk, "answered by EP.REPLY_FILED of 2026-01-05"
    )
    assert audit_chain.verify().findings == []


def test_a_planned_change_to_a_row_someone_closed_meanwhile_writes_nothing():
    """The plan was read before a paralegal marked the deadline done: the write finds it closed, leaves it
    alone, and writes no history row (nor fails on an empty statement)."""
    from deadlines.services.diff import Update

    matter = MatterFactory(office="EP")
    with attributed(reason="set up", process="tests"), transaction.atomic():
        row = planned(matter)[0]
        row.save()
        row.status = Deadline.Status.DONE
        row.save()
    history = Deadline.history.filter(matter=matter).count()
    with attributed(reason="recompute: closure added", process="tests"), transaction.atomic():
        written, created = history_writer.write_changes(
            [], [Update(pk=row.pk, values={"due_date": D("2026-04-02")}, reason="closure added")]
        )
    assert (written, created) == ([], [])
    row.refresh_from_db()
    assert (row.status, row.due_date) == (Deadline.Status.DONE, D("2026-04-01"))
    assert Deadline.history.filter(matter=matter).count() == history
