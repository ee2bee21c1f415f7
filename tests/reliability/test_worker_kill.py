"""A real worker, killed with SIGKILL in the middle of applying an office answer, on PostgreSQL and Redis.

Before: the answer was stored (committed) before it was applied; the redelivered task fetched the same
bytes, took them for "unchanged" and skipped them, so the events of every matter after the first were
never recorded. Now the redelivered batch (late ack, short visibility timeout here) applies the stored
answer, and every event is recorded exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from patents import sync
from patents.models import Matter, OfficeEvent, OfficePayload, SyncRun
from tests.conftest import ROOT, redis_url
from tests.sync.test_worker_end_to_end import _broker, _database_url, _portfolio_matters, _redis, _unblock_throttle

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.simulator,
    pytest.mark.django_db(transaction=True),
]

QUEUE = "reliability_kill"  # our own queue: no other test's worker takes these tasks


def _forget_our_messages() -> None:
    """Drop what our killed workers left in Redis: the queue, and the unacked copies routed to it (other
    tests wait for the broker's unacked set to drain; a message only a redelivery would clear must go)."""
    import json

    redis = _redis()
    redis.delete(QUEUE)
    for tag, raw in redis.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == QUEUE:
            redis.hdel("unacked", tag)
            redis.zrem("unacked_index", tag)


@pytest.fixture(autouse=True)
def _own_queue():
    _forget_our_messages()
    yield
    _forget_our_messages()


def start_worker(sim, log_path, **extra) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": _broker(),
        "REDIS_URL": redis_url(),
        "THROTTLE_BACKEND": "redis",
        "OFFICE_SIMULATOR_URL": sim.base_url,
        "OPS_KEY": "", "OPS_SECRET": "", "USPTO_ODP_API_KEY": "", "JPO_USERNAME": "", "JPO_PASSWORD": "",
        # A killed worker's task comes back after this (production: 600 s, docs/operations.md).
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "AUDIT_STRICT": "true",
        "DOCKETAPP_NO_BOOTSTRAP": "1",
        **extra,
    }
    log = open(log_path, "w")  # noqa: SIM115 - a file, not a pipe: a full pipe would stall the worker
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "docketapp", "worker", "-Q", QUEUE, "-P", "solo",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_worker_killed_mid_ingest_the_redelivered_batch_records_every_event_exactly_once(
    simulator_factory, mappings, tmp_path
):
    from patents.tasks import sync_batch

    sim = simulator_factory(seed=11, matters=200)
    _unblock_throttle()
    matters = _portfolio_matters(sim, {"EP": 8}, "KILL")
    ids = sorted(m.pk for m in matters)
    run = SyncRun.objects.create(office="EP", batches_total=1, matters_tried=len(ids))
    marker = tmp_path / "hung-after-matter.txt"

    first = start_worker(sim, tmp_path / "worker-1.log", DJANGO_SETTINGS_MODULE="tests.reliability.crash_settings",
                         RELIABILITY_HANG_MARKER=str(marker))
    second = None
    try:
        sync_batch.apply_async((run.pk, "EP", ids), queue=QUEUE)
        deadline = time.monotonic() + 90
        while not (marker.exists() and marker.read_text().strip()):
            assert first.poll() is None, (tmp_path / "worker-1.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker never reached the first matter's commit"
            time.sleep(0.1)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)

        # What the kill left: the answer stored but not applied, one matter's events, the run "running".
        payload = OfficePayload.objects.get(sync_run=run)
        assert payload.outcome == ""
        applied = int(marker.read_text())
        with_events = set(OfficeEvent.objects.filter(matter__in=ids).values_list("matter_id", flat=True))
        assert with_events == {applied}
        events_of_applied = OfficeEvent.objects.filter(matter_id=applied).count()
        run.refresh_from_db()
        assert run.finished_at is None

        # A fresh worker: the unacked batch comes back (visibility timeout) and is done properly.
        second = start_worker(sim, tmp_path / "worker-2.log")
        deadline = time.monotonic() + 120
        while run.finished_at is None:
            assert second.poll() is None, (tmp_path / "worker-2.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the killed worker's batch never came back"
            time.sleep(0.25)
            run.refresh_from_db()
    finally:
        stop(first)
        if second is not None:
            stop(second)

    # The refetched answer was the same one (not stored twice), and it is applied now.
    assert OfficePayload.objects.filter(request_hash=payload.request_hash).count() == 1
    payload.refresh_from_db()
    assert payload.outcome == "parsed"
    assert set(OfficeEvent.objects.filter(matter__in=ids).values_list("matter_id", flat=True)) == set(ids)
    keys = Counter(OfficeEvent.objects.filter(matter__in=ids).values_list("matter_id", "natural_key"))
    assert max(keys.values()) == 1
    assert OfficeEvent.objects.filter(matter_id=applied).count() == events_of_applied
    # Exactly once: applying the stored answer again finds nothing missing.
    assert sync.replay_payloads(payload_ids=[payload.pk])["events_created"] == 0
    assert all(m.last_synced is not None for m in Matter.objects.filter(pk__in=ids))
    assert run.errors == 0 and not run.interrupted_reason
    log = (tmp_path / "worker-2.log").read_text()
    assert "Traceback" not in log, log[-3000:]


def test_worker_killed_for_good_the_run_is_closed_as_interrupted_and_the_sweep_applies_the_answer(
    simulator_factory, mappings, tmp_path
):
    """No worker comes back: the interrupted-run sweep closes the run with its reason, and the pending-
    payload sweep applies the stored answer (nobody fetches it again)."""
    import datetime as dt

    from patents.ingestion import process_pending_payloads
    from patents.tasks import sync_batch

    sim = simulator_factory(seed=12, matters=200)
    _unblock_throttle()
    matters = _portfolio_matters(sim, {"EP": 6}, "GONE")
    ids = sorted(m.pk for m in matters)
    run = SyncRun.objects.create(office="EP", batches_total=1, matters_tried=len(ids))
    marker = tmp_path / "hung-after-matter.txt"
    worker = start_worker(sim, tmp_path / "worker.log", DJANGO_SETTINGS_MODULE="tests.reliability.crash_settings",
                          RELIABILITY_HANG_MARKER=str(marker), CELERY_VISIBILITY_TIMEOUT="3600")
    try:
        sync_batch.apply_async((run.pk, "EP", ids), queue=QUEUE)
        deadline = time.monotonic() + 90
        while not (marker.exists() and marker.read_text().strip()):
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker never reached the first matter's commit"
            time.sleep(0.1)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        stop(worker)
    time.sleep(1.2)
    assert sync.close_interrupted_runs(stale_after=dt.timedelta(seconds=1)) == [run.pk]
    run.refresh_from_db()
    assert run.state == "interrupted" and "0 of 1 batches done" in run.interrupted_reason

    totals = process_pending_payloads(older_than=dt.timedelta(0))
    assert totals["payloads"] == 1
    payload = OfficePayload.objects.get(sync_run=run)
    assert payload.outcome == "parsed"
    assert set(OfficeEvent.objects.filter(matter__in=ids).values_list("matter_id", flat=True)) == set(ids)
    keys = Counter(OfficeEvent.objects.filter(matter__in=ids).values_list("matter_id", "natural_key"))
    assert max(keys.values()) == 1
    assert sync.replay_payloads(payload_ids=[payload.pk])["events_created"] == 0
