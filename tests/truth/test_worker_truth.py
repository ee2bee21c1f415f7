"""End to end with a real Celery worker on PostgreSQL and Redis against the office simulator: the sync of a
deemed-withdrawn, a granted-then-expired and a PCT matter leaves exactly the deadlines that are truly open.

The simulator's portfolio is anchored in mid-2006, so its EP matters (filed before then) are, as of today, past their
20-year term; the deemed-withdrawn ones ended earlier still.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.models import Matter, OfficeEvent
from patents.services import MatterData, ensure_client, upsert_matter
from tests.sync.test_worker_end_to_end import _cycle, _portfolio_matters, _redis, worker  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.simulator,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def sim(simulator_factory):
    return simulator_factory(seed=11, matters=60, today=dt.date(2006, 6, 1))


def _events(matter) -> set[str]:
    return set(OfficeEvent.objects.filter(matter=matter).values_list("event_type__code", flat=True))


def test_sync_with_a_real_worker_leaves_only_truly_open_deadlines(sim, worker):  # noqa: F811
    redis = _redis()
    matters = _portfolio_matters(sim, {"EP": 10, "WO": 1}, "TRUTH")
    pct = next(m for m in matters if m.office == "WO")
    with attributed(reason="test: the European phase of the PCT application", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated office portfolio")
        regional, _ = upsert_matter(data=MatterData(
            client=client, reference="TRUTH-EP-PHASE", office="EP", kind=Matter.Kind.REGIONAL,
            filing_date=pct.filing_date, parent=pct, parent_relation=Matter.Relation.REGIONAL_PHASE,
            sync_enabled=False,
        ))
    _cycle(redis, older_than=None)
    today = timezone.now().date()
    withdrawn = [m for m in matters if m.office == "EP" and "EP.DEEMED_WITHDRAWN" in _events(m)]
    granted = [m for m in matters if m.office == "EP" and "EP.PATENT_GRANTED" in _events(m)]
    assert withdrawn and granted, "the portfolio has a deemed-withdrawn and a granted EP matter"
    for matter in withdrawn:
        matter.refresh_from_db()
        assert matter.lifecycle_state == "deemed_withdrawn", matter.reference
        assert matter.lifecycle_event.event_type.code == "EP.DEEMED_WITHDRAWN"
    for matter in granted:
        matter.refresh_from_db()
        assert (matter.lifecycle_state, matter.term_end) == ("expired", matter.filing_date.replace(
            year=matter.filing_date.year + 20)), matter.reference
        assert matter.term_end <= today
    ep = [m for m in matters if m.office == "EP"]
    # Every EP right filed before mid-2006 has ended: nothing open, nothing escalating, every closure explained.
    assert not Deadline.objects.filter(matter__in=ep, status=Deadline.Status.OPEN).exists()
    moot = Deadline.objects.filter(matter__in=ep, status=Deadline.Status.MOOT)
    assert moot.filter(rule_id="EP.RENEWAL_FEE").exists()
    assert not moot.filter(closed_reason="").exists()
    # The PCT application: the European phase exists as a matter, so its entry is done; the US and JP
    # phases are not recorded anywhere, so they stay open (and overdue) for a human to confirm.
    pct_open = set(Deadline.objects.filter(matter=pct, status=Deadline.Status.OPEN).values_list("rule_id", flat=True))
    assert {"WO.NATIONAL_PHASE_US", "WO.NATIONAL_PHASE_JP"} <= pct_open
    assert "WO.REGIONAL_PHASE_EP" not in pct_open
    entry = Deadline.objects.get(matter=pct, rule_id="WO.REGIONAL_PHASE_EP")
    assert entry.status == Deadline.Status.COMPLETED and "TRUTH-EP-PHASE" in entry.closed_reason
