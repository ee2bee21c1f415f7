"""The recompute's inputs key (issue 18): computed before anything is built, it must change with every input
a matter's deadlines depend on, stay stable otherwise, and the optimised pass must store exactly what the
straightforward computation gives (no deadline changes its date or status because of the optimisation).

Runs on SQLite (the key hashed in Python) and on PostgreSQL (hashed by the database, CI=true)."""

import datetime as dt
import io
from pathlib import Path

import pytest

from deadlines import services
from deadlines.models import Deadline, OfficeClosure
from deadlines.services.recompute import closures_hash, engine_hash
from docketapp.audit import attributed
from patents.models import Matter, OfficeEvent
from tests.factories import MatterFactory, PriorityClaimFactory

from .test_recompute import add_event

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
TODAY = D("2026-01-10")


def key(matter, today=TODAY, base=None):
    if base is None:
        base = engine_hash() + closures_hash(services.load_closures())
    return services.input_keys([matter.pk], base=base, today=today)[matter.pk]


def save(obj, **fields):
    obj.refresh_from_db()  # the recompute may have stored the matter's lifecycle since it was loaded
    with attributed(reason="test edit", process="tests"):
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()


@pytest.fixture
def matter():
    m = MatterFactory(office="EP", filing_date=D("2023-03-15"), application_number="EP23123456")
    add_event(m, "EP.FILED", "2023-03-15")
    add_event(m, "EP.COMMUNICATION_94_3", "2025-10-31", {"period_months": 4})
    services.recompute_deadlines(matter=m, reason="test", today=TODAY)
    return m


def test_key_is_stable_and_ignores_sync_bookkeeping(matter):
    before = key(matter)
    assert key(matter) == before
    save(matter, last_synced=dt.datetime(2026, 1, 9, tzinfo=dt.UTC))
    assert key(matter) == before


def test_key_changes_with_each_event_change(matter):
    before = key(matter)
    event = OfficeEvent.objects.get(matter=matter, event_type__code="EP.COMMUNICATION_94_3")
    save(event, params={"period_months": 2})
    after_params = key(matter)
    assert after_params != before
    save(event, date=D("2025-11-03"))
    after_date = key(matter)
    assert after_date != after_params
    add_event(matter, "EP.REPLY_FILED", "2025-12-01")
    assert key(matter) != after_date


def test_key_changes_with_each_matter_field_the_rules_read(matter):
    seen = {key(matter)}
    for name, value in (
        ("filing_date", D("2023-03-16")),
        ("grant_date", D("2025-12-03")),
        ("applicant_residence", "foreign"),
        ("designated_offices", ["DE", "FR"]),
        ("kind", Matter.Kind.DESIGN),
        ("lifecycle_state", "granted"),
    ):
        save(matter, **{name: value})
        assert key(matter) not in seen, name
        seen.add(key(matter))
    PriorityClaimFactory(matter=matter, country="US", number="63/123456", date=D("2022-03-20"))
    assert key(matter) not in seen


def test_key_changes_with_the_stored_deadlines(matter):
    before = key(matter)
    row = Deadline.objects.filter(matter=matter).exclude(status=Deadline.Status.SUPERSEDED).first()
    save(row, due_date=row.due_date + dt.timedelta(days=1))
    edited = key(matter)
    assert edited != before
    with attributed(reason="deleted by mistake", process="tests"):
        row.delete()
    assert key(matter) != edited


def test_key_changes_with_closures_and_engine_source(matter, monkeypatch):
    before = key(matter)
    with attributed(reason="closure", process="tests"):
        OfficeClosure.objects.create(office="EP", date=D("2026-03-02"), reason="closure", source="test")
    assert key(matter) != before
    # A rule version, a rule's table or fee lives in the rules package: its source is part of the engine hash.
    original = Path.read_bytes
    plain = engine_hash.__wrapped__()
    for name in ("ep.py", "periods.py", "calendars.py"):
        monkeypatch.setattr(Path, "read_bytes", lambda p, n=name: original(p) + (b"#changed" if p.name == n else b""))
        assert engine_hash.__wrapped__() != plain, name
    monkeypatch.setattr(Path, "read_bytes", original)
    assert key(matter, base="other engine") != key(matter, base="engine")


def test_key_changes_with_related_matters_and_with_time(matter):
    before = key(matter)
    with attributed(reason="test", process="tests"):
        child = MatterFactory(office="US", parent=matter, parent_relation=Matter.Relation.DIVISIONAL)
    assert key(matter) == before  # a divisional is not a phase: the parent's inputs are unchanged
    child_key = key(child)
    save(matter, filing_date=D("2023-03-14"))  # the divisional's term runs from the parent's filing date
    assert key(child) != child_key
    before = key(matter)
    with attributed(reason="test", process="tests"):
        MatterFactory(office="US", parent=matter, parent_relation=Matter.Relation.NATIONAL_PHASE)
    assert key(matter) != before
    before = key(matter)
    other = MatterFactory(office="US")
    PriorityClaimFactory(matter=other, country="EP", number="EP23123456", date=D("2023-03-14"))
    assert key(matter) != before  # a later application claims this one as priority
    # A future-dated event becomes past, and a stored term end passes: the lifecycle moves with time.
    add_event(matter, "EP.PATENT_GRANTED", "2026-02-01")
    assert key(matter, today=D("2026-01-31")) != key(matter, today=D("2026-02-01"))
    save(matter, term_end=D("2043-03-14"))
    assert key(matter, today=D("2043-03-13")) != key(matter, today=D("2043-03-14"))


def _portfolio(n):
    from deadlines.benchmarks.recompute import _ensure_portfolio

    return _ensure_portfolio(n, 7, io.StringIO())


def _stored(ids):
    return sorted(
        Deadline.objects.filter(matter_id__in=ids).values_list("matter_id", "key", "status", "due_date", "latest_date",
                                                                "fingerprint", "closed_reason")
    )


def test_optimised_pass_stores_what_the_straightforward_computation_gives():
    # A varied portfolio (EP/US/JP/PCT with replies, renewals, national phases) computed by the optimised pass
    # in small chunks, in reverse chunk order (what several workers may do), then changed and recomputed with
    # skipping; at every step a straightforward per-matter computation (no key, no shared calendars) must
    # find nothing to change.
    from deadlines.services.diff import plan_matter
    from deadlines.services.facts import load_snapshots

    ids = _portfolio(24)
    with attributed(reason="test closure", process="tests"):
        OfficeClosure.objects.create(office="EP", date=D("2025-06-02"), reason="closure", source="test")
    for chunk in reversed([ids[i : i + 5] for i in range(0, len(ids), 5)]):
        services.recompute_matters(matter_ids=chunk, reason="pass", today=TODAY, chunk_size=2)

    def straightforward_changes():
        closures = services.load_closures()
        out = []
        for snapshot in load_snapshots(ids, lock=False):
            changes, creates, updates, _ = plan_matter(snapshot=snapshot, closures=closures, today=TODAY,
                                                       reason="check")
            out += [c.action for c in changes if c.action != "held"] + creates + updates
        return out

    assert straightforward_changes() == []
    first = _stored(ids)
    # Skipping pass: nothing changes.
    outcome = services.recompute_matters(matter_ids=ids, reason="nightly", today=TODAY)
    assert outcome.summary()["create"] == outcome.summary()["move"] == 0
    assert _stored(ids) == first
    # Change some inputs: an event, a closure, a matter field; the skipping pass must catch all of them.
    add_event(Matter.objects.get(pk=ids[0]), "EP.COMMUNICATION_94_3", "2025-12-20", {"period_months": 4})
    with attributed(reason="test closure", process="tests"):
        OfficeClosure.objects.create(office="US", date=D("2026-03-23"), reason="closure", source="test")
    save(Matter.objects.get(pk=ids[3]), applicant_residence="foreign")
    services.recompute_matters(matter_ids=ids, reason="nightly", today=TODAY)
    assert straightforward_changes() == []
    forced = services.recompute_matters(matter_ids=ids, reason="forced", today=TODAY, force=True)
    assert [c for c in forced.changes if c.action != "held"] == []


def test_nightly_pass_is_queued_in_chunks_and_each_chunk_recomputes(monkeypatch):
    # Eager execution (the task bodies run in this process): a real worker adds broker latency only; the
    # chunks are disjoint and order-independent (see the test above), so 1 or N workers store the same.
    from deadlines import tasks
    from docketapp.celery import app

    ids = _portfolio(6)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        summary = tasks.recompute_all(chunk_size=4)
    finally:
        app.conf.task_always_eager = eager
    assert summary == {"matters": len(Matter.objects.all()), "chunks_queued": 2, "chunks_marked_pending": 0}
    assert Deadline.objects.filter(matter_id__in=ids).exists()

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.recompute_chunk, "delay", broker_down)
    again = tasks.recompute_all(chunk_size=4)
    assert again["chunks_marked_pending"] == 2
    pending = services.recompute_pending(older_than=dt.timedelta(0))
    assert pending["matters"] == len(ids)
