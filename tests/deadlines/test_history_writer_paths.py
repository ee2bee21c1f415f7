"""New deadlines reach PostgreSQL by three paths (deadlines.services.history_writer): one plain INSERT for the
few a recorded office event creates, COPY for a bulk build, simple-history's bulk_create_with_history
elsewhere; changed rows by an UPDATE per row or per set of columns, or save(). Whatever the path, the docket
row, its history row (attribution, explanation, dates) and the audit chain must be the same."""

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
            _, plain = history_writer._write_returning([], planned(matters[0]))
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
            update = Update(pk=rows[0].pk, values=values, reason=reason)
            written, created = history_writer._write_returning([update], [])
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


@pytest.mark.parametrize("history_by", ["insert", "copy"])
def test_many_changed_rows_are_stored_and_historied_as_save_stores_them(history_by, monkeypatch):
    """A bulk pass where every matter changed (issue 18) changes hundreds of rows per chunk: on PostgreSQL one
    UPDATE … FROM (VALUES …) per set of columns changed, not Django's CASE WHEN per column and row. Each row, its
    "~" history row (attribution, reason, every column as stored) and the chain must be what save() gives the
    same change; a row closed meanwhile is left to whoever closed it; a long value is refused, not cut. The "~"
    rows go in by one INSERT below COPY_THRESHOLD rows written, by COPY from there (a bulk chunk): both."""
    from django.db import DataError

    if history_by == "copy":  # 14 rows written: over the threshold
        monkeypatch.setattr(history_writer, "COPY_THRESHOLD", 10)
    copied = []
    copy_rows = history_writer._copy_rows
    monkeypatch.setattr(history_writer, "_copy_rows", lambda model, objs, **kw: (copied.append(len(objs)),
                                                                                  copy_rows(model, objs, **kw)))

    from deadlines.services.diff import Update

    user = UserFactory()
    ours, theirs = [MatterFactory(office="EP") for _ in range(15)], [MatterFactory(office="EP") for _ in range(15)]
    with attributed(reason="set up", process="tests"), transaction.atomic():
        rows = {m.pk: planned(m)[0] for m in ours + theirs}
        for row in rows.values():
            row.verified_by, row.verified_at = user, dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
            row.save()
        closed, twin = rows[ours[-1].pk], rows[theirs[-1].pk]
        for row in (closed, twin):  # a paralegal marked it done after the plan was read
            row.status = Deadline.Status.DONE
            row.save()

    def change(i):
        if i % 2:  # a date moved: the verification goes (the first row's verifier is then empty)
            return {"due_date": D("2026-04-02") + dt.timedelta(days=i), "title": f"Reply «{i}»"}, True
        return {"status": Deadline.Status.SUPERSEDED, "closed_reason": f"answered by EP.REPLY_FILED {i}",
                "explanation": {"steps": [], "closed": {"by": "EP.REPLY_FILED", "n": i}}}, False

    updates = []
    with attributed(reason="recompute: every matter changed", user=user, process="tests"):
        with transaction.atomic():
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
                values, reset = change(i)
                reason = f"changed {i}"
                updates.append(Update(pk=rows[a.pk].pk, values=values, reason=reason, reset_verification=reset))
                if b is theirs[-1]:
                    continue  # closed meanwhile: save() would not be called, nothing is written
                row = rows[b.pk]
                if reset:
                    values = {**values, "last_changed_by": None, "verified_by": None, "verified_at": None}
                for name, value in values.items():
                    setattr(row, name, value)
                set_change_reason(row, reason)
                row.save(update_fields=[*values, "updated_at"])
            written, created = history_writer.write_changes([], updates)
    assert created == []
    assert copied == ([14] if history_by == "copy" else [])
    assert len(written) == 14 and closed.pk not in {w.pk for w in written}
    assert [w.pk for w in written] == sorted(w.pk for w in written)
    for a, b in zip(ours, theirs, strict=True):
        assert stored(a) == stored(b)
    one_moved = stored(ours[1])
    assert (one_moved[0][0]["due_date"], one_moved[0][0]["verified_by_id"], one_moved[0][0]["title"]) == (
        D("2026-04-03"), None, "Reply «1»"
    )
    changed = one_moved[1][-1]
    assert (changed["history_type"], changed["history_change_reason"], changed["history_user_id"]) == (
        "~", "changed 1", user.pk
    )
    assert audit_chain.verify().findings == []
    too_long = [Update(pk=rows[m.pk].pk, values={"title": "x" * 1000}, reason="long") for m in ours[:13]]
    with pytest.raises(DataError), attributed(reason="long", process="tests"), transaction.atomic():
        history_writer.write_changes([], too_long)
