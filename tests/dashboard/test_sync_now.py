""""Sync now" on a matter and on a selection: a SyncRun through the sync path at once, a clear word when the
office's budget is used up or a matter cannot be synced, and the result from the run when it is done."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from docketapp.audit import attributed
from patents.clients.throttle import get_throttle
from patents.models import SyncRun
from tests.factories import DeadlineFactory, MatterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_throttle(settings):
    settings.THROTTLE_BACKEND = "database"
    import patents.clients.throttle as throttle

    throttle._default = None
    yield
    throttle._default = None


def test_sync_now_queues_a_manual_run_for_the_matter_at_once(client, portfolio, open_throttle,
                                                             django_capture_on_commit_callbacks):
    client.force_login(portfolio["alice"])
    matter = portfolio["matter_a2"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("patents:matter-sync-now", args=[matter.pk]))
    run = SyncRun.objects.get()
    assert (run.trigger, run.office, run.requested_matters, run.requested_by) == (
        "manual", "US", [matter.pk], portfolio["alice"])
    assert run.batches_total == 1 and run.finished_at is None
    assert len(callbacks) == 1  # the batch is published on commit, through patents.sync
    assert response["Location"] == f"{matter.get_absolute_url()}?sync={run.pk}"
    page = client.get(response["Location"]).content.decode()
    assert 'id="sync-progress"' in page and "hx-get" in page and "fetching from the office" in page


def test_a_used_up_office_budget_queues_nothing_and_says_until_when(client, portfolio, open_throttle):
    get_throttle().block("uspto", "*", seconds=3 * 3600, reason="QuotaError: daily quota used")
    client.force_login(portfolio["alice"])
    response = client.post(reverse("patents:matter-sync-now", args=[portfolio["matter_a2"].pk]), follow=True)
    assert not SyncRun.objects.exists()
    text = response.content.decode()
    assert "budget is used up (QuotaError: daily quota used) until" in text
    assert "ACME-002 will be synced by the first scheduled sync after that" in text


def test_selection_syncs_each_office_and_names_matters_that_cannot_be_synced(
    client, portfolio, open_throttle, django_capture_on_commit_callbacks
):
    acme = portfolio["client_a"]
    unfiled = MatterFactory(client=acme, reference="ACME-NEW", application_number="")
    client.force_login(portfolio["alice"])
    ids = [portfolio["matter_a"].pk, portfolio["matter_a2"].pk, unfiled.pk, portfolio["matter_b"].pk]
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("patents:matters-sync-now"), {"matter": ids}, follow=True)
    runs = {r.office: r for r in SyncRun.objects.all()}
    assert set(runs) == {"EP", "US"}
    assert runs["EP"].requested_matters == [portfolio["matter_a"].pk]
    assert all(portfolio["matter_b"].pk not in r.requested_matters for r in runs.values())  # not visible
    text = response.content.decode()
    assert "ACME-NEW not synced: no application number yet" in text
    assert 'id="sync-progress"' in text


def test_progress_shows_the_runs_result_and_stops_polling(client, portfolio):
    matter = portfolio["matter_a"]
    later = time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    later.start()
    started = timezone.now() - dt.timedelta(seconds=1)
    run = SyncRun.objects.create(office="EP", trigger="manual", started_at=started, finished_at=timezone.now(),
                                 batches_total=1, batches_done=1, matters_tried=1, matters_synced=1,
                                 events_created=4, events_changed=1, quarantined=2,
                                 requested_matters=[matter.pk])
    with attributed(reason="recompute", process="deadlines.recompute"):
        DeadlineFactory(matter=matter, title="New one")
    later.stop()
    client.force_login(portfolio["alice"])
    fragment = client.get(reverse("patents:sync-progress") + f"?runs={run.pk}").content.decode()
    assert "hx-get" not in fragment  # done: no more polling
    assert '<strong class="events-created">4</strong>' in fragment
    assert '<strong class="deadlines-created">1</strong>' in fragment
    assert '<strong class="quarantined">2</strong>' in fragment
    # Another client's user sees nothing of this run.
    client.force_login(portfolio["carol"])
    assert "events-created" not in client.get(reverse("patents:sync-progress") + f"?runs={run.pk}").content.decode()
