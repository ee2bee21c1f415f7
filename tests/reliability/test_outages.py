"""Broker and throttle-Redis outages: the user sees success or a plain message, nothing is left half-done,
and what could not happen at once (a deadline recompute, a sync batch) is recorded and caught up."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from deadlines.models import Deadline, MatterComputation
from deadlines.services import recompute_pending
from docketapp.audit import attributed
from patents import sync
from patents.ingestion import ingest_response
from patents.models import EventType, QuarantineItem, SyncRun
from tests.factories import MatterFactory, UserFactory
from tests.sync.conftest import confirmed

from .conftest import CLOSED_REDIS

UNMAPPED = {"count": 1, "patentFileWrapperDataBag": [{"applicationNumberText": "17123456", "eventDataBag": [
    {"eventCode": "ZZNEW", "eventDescriptionText": "Mail Non-Final Rejection (new code)", "eventDate": "2026-03-05"}]}]}


@pytest.mark.django_db(transaction=True)
def test_mapping_a_code_while_the_broker_is_down_succeeds_and_the_sweep_recomputes(
    mappings, client, broker_down, caplog
):
    """The page that records events (map an unmapped code): before, the on-commit enqueue raised → 500."""
    matter = MatterFactory(office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))
    with attributed(reason="office sync (test)", process="tests"):
        ingest_response(office="US", kind="us-odp-application", endpoint="applications", request_key="GET x",
                        body=json.dumps(UNMAPPED).encode(), matters=[matter])
    item = QuarantineItem.objects.get()
    client.force_login(UserFactory(username="para", is_superuser=True))
    target = EventType.objects.get(code="US.NON_FINAL_REJECTION")

    # A superuser maps for every client: the impact page first, then the confirmed decision.
    first = client.post(f"/sync/quarantine/{item.pk}/decide/", {"action": "map", "event_type": target.pk})
    assert first.status_code == 200 and b"confirm_items" in first.content
    items, clients = confirmed(item, target)
    response = client.post(f"/sync/quarantine/{item.pk}/decide/", {
        "action": "map", "event_type": target.pk, "confirm_items": items, "confirm_clients": clients})

    assert response.status_code == 302
    assert "not queued (OperationalError" in caplog.text  # the outage was real
    page = client.get(response.url).content.decode()
    assert "1 event(s) recorded" in page
    # The need to recompute was committed with the event; nothing was computed yet.
    mark = MatterComputation.objects.get(matter=matter)
    assert mark.recompute_requested_at is not None
    assert not Deadline.objects.filter(matter=matter).exists()

    # The sweep catches up (after its grace period; here: at once).
    assert recompute_pending(older_than=dt.timedelta(0))["matters"] == 1
    assert Deadline.objects.filter(matter=matter, status="open").exists()
    mark.refresh_from_db()
    assert mark.recompute_requested_at is None
    assert recompute_pending(older_than=dt.timedelta(0))["matters"] == 0


@pytest.mark.django_db
def test_a_recompute_that_ran_clears_the_mark_but_a_newer_event_keeps_it(mappings):
    from deadlines.services import mark_recompute_pending, recompute_deadlines

    matter = MatterFactory(office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))
    mark_recompute_pending(matter.pk)
    recompute_deadlines(matter_id=matter.pk, reason="test")
    assert MatterComputation.objects.get(matter=matter).recompute_requested_at is None
    # An event recorded while a recompute runs (its mark newer than the recompute's start) stays marked.
    later = timezone.now() + dt.timedelta(seconds=5)
    MatterComputation.objects.filter(matter=matter).update(recompute_requested_at=later)
    recompute_deadlines(matter_id=matter.pk, reason="test")
    assert MatterComputation.objects.get(matter=matter).recompute_requested_at is not None


@pytest.mark.django_db
def test_recompute_pending_command(mappings):
    from deadlines.services import mark_recompute_pending

    matter = MatterFactory(office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))
    mark_recompute_pending(matter.pk)
    out = StringIO()
    call_command("recompute_pending", "--all", stdout=out)
    assert "1 matters recomputed" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_sync_office_enqueue_with_the_broker_down_says_so_and_leaves_no_running_run(mappings, broker_down):
    MatterFactory(office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))
    with pytest.raises(CommandError) as err:
        call_command("sync_office", "US", "--enqueue", stdout=StringIO())
    assert "broker is unreachable" in str(err.value)
    run = SyncRun.objects.get()
    assert run.finished_at is not None and run.state == "interrupted"
    assert "1 of 1 batches not queued" in run.interrupted_reason
    assert not SyncRun.objects.filter(finished_at__isnull=True).exists()


# --- throttle Redis outage ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.simulator
def test_throttle_redis_down_falls_back_to_the_database_and_the_run_says_so(
    office_simulator, sim_client, settings, mappings, no_hooks, client
):
    from patents.clients.throttle import build_throttle
    from patents.models import ThrottleBucket

    settings.REDIS_URL = CLOSED_REDIS
    throttle = build_throttle("redis")
    sim = office_simulator
    docket = [MatterFactory(office="US", application_number=m.application_number)
              for m in list(sim.portfolio.matters("US"))[:2]]
    run = SyncRun.objects.create(office="US", batches_total=1, matters_tried=2)

    outcome = sync.sync_matters(run_id=run.pk, office="US", matter_ids=[m.pk for m in docket],
                                client=sim_client(sim, "US", throttle=throttle))
    sync.finish_batch(run.pk)

    assert sorted(outcome.synced) == sorted(m.pk for m in docket)
    assert ThrottleBucket.objects.filter(office="uspto").exists()  # the database throttle decided
    run.refresh_from_db()
    assert run.finished_at is not None and run.errors == 0
    entry = run.error_log[-1]
    assert entry["kind"] == "ThrottleUnavailable" and "throttle Redis unreachable" in entry["message"]
    client.force_login(UserFactory(username="ops", is_staff=True, is_superuser=True))
    page = client.get("/sync/").content.decode()
    assert "ThrottleUnavailable" in page and "used the database throttle" in page


@pytest.mark.django_db
def test_a_batch_failing_unexpectedly_is_retried_then_recorded_and_the_run_closed(mappings, monkeypatch):
    from patents import tasks

    def boom(**kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(sync, "sync_matters", boom)
    matter = MatterFactory(office="US", application_number="17/123,456")
    run = SyncRun.objects.create(office="US", batches_total=1, matters_tried=1)
    # First failure: recorded on the run at once (so the sync page shows it), and retried.
    with pytest.raises(sync.UnexpectedFailure):
        tasks.sync_batch.run(run.pk, "US", [matter.pk])
    run.refresh_from_db()
    assert run.finished_at is None and run.retries == 1
    assert run.error_log[-1]["kind"] == "UnexpectedFailure" and run.error_log[-1]["deferred"]
    # Out of attempts: recorded as an error and the run is finished, never left "running".
    assert tasks.sync_batch.run(run.pk, "US", [matter.pk], failures=sync.MAX_ATTEMPTS) == {
        "failed": "ConnectionError"}
    run.refresh_from_db()
    assert run.finished_at is not None and run.errors == 1 and run.state == "failed"
    assert "Connection refused" in run.error_log[-1]["message"]


# --- interrupted runs -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_without_progress_is_closed_as_interrupted_and_shown_on_the_sync_page(client):
    quiet = SyncRun.objects.create(office="EP", batches_total=4, batches_done=1, matters_tried=100)
    SyncRun.objects.filter(pk=quiet.pk).update(last_progress_at=timezone.now() - dt.timedelta(hours=1))
    busy = SyncRun.objects.create(office="US", batches_total=2, matters_tried=20)
    sync._count(busy.pk, requests=1)

    assert sync.close_interrupted_runs() == [quiet.pk]

    quiet.refresh_from_db()
    busy.refresh_from_db()
    assert quiet.state == "interrupted" and "1 of 4 batches done" in quiet.interrupted_reason
    assert busy.state == "running"
    client.force_login(UserFactory(username="para"))
    page = client.get("/sync/").content.decode()
    assert "interrupted: no progress for over" in page
    out = StringIO()
    call_command("close_interrupted_runs", "--minutes", "0", stdout=out)
    assert "1 runs closed as interrupted" in out.getvalue()


def test_the_stale_run_limit_outlasts_redelivery_time_limit_and_retry_countdown(settings):
    settings.SYNC_RUN_STALE_MINUTES = 0
    limit = sync.stale_run_after().total_seconds()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 600)
    assert limit > visibility + settings.CELERY_TASK_TIME_LIMIT + sync.MAX_COUNTDOWN
    assert limit < 60 * 60  # back within minutes, not "running" for hours


def test_beat_has_every_sweep_with_expires(settings):
    for name in ("deadlines.recompute_pending", "patents.process_pending_payloads", "patents.close_interrupted_runs"):
        entry = settings.CELERY_BEAT_SCHEDULE[name]
        assert entry["task"] == name and entry["options"]["expires"] > 0
