"""End to end with a real Celery worker on Redis and PostgreSQL against the office simulator.

The worker is a separate process on the test database (pytest-django's ``test_<name>``), consuming the
tasks the beat entries queue (``patents.sync_office`` → ``patents.sync_batch`` on office_sync, and the
deadline recomputes on default). Nothing is mocked: HTTP to the simulator, the shared throttle in Redis,
payloads, events and deadlines in PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.models import Matter, OfficeEvent, OfficePayload, QuarantineItem, SyncRun
from patents.services import MatterData, ensure_client, upsert_matter
from patents.simulator.config import FAULT_KINDS
from patents.simulator.ops_documents import is_in_register
from tests.conftest import ROOT, redis_url
from tests.sync.conftest import row_counts

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.simulator,
    pytest.mark.django_db(transaction=True),
]

OFFICES = ("EP", "US", "WO")


def _broker() -> str:
    broker = os.environ.get("CELERY_BROKER_URL", "")
    return broker if broker.startswith("redis") else redis_url()


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def sim(simulator_factory):
    return simulator_factory(seed=11, matters=400, slow_seconds=2.5, limits="odp_retry_after=1")


@pytest.fixture
def worker(sim, mappings, tmp_path):
    from docketapp.celery import app

    app.control.purge()  # messages left by earlier tests on this broker are not ours
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": _broker(),
        "REDIS_URL": redis_url(),
        "THROTTLE_BACKEND": "redis",
        "OFFICE_SIMULATOR_URL": sim.base_url,
        "OPS_KEY": "", "OPS_SECRET": "", "USPTO_ODP_API_KEY": "", "JPO_USERNAME": "", "JPO_PASSWORD": "",
        "OFFICE_HTTP_TIMEOUT": "1.5",  # the simulator's "slow" answers (2.5 s) become timeouts
        "OFFICE_SYNC_BACKOFF_BASE": "0.2",
        "AUDIT_STRICT": "true",  # any unattributed docket write in the worker fails loudly
        "DOCKETAPP_NO_BOOTSTRAP": "1",
    }
    log = open(tmp_path / "worker.log", "w+")  # a file, not a pipe: a full pipe would stall the worker
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "docketapp", "worker", "-Q", "default,office_sync", "-c", "3",
         "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", os.environ.get("E2E_WORKER_LOG", "WARNING")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    _unblock_throttle()
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.seek(0)
    output = log.read()
    log.close()
    if os.environ.get("E2E_WORKER_LOG_COPY"):
        (Path(os.environ["E2E_WORKER_LOG_COPY"])).write_text(output)
    assert "UnattributedChange" not in output, output[-4000:]
    assert "Traceback" not in output, output[-4000:]


def _unblock_throttle() -> None:
    """Time passes: an hourly fair-use block (or an earlier test's) is over for the next cycle."""
    from patents.clients.throttle import build_throttle
    from patents.offices.ep import OPS_SERVICES

    throttle = build_throttle("redis")

    def clear(state, now):
        if state.blocked_until <= now:
            return None
        state.blocked_until, state.reason = 0.0, ""
        return state

    for key in [("epo", s) for s in (*OPS_SERVICES, "*")] + [("uspto", "*")]:
        throttle.store.update(key, clear)


def _portfolio_matters(sim, counts: dict[str, int], prefix: str) -> list[Matter]:
    out = []
    taken = set(Matter.objects.values_list("application_number_normalized", flat=True))
    with attributed(reason="test portfolio", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated office portfolio")
        for office, wanted in counts.items():
            for m in sim.portfolio.matters(office):
                if wanted == 0:
                    break
                if (office == "EP" and not is_in_register(m)) or (office == "WO" and not m.publication_number):
                    continue
                data = MatterData(
                    client=client, reference=f"{prefix}-{m.index:04d}", office=office,
                    kind=Matter.Kind.PCT if office == "WO" else Matter.Kind.PATENT, title=m.title,
                    application_number=m.application_number, filing_date=m.filing_date,
                    publication_number=m.publication_number if office == "WO" else "",
                )
                if Matter(office=office, application_number=m.application_number).application_number in taken:
                    continue
                matter, created = upsert_matter(data=data)
                if matter.application_number_normalized in taken:
                    continue
                taken.add(matter.application_number_normalized)
                out.append(matter)
                wanted -= 1
    return out


def _drained(redis, timeout: float) -> None:
    """Every queued, reserved and countdown-delayed task is done (Redis keeps them in these keys)."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        busy = redis.llen("default") + redis.llen("office_sync") + redis.hlen("unacked")
        if busy == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.5:
                return
        else:
            quiet_since = None
        time.sleep(0.25)
    raise AssertionError(f"tasks still pending after {timeout}s")


def _cycle(redis, older_than, timeout: float = 240.0) -> list[SyncRun]:
    from patents.tasks import sync_office

    started = timezone.now()
    for office in OFFICES:
        # What the beat entry sends (the task picks the stale matters itself); older_than forces a re-check.
        from patents import sync

        sync.enqueue_sync(office=office, trigger=SyncRun.Trigger.COMMAND, older_than=older_than)
    assert sync_office.name == "patents.sync_office"
    end = time.monotonic() + timeout
    runs = list(SyncRun.objects.filter(started_at__gte=started))
    while any(r.finished_at is None for r in runs):
        assert time.monotonic() < end, [(r.office, r.batches_done, r.batches_total) for r in runs]
        time.sleep(0.25)
        runs = list(SyncRun.objects.filter(started_at__gte=started))
    _drained(redis, max(10.0, end - time.monotonic()))  # the deadline recomputes queued on commit
    return runs


def _redis():
    import redis

    return redis.Redis.from_url(_broker())


def test_real_worker_syncs_matters_to_payloads_events_and_deadlines_and_a_second_run_creates_nothing(sim, worker):
    redis = _redis()
    matters = _portfolio_matters(sim, {"EP": 12, "US": 8, "WO": 4}, "E2E")
    runs = _cycle(redis, older_than=None)
    assert {r.office for r in runs} == set(OFFICES)
    for matter in matters:
        matter.refresh_from_db()
        assert matter.last_synced is not None, matter.reference
        assert OfficePayload.objects.filter(matters=matter).exists(), matter.reference
        assert OfficeEvent.objects.filter(matter=matter).exists(), matter.reference
    from deadlines.rules.registry import trigger_codes

    with_deadlines = set(Deadline.objects.filter(matter__in=matters).values_list("matter_id", flat=True))
    with_triggers = set(OfficeEvent.objects.filter(matter__in=matters, event_type__internal=False,
                                                   event_type__code__in=trigger_codes())
                        .values_list("matter_id", flat=True))
    # The worker recomputed on commit: every matter with a triggering office event has its deadlines.
    assert with_triggers and with_triggers <= with_deadlines
    assert Deadline.objects.filter(matter__in=matters).count() > 2 * len(matters)
    assert not QuarantineItem.objects.exists()
    before = row_counts()
    again = _cycle(redis, older_than=timezone.now())
    assert sum(r.events_created for r in again) == 0
    assert sum(r.payloads_stored for r in again) == 0
    assert sum(r.matters_synced for r in again) == len(matters)
    assert row_counts() == before


def test_twenty_percent_faults_end_with_every_matter_synced_malformed_quarantined_no_duplicates(sim, worker, settings):
    redis = _redis()
    # Smaller OPS batches than in production, so the EPO side sees enough requests (and faults) too.
    settings.OFFICE_SYNC_BATCH = {**settings.OFFICE_SYNC_BATCH, "EP": 10, "WO": 5}
    matters = _portfolio_matters(sim, {"EP": 150, "US": 30, "WO": 20}, "FLT")
    assert len(matters) == 200
    # Every kind: 5xx, 503, slow (timeouts), truncated, malformed, expired token, black throttle / 429,
    # quota 403 — malformed weighted up so the quarantine always has something to show.
    sim.reconfigure(faults=0.2, fault_mix={**{kind: 1.0 for kind in FAULT_KINDS}, "malformed": 3.0})
    started = timezone.now()
    cycles = 0
    while True:
        cycles += 1
        runs = _cycle(redis, older_than=started)
        unsynced = Matter.objects.filter(pk__in=[m.pk for m in matters], last_synced__lt=started).count() + \
            Matter.objects.filter(pk__in=[m.pk for m in matters], last_synced__isnull=True).count()
        if unsynced == 0:
            break
        assert cycles < 5, f"{unsynced} matters still not synced after {cycles} cycles: {[r.error_log for r in runs]}"
        _unblock_throttle()  # a fair-use quota block (OPS says: an hour) has passed before the next cycle
    faults = sim.stats()["faults"]
    requests = sum(r.requests for r in SyncRun.objects.filter(started_at__gte=started))
    injected = sum(sum(f.values()) for f in faults.values())
    assert injected >= 0.1 * requests
    malformed = sum(f.get("malformed", 0) for f in faults.values())
    quarantined = OfficePayload.objects.filter(outcome="quarantined")
    assert malformed > 0 and quarantined.count() == malformed
    items = QuarantineItem.objects.filter(category="malformed")
    assert items.count() == malformed and all("[malformed]" in q.reason for q in items)
    assert set(items.values_list("payload_id", flat=True)) == set(quarantined.values_list("pk", flat=True))
    # No duplicates: every (matter, natural key) once, and a clean run finds nothing missing or extra.
    keys = Counter(OfficeEvent.objects.filter(matter__in=matters).values_list("matter_id", "natural_key"))
    assert keys and max(keys.values()) == 1
    events = OfficeEvent.objects.filter(matter__in=matters).count()
    sim.reconfigure(faults=0.0)
    _unblock_throttle()
    clean = _cycle(redis, older_than=timezone.now())
    assert sum(r.events_created for r in clean) == 0
    assert OfficeEvent.objects.filter(matter__in=matters).count() == events
