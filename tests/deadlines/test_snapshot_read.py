"""What a recompute reads of a matter, read in one statement on PostgreSQL (facts._read_postgresql) and with one
query per table elsewhere: both must give the engine the same snapshot, or a deadline computed after a recorded
event (one statement) would differ from the same deadline computed by the nightly pass on another database."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline
from deadlines.services import facts
from patents.models import Matter
from tests.factories import (
    DeadlineFactory,
    EventTypeFactory,
    MatterFactory,
    OfficeEventFactory,
    PriorityClaimFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

D = dt.date.fromisoformat


@pytest.fixture
def portfolio():
    pct = MatterFactory(
        office="WO", kind=Matter.Kind.PCT, application_number="PCT/EP2024/061234", filing_date=D("2024-04-10"),
        designated_offices=["EP", "US", "JP"], publication_number="WO2024/123456", publication_date=D("2024-10-17"),
    )
    # Two phases entered from it: ordered by filing date, the one without a date last.
    MatterFactory(office="US", parent=pct, parent_relation=Matter.Relation.NATIONAL_PHASE, filing_date=None,
                  application_number="18/900,001")
    MatterFactory(office="EP", parent=pct, parent_relation=Matter.Relation.REGIONAL_PHASE,
                  filing_date=D("2025-10-09"), application_number="EP24700001")
    MatterFactory(office="EP", parent=pct, parent_relation=Matter.Relation.DIVISIONAL,
                  filing_date=D("2025-01-02"), application_number="EP24700002")  # not a phase
    ep = MatterFactory(office="EP", filing_date=D("2024-03-01"))
    PriorityClaimFactory(matter=ep, country="US", date=D("2023-03-02"))
    PriorityClaimFactory(matter=ep, country="GB", date=D("2023-05-30"))
    action = EventTypeFactory(code="EP.COMMUNICATION_94_3", office="EP")
    internal = EventTypeFactory(code="DOCKET.NOTE", office="", internal=True)
    # Same date: ordered by id. Parameters with nesting, numbers and text beyond ASCII come back as stored.
    OfficeEventFactory(matter=ep, event_type=action, date=D("2025-06-01"),
                       params={"period_months": 4, "ratio": 1.5, "who": "Müller 東京", "nested": {"a": [1, None]}})
    OfficeEventFactory(matter=ep, event_type=action, date=D("2025-06-01"), params={})
    OfficeEventFactory(matter=ep, event_type=action, date=D("2024-12-24"))
    OfficeEventFactory(matter=ep, event_type=internal, date=D("2025-07-01"))  # never reaches the engine
    DeadlineFactory(matter=ep, key="EP.REPLY_94_3|2", due_date=D("2025-10-01"), latest_date=D("2026-02-01"),
                    title="Reply — Art. 94(3) «4 months»")
    DeadlineFactory(matter=ep, key="EP.REPLY_94_3|1", due_date=D("2025-04-24"),
                    status=Deadline.Status.SUPERSEDED, closed_reason="answered by EP.REPLY_FILED of 2025-04-01")
    DeadlineFactory(matter=ep, key="manual|x", origin=Deadline.Origin.MANUAL)  # not the engine's
    bare = MatterFactory(office="JP", filing_date=None, designated_offices=[])
    # Later applications claiming the EP one as priority: by its number written another way (proof of the
    # claim), by another number of the same date (not it); and a claim of another office's number.
    us = MatterFactory(office="US", filing_date=D("2025-02-27"), application_number="19/000,123")
    PriorityClaimFactory(matter=us, country="EP", date=ep.filing_date, number=f"EP {ep.application_number[2:]}")
    PriorityClaimFactory(matter=us, country="EP", date=ep.filing_date, number="EP99999999")
    PriorityClaimFactory(matter=us, country="WO", date=pct.filing_date, number="PCT/EP2024/061234")
    return [pct.pk, ep.pk, bare.pk, us.pk]


@pytest.mark.parametrize("lock", [False, True])
def test_one_statement_gives_the_engine_what_the_per_table_queries_give(portfolio, monkeypatch, lock):
    with CaptureQueriesContext(connection) as one:
        combined = facts.load_snapshots(portfolio, lock=lock)
    monkeypatch.setattr(facts, "one_statement", lambda count: False)
    with CaptureQueriesContext(connection) as many:
        per_table = facts.load_snapshots(portfolio, lock=lock)
    assert combined == per_table
    pct, ep, bare, us = combined
    # What the comparison covers is really there: phases in order, claims, events without the internal one,
    # only the engine's stored rows, the parameters as stored.
    assert [r.reference for r in pct.context.related if r.kind == "phase_of"] == [
        Matter.objects.get(office="EP", parent_relation=Matter.Relation.REGIONAL_PHASE).reference,
        Matter.objects.get(office="US", parent_relation=Matter.Relation.NATIONAL_PHASE).reference,
    ]
    assert pct.facts.designated_offices == ("EP", "US", "JP")
    assert ep.facts.priority_date == D("2023-03-02")
    assert [(e.date, e.params) for e in ep.events] == [
        (D("2024-12-24"), {}),
        (D("2025-06-01"), {"period_months": 4, "ratio": 1.5, "who": "Müller 東京", "nested": {"a": [1, None]}}),
        (D("2025-06-01"), {}),
    ]
    assert [(s.key, s.latest_date, s.closed_reason) for s in ep.stored] == [
        ("EP.REPLY_94_3|2", D("2026-02-01"), ""),
        ("EP.REPLY_94_3|1", None, "answered by EP.REPLY_FILED of 2025-04-01"),
    ]
    assert (bare.events, bare.stored, bare.facts.priority_date) == ([], [], None)
    assert [(r.kind, r.reference) for r in ep.context.related] == [("claims_priority", us.reference)]
    assert ("claims_priority", us.reference) in [(r.kind, r.reference) for r in pct.context.related]
    # One statement instead of the matters, their priority dates, events, stored deadlines, phases and the
    # claims that may name them.
    assert (len(one.captured_queries), len(many.captured_queries)) == (1, 6)
    if lock:
        # The matters locked as two recomputes need, not against a foreign-key check (test_recompute_locks.py).
        assert one.captured_queries[0]["sql"].endswith("FOR NO KEY UPDATE OF m")


def test_a_full_pass_chunk_reads_table_by_table(portfolio, monkeypatch):
    """Hundreds of matters (a full pass's chunk) read faster with the six queries than as JSON arrays."""
    monkeypatch.setattr(facts, "ONE_STATEMENT_UP_TO", 3)
    with CaptureQueriesContext(connection) as many:
        facts.load_snapshots(portfolio, lock=False)  # four matters
    assert len(many.captured_queries) == 6


def test_the_one_statement_also_gives_each_matters_state_as_the_recompute_asks_it(portfolio):
    """A recorded event's recompute reads its matters' states (on the active docket, last settled inputs hash,
    recompute asked for) in the same statement as their snapshots: the same as the ORM's query gives, a closed
    matter included (the recompute then leaves it alone)."""
    from deadlines.models import MatterComputation
    from docketapp.audit import attributed

    pct, ep, bare, us = portfolio
    closed = Matter.objects.get(pk=bare)
    closed.closed_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    with attributed(reason="test: matter closed", process="tests"):
        closed.save(update_fields=["closed_at"])
    MatterComputation.objects.create(matter_id=ep, inputs_hash="a" * 40)
    MatterComputation.objects.create(matter_id=us, inputs_hash="", recompute_requested_at=dt.datetime(
        2026, 1, 6, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as one:
        snapshots, states = facts.load_snapshots_and_states(portfolio, lock=True)
    assert len(one.captured_queries) == 1
    assert [s.pk for s in snapshots] == sorted(portfolio)
    orm = {
        pk: (closed is None, digest, requested is not None)
        for pk, closed, digest, requested in Matter.objects.filter(pk__in=portfolio).values_list(
            "pk", "closed_at", "deadline_computation__inputs_hash", "deadline_computation__recompute_requested_at"
        )
    }
    assert states == orm == {
        pct: (True, None, False), ep: (True, "a" * 40, False), bare: (False, None, False), us: (True, "", True),
    }
