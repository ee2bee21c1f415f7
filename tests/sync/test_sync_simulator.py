"""The sync against the office simulator over loopback HTTP, run in this process (the same batch service
the Celery task calls): payloads → events → deadlines; a second run writes nothing; faults end in quarantine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from deadlines.models import Deadline
from docketapp.audit import attributed
from patents import sync
from patents.models import Matter, OfficeEvent, OfficePayload, QuarantineItem, SyncRun
from patents.services import MatterData, ensure_client, upsert_matter
from patents.simulator.ops_documents import is_in_register
from tests.sync.conftest import row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.simulator, pytest.mark.usefixtures("mappings")]


def docket_from(portfolio, offices=("EP", "US", "WO", "JP"), per_office=6) -> list[Matter]:
    out = []
    with attributed(reason="test portfolio", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated")
        for office in offices:
            n = 0
            for m in portfolio.matters(office):
                if n == per_office:
                    break
                if (office == "EP" and not is_in_register(m)) or (office == "WO" and not m.publication_number):
                    continue
                n += 1
                matter, _ = upsert_matter(data=MatterData(
                    client=client, reference=f"SIM-{m.index:04d}", office=office,
                    kind=Matter.Kind.PCT if office == "WO" else Matter.Kind.PATENT,
                    application_number=m.application_number,
                    filing_date=m.filing_date, publication_number=m.publication_number if office == "WO" else "",
                ))
                out.append(matter)
    return out


def run_all(sim, sim_client, offices=("EP", "US", "WO", "JP"), older_than=None) -> dict[str, SyncRun]:
    runs = {}
    for office in offices:
        runs[office] = sync.run_inline(office=office, client=sim_client(sim, office), older_than=older_than,
                                       max_wait=5.0)
    return runs


def test_sync_brings_events_and_deadlines_and_a_second_run_writes_nothing(
    simulator_factory, sim_client, inline_deadlines, django_capture_on_commit_callbacks
):
    sim = simulator_factory(seed=3, matters=80, limits="jpo_per_minute=600")
    matters = docket_from(sim.portfolio)
    with django_capture_on_commit_callbacks(execute=True):
        runs = run_all(sim, sim_client)
    for office, run in runs.items():
        assert (run.matters_synced, run.errors, run.finished_at is not None) == (run.matters_tried, 0, True), office
    # EP and WO arrive in one bulk request per batch; US and JP need one per matter (+ token requests).
    # WO adds one INPADOC legal request per published PCT matter, JP one registration_info per registered
    # right (patents.offices FollowUp; docs/offices.md has the figures).
    wo = [m for m in matters if m.office == "WO"]
    assert runs["EP"].requests <= 2 and runs["WO"].requests <= 2 + len(wo)
    assert runs["US"].requests == 6
    jp_registered = Matter.objects.filter(office="JP", pk__in=[m.pk for m in matters]).exclude(grant_number="")
    assert runs["JP"].requests <= 1 + 6 + jp_registered.count()
    assert OfficePayload.objects.filter(kind="ep-legal", matters__office="WO").count() == len(wo)
    for matter in matters:
        matter.refresh_from_db()
        assert matter.last_synced is not None
        assert matter.office_payloads.exists(), matter.reference
        assert OfficeEvent.objects.filter(matter=matter).exists(), matter.reference
    assert Deadline.objects.filter(matter__in=matters).count() > len(matters)
    assert not QuarantineItem.objects.exists()
    filed = OfficeEvent.objects.filter(event_type__code="EP.FILED")
    assert filed.count() == 6  # one filing event per EP matter, from the register biblio
    before = row_counts()
    with django_capture_on_commit_callbacks(execute=True):
        again = run_all(sim, sim_client, older_than=timezone.now())
    assert sum(r.events_created for r in again.values()) == 0
    assert sum(r.payloads_unchanged for r in again.values()) == sum(r.payloads_stored for r in runs.values())
    assert row_counts() == before


def test_only_stale_matters_are_picked_oldest_first():
    with attributed(reason="test", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated")
        fresh, _ = upsert_matter(data=MatterData(client=client, reference="F", office="US",
                                                 application_number="17/100,001"))
        stale, _ = upsert_matter(data=MatterData(client=client, reference="S", office="US",
                                                 application_number="17/100,002"))
        never, _ = upsert_matter(data=MatterData(client=client, reference="N", office="US",
                                                 application_number="17/100,003"))
        off, _ = upsert_matter(data=MatterData(client=client, reference="O", office="US",
                                               application_number="17/100,004", sync_enabled=False))
    now = timezone.now()
    Matter.objects.filter(pk=fresh.pk).update(last_synced=now - dt.timedelta(hours=1))
    Matter.objects.filter(pk=stale.pk).update(last_synced=now - dt.timedelta(hours=30))
    assert sync.select_stale(office="US") == [never.pk, stale.pk]
    run, batches = sync.plan_sync(office="US")
    assert run.matters_tried == 2 and batches == [sorted([never.pk, stale.pk])]


def test_faults_are_retried_and_every_malformed_answer_is_quarantined_with_its_reason(
    simulator_factory, sim_client, no_hooks
):
    sim = simulator_factory(seed=5, matters=120, faults=0.35, fault_mix="malformed=3,server_error=1,truncated=1",
                            limits="jpo_per_minute=600")
    docket_from(sim.portfolio, offices=("US",), per_office=12)
    # run_inline retries what the client raises (the task does the same with retry(countdown=…)).
    run = sync.run_inline(office="US", client=sim_client(sim, "US"), max_wait=30.0, backoff_base=0.02)
    assert run.matters_synced == run.matters_tried == 12 and run.errors == 0
    malformed = sim.stats()["faults"]["odp"].get("malformed", 0)
    assert malformed > 0
    bad = OfficePayload.objects.filter(outcome="quarantined")
    assert bad.count() == malformed
    assert QuarantineItem.objects.filter(category="malformed", payload__in=bad).count() == malformed
    assert all("malformed" in q.reason for q in QuarantineItem.objects.all())
    assert run.retries >= malformed
