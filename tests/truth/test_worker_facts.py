"""End to end with a real Celery worker on PostgreSQL and Redis against the office simulator: the facts the
sync fetches besides the main answer (JPO registration_info, INPADOC legal of PCT applications) leave the
right open set. (tests/truth/test_worker_truth.py covers the withdrawn and the expired EP rights.)

Seed 7 of the simulator, as of its default today: JP matter 43 is registered and paid up to year 5; JP matter
73 never paid year 4 and its right is extinguished at that year's due date; the WO matters are published."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from deadlines.models import Deadline
from patents import sync
from patents.models import OfficeEvent, OfficePayload, SyncRun
from tests.sync.test_worker_end_to_end import _drained, _portfolio_matters, _redis, worker  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.simulator,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def sim(simulator_factory):
    return simulator_factory(seed=7, matters=120)


def _cycle(redis, offices, timeout: float = 420.0) -> list[SyncRun]:
    """What the beat entries do for these offices, then wait for the runs and the recomputes they queue.
    (JP paces ten requests a minute: 8 progress + 2 registration_info requests take over a minute.)"""
    started = timezone.now()
    for office in offices:
        sync.enqueue_sync(office=office, trigger=SyncRun.Trigger.COMMAND)
    end = time.monotonic() + timeout
    runs = list(SyncRun.objects.filter(started_at__gte=started).order_by("pk"))
    while any(r.finished_at is None for r in runs):
        assert time.monotonic() < end, [(r.office, r.batches_done, r.batches_total) for r in runs]
        time.sleep(0.5)
        runs = list(SyncRun.objects.filter(started_at__gte=started).order_by("pk"))
    _drained(redis, max(10.0, end - time.monotonic()))
    return runs


def _months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has none."""
    year, month = divmod(day.month - 1 + months, 12)
    first = dt.date(day.year + year, month + 1, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first.replace(day=min(day.day, last.day))


def _jp_period_end(event: dt.date, months: int) -> dt.date:
    """Patent Act (Japan) Art. 3(1): the first day is not counted, and a period in months ends on the day before
    the day corresponding to its first day in the last month, or on that month's last day when there is no
    such day (Civil Code Art. 143(2))."""
    first = event + dt.timedelta(days=1)
    corresponding = _months_after(first, months)
    return corresponding if corresponding.day != first.day else corresponding - dt.timedelta(days=1)


def _open(matter) -> set[str]:
    return {d.key.split(":", 2)[-1] if d.rule_id == "JP.ANNUITY" else d.rule_id
            for d in Deadline.objects.filter(matter=matter, status=Deadline.Status.OPEN)}


def test_worker_sync_closes_paid_annuities_moots_a_lapsed_right_and_records_pct_phase_entries(sim, worker):  # noqa: F811
    redis = _redis()
    matters = _portfolio_matters(sim, {"JP": 8, "WO": 3}, "FACTS")
    runs = _cycle(redis, offices=("WO", "JP"))
    assert [(r.office, r.errors, r.matters_synced) for r in runs] == [("WO", 0, 3), ("JP", 0, 8)]
    by_ref = {m.reference: m for m in matters}

    paid = by_ref["FACTS-0043"]  # registered 2022-03-23, paid up to year 5 (Art. 108(2))
    paid.refresh_from_db()
    assert paid.lifecycle_state == "granted"
    annuities = Deadline.objects.filter(matter=paid, rule_id="JP.ANNUITY")
    assert {d.key.rsplit(":", 1)[-1] for d in annuities.filter(status=Deadline.Status.SUPERSEDED)} == {"4", "5"}
    assert annuities.get(key__endswith=":6").status == Deadline.Status.OPEN

    lapsed = by_ref["FACTS-0073"]  # registered 2022-04-29, year 4 unpaid: extinguished 2025-04-29 (Art. 112(4))
    lapsed.refresh_from_db()
    assert (lapsed.lifecycle_state, lapsed.lifecycle_event.event_type.code) == ("lapsed", "JP.RIGHT_LAPSED")
    # Nothing asks for an annuity any more; restoration (Art. 112-2(1)) is the one thing open, and overdue.
    assert _open(lapsed) == {"JP.RESTORATION"}
    restoration = Deadline.objects.get(matter=lapsed, rule_id="JP.RESTORATION")
    # The simulator's portfolio is dated from the day it runs (registered 2022-04-29 when this was written: due
    # 2026-10-29), so the dates are checked against the matter's own: extinguished at year 4's due date, three
    # years from registration (Art. 112(4)); restoration within six months of late payment plus one year (Art.
    # 112(1), 112-2(1)): eighteen months counted as Art. 3(1) counts them, not moved off a closed day.
    assert lapsed.grant_date and lapsed.lifecycle_event.date == _months_after(lapsed.grant_date, 36)
    assert restoration.due_date == _jp_period_end(lapsed.lifecycle_event.date, 18)
    moot = Deadline.objects.filter(matter=lapsed, status=Deadline.Status.MOOT)
    assert moot.filter(rule_id="JP.ANNUITY").exists() and not moot.filter(closed_reason="").exists()

    pct = [m for m in matters if m.office == "WO"]
    for matter in pct:
        assert OfficePayload.objects.filter(kind="ep-legal", matters=matter).exists(), matter.reference
        entered = set(OfficeEvent.objects.filter(matter=matter, event_type__code="WO.NATIONAL_PHASE_ENTERED")
                      .values_list("params__office", flat=True))
        for office in ("US", "JP"):
            phase = Deadline.objects.filter(matter=matter, rule_id=f"WO.NATIONAL_PHASE_{office}").first()
            if phase is None:
                continue
            # Entered (INPADOC "ENP" with that country): closed; not entered: still open for a human.
            expected = Deadline.Status.SUPERSEDED if office in entered else Deadline.Status.OPEN
            assert phase.status == expected, (matter.reference, office, entered)
    assert OfficeEvent.objects.filter(matter__in=pct, event_type__code="WO.NATIONAL_PHASE_ENTERED").exists()
