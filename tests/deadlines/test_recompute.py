"""recompute_deadlines against stored rows: create, move, supersede, hold, idempotence, attribution."""

import datetime as dt

import pytest

from deadlines import services
from deadlines.models import Deadline, OfficeClosure
from docketapp.audit import attributed
from patents.models import OfficeEvent
from tests.factories import EventTypeFactory, MatterFactory, OfficeClosureFactory, PriorityClaimFactory

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
TODAY = D("2026-01-10")


def add_event(matter, code, day, params=None, office=None):
    et = EventTypeFactory(code=code, label=code, office=office or code[:2])
    with attributed(reason="test event", process="tests"):
        return OfficeEvent.objects.create(
            matter=matter,
            event_type=et,
            office_code=code,
            date=D(day),
            natural_key=f"{code}|{day}",
            params=params or {},
        )


def recompute(matter, **kw):
    return services.recompute_deadlines(
        matter=matter, reason=kw.pop("reason", "test recompute"), today=kw.pop("today", TODAY), **kw
    )


def live(matter, rule):
    return Deadline.objects.exclude(status=Deadline.Status.SUPERSEDED).get(matter=matter, rule_id=rule)


def test_creates_explained_deadline_with_attributed_history():
    matter = MatterFactory(office="EP")
    ev = add_event(matter, "EP.COMMUNICATION_94_3", "2025-10-31", {"period_months": 4})
    outcome = recompute(matter)
    assert outcome.summary()["create"] == 1
    dl = live(matter, "EP.REPLY_94_3")
    assert (dl.due_date, dl.latest_date, dl.rule_version, dl.trigger_event_id) == (
        D("2026-03-02"),
        D("2026-04-30"),
        "2",
        ev.pk,
    )
    assert dl.key == f"EP.REPLY_94_3:{ev.pk}"
    assert dl.explanation["steps"][1]["op"] == "add"
    record = dl.history.get()
    assert record.history_actor == "process:deadlines.recompute"
    assert record.history_change_reason == "test recompute: created, due 2026-03-02"


def test_second_run_writes_nothing_not_even_history():
    matter = MatterFactory(office="EP", filing_date=D("2024-03-15"))
    add_event(matter, "EP.FILED", "2024-03-15")
    add_event(matter, "EP.COMMUNICATION_94_3", "2025-10-31")
    recompute(matter)
    rows = Deadline.objects.count()
    history = Deadline.history.count()
    outcome = recompute(matter, reason="again")
    assert outcome.changes == []
    assert (Deadline.objects.count(), Deadline.history.count()) == (rows, history)


def test_closure_moves_deadline_with_old_and_new_date_in_history_and_resets_verification():
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.RULE_71_3_COMMUNICATION", "2026-01-04")  # +4 months = Mon 4 May 2026
    recompute(matter)
    dl = live(matter, "EP.R71_3_APPROVAL")
    assert dl.due_date == D("2026-05-04")
    with attributed(reason="verify", process="tests"):
        dl.verified_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        dl.save(update_fields=["verified_at"])
    OfficeClosureFactory(office="EP", date=D("2026-05-04"), reason="ad-hoc closure", source="OJ test notice")
    outcome = recompute(matter, reason="closure added")
    assert [c.action for c in outcome.changes] == ["move"]
    dl.refresh_from_db()
    assert dl.due_date == D("2026-05-05")
    assert dl.verified_at is None
    moved = dl.history.first()
    assert moved.history_change_reason == "closure added: moved due 2026-05-04 → 2026-05-05"
    # One row changed: one plain UPDATE with its history row on PostgreSQL (history_writer._write_returning), saved on
    # its own elsewhere (SAVE_ONE_BY_ONE); attributed as the bulk path would be.
    assert (moved.history_type, moved.history_actor, moved.history_user) == ("~", "process:deadlines.recompute", None)
    assert (moved.due_date, moved.verified_at, moved.chain_seq is not None) == (D("2026-05-05"), None, True)
    roll = next(s for s in dl.explanation["steps"] if s["op"] == "roll_forward")
    assert roll["skipped"][0]["causes"][0] == {
        "type": "closure",
        "name": "ad-hoc closure",
        "source": "OJ test notice",
    }


def test_reply_supersedes_and_new_row_is_not_created_again():
    matter = MatterFactory(office="EP")
    action = add_event(matter, "EP.COMMUNICATION_94_3", "2025-10-31")
    recompute(matter)
    add_event(matter, "EP.REPLY_FILED", "2026-02-01")
    outcome = recompute(matter, reason="event recorded")
    assert outcome.summary()["supersede"] == 1
    dl = Deadline.objects.get(matter=matter, key=f"EP.REPLY_94_3:{action.pk}")
    assert dl.status == Deadline.Status.SUPERSEDED
    assert "answered by EP.REPLY_FILED of 2026-02-01" in dl.history.first().history_change_reason
    assert recompute(matter).changes == []


def test_done_deadline_is_never_reopened_or_moved():
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.RULE_71_3_COMMUNICATION", "2026-01-04")
    recompute(matter)
    dl = live(matter, "EP.R71_3_APPROVAL")
    with attributed(reason="paid", process="tests"):
        dl.status = Deadline.Status.DONE
        dl.save(update_fields=["status"])
    OfficeClosureFactory(office="EP", date=D("2026-05-04"), reason="closure", source="test")
    history = Deadline.history.count()
    outcome = recompute(matter)
    assert [c.action for c in outcome.changes] == ["held"]
    dl.refresh_from_db()
    assert (dl.status, dl.due_date) == (Deadline.Status.DONE, D("2026-05-04"))
    assert Deadline.history.count() == history


def test_past_due_deadline_is_created_open_and_overdue():
    matter = MatterFactory(office="US", application_number="", kind="patent")
    add_event(matter, "US.NON_FINAL_REJECTION", "2025-06-02")
    recompute(matter)
    dl = live(matter, "US.REPLY_NON_FINAL")
    assert dl.status == Deadline.Status.OPEN
    assert dl.is_overdue(today=TODAY)
    assert "created past due" in dl.history.get().history_change_reason
    assert Deadline.objects.overdue(today=TODAY).filter(pk=dl.pk).exists()


def test_removed_event_supersedes_its_deadline_instead_of_deleting_it():
    matter = MatterFactory(office="EP")
    ev = add_event(matter, "EP.COMMUNICATION_94_3", "2025-10-31")
    recompute(matter)
    with attributed(reason="office withdrew the event", process="tests"):
        ev.delete()
    recompute(matter, reason="event removed")
    dl = Deadline.objects.get(matter=matter, rule_id="EP.REPLY_94_3")
    assert dl.status == Deadline.Status.SUPERSEDED
    assert "no longer produced by the rules" in dl.history.first().history_change_reason


def test_priority_claims_and_designations_feed_national_phase():
    matter = MatterFactory(
        office="WO", kind="pct", application_number="", filing_date=D("2026-04-30"), designated_offices=["EP"]
    )
    PriorityClaimFactory(matter=matter, date=D("2025-04-30"))
    add_event(matter, "WO.FILED", "2026-04-30")
    recompute(matter)
    rows = Deadline.objects.filter(matter=matter, rule_id__contains="_PHASE_")
    assert [(d.rule_id, d.due_date, d.office) for d in rows] == [("WO.REGIONAL_PHASE_EP", D("2027-11-30"), "EP")]


def test_preview_then_apply_closure_change():
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.RULE_71_3_COMMUNICATION", "2026-01-04")
    recompute(matter)
    preview = services.preview_closure_change(office="EP", day=D("2026-05-04"), reason="strike", today=TODAY)
    assert [(c.action, c.old_due, c.new_due) for c in preview.changes] == [("move", D("2026-05-04"), D("2026-05-05"))]
    assert live(matter, "EP.R71_3_APPROVAL").due_date == D("2026-05-04")  # preview wrote nothing
    assert not OfficeClosure.objects.exists()
    applied = services.apply_closure_change(
        office="EP", day=D("2026-05-04"), reason="strike", source="EPO notice of 1 May 2026", today=TODAY
    )
    assert applied.summary()["move"] == 1
    dl = live(matter, "EP.R71_3_APPROVAL")
    assert dl.due_date == D("2026-05-05")
    assert dl.history.first().history_change_reason.startswith("office closure added: EP 2026-05-04 (strike;")
    back = services.preview_closure_change(office="EP", day=D("2026-05-04"), remove=True, today=TODAY)
    assert [(c.old_due, c.new_due) for c in back.changes] == [(D("2026-05-05"), D("2026-05-04"))]


def test_recording_an_office_event_recomputes_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    from deadlines import tasks
    from patents.services import record_office_event

    # Run the task body in-process instead of publishing to a broker; the hook and service are real.
    monkeypatch.setattr(tasks.recompute_deadlines, "delay", lambda *a, **k: tasks.recompute_deadlines.run(*a, **k))
    matter = MatterFactory(office="EP")
    et = EventTypeFactory(code="EP.RULE_161_162_COMMUNICATION", office="EP")
    with django_capture_on_commit_callbacks(execute=True):
        with attributed(reason="office sync", process="sync.epo"):
            record_office_event(matter=matter, event_type=et, office_code="RFEE", date=D("2026-02-27"))
    dl = live(matter, "EP.R161_162")
    assert dl.due_date == D("2026-08-27")
    assert dl.history.get().history_change_reason.startswith("office event recorded or changed: created")


def test_seed_closures_is_idempotent_and_respects_deletions():
    first = services.seed_office_closures()
    assert first["created"] > 100
    assert services.seed_office_closures()["created"] == 0
    row = OfficeClosure.objects.get(office="EP", date=D("2026-04-03"))
    assert "OJ EPO 2025, A40" in row.source
    with attributed(reason="not a closing day after all", process="tests"):
        row.delete()
    assert services.seed_office_closures()["created"] == 0
    assert not OfficeClosure.objects.filter(office="EP", date=D("2026-04-03")).exists()


def test_bulk_creation_writes_attributed_history_for_every_row():
    # Three EP filings give 54 renewal deadlines in one chunk: on PostgreSQL this takes the COPY path.
    matters = [MatterFactory(office="EP", filing_date=D("2024-03-15")) for _ in range(3)]
    for m in matters:
        add_event(m, "EP.FILED", "2024-03-15")
    outcome = services.recompute_matters(matter_ids=[m.pk for m in matters], reason="bulk test", today=TODAY)
    assert outcome.summary()["create"] == 54
    rows = Deadline.objects.filter(matter__in=matters)
    assert rows.count() == 54 and len({r.fingerprint for r in rows}) == 54
    history = Deadline.history.filter(matter__in=matters)
    assert history.count() == 54
    assert {h.history_actor for h in history} == {"process:deadlines.recompute"}
    assert {h.history_type for h in history} == {"+"}
    first = history.get(key=f"EP.RENEWAL_FEE:{matters[0].events.get().pk}:3")
    assert first.history_change_reason == "bulk test: created past due (due 2026-03-31), flagged overdue" or (
        first.history_change_reason == "bulk test: created, due 2026-03-31"
    )
    assert services.recompute_matters(matter_ids=[m.pk for m in matters], reason="again", today=TODAY).changes == []


def test_unchanged_matter_is_skipped_but_a_deleted_deadline_is_noticed():
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.COMMUNICATION_94_3", "2025-10-31")
    assert recompute(matter).summary()["create"] == 1
    assert recompute(matter).summary()["skipped_unchanged"] == 0  # settles after the write
    assert recompute(matter).summary()["skipped_unchanged"] == 1
    forced = services.recompute_deadlines(matter=matter, reason="forced", today=TODAY, force=True)
    assert (forced.skipped, forced.changes) == (0, [])
    with attributed(reason="deleted by mistake", process="tests"):
        Deadline.objects.get(matter=matter).delete()
    outcome = recompute(matter, reason="nightly")
    assert outcome.summary()["create"] == 1
    assert Deadline.objects.filter(matter=matter).count() == 1


def test_closure_change_is_never_skipped():
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.RULE_71_3_COMMUNICATION", "2026-01-04")
    recompute(matter)
    recompute(matter)
    OfficeClosureFactory(office="EP", date=D("2026-05-04"), reason="closure", source="test")
    assert [c.action for c in recompute(matter).changes] == ["move"]


@pytest.mark.django_db
def test_an_extension_actually_taken_is_not_overdue_until_its_new_date():
    from tests.factories import DeadlineFactory

    taken = DeadlineFactory(due_date=TODAY - dt.timedelta(days=3), extended_to=TODAY + dt.timedelta(days=27))
    lapsed = DeadlineFactory(due_date=TODAY - dt.timedelta(days=3))
    overdue = set(Deadline.objects.overdue(today=TODAY))
    assert lapsed in overdue and taken not in overdue
    assert not taken.is_overdue(TODAY) and lapsed.is_overdue(TODAY)
