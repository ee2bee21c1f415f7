"""``python manage.py bench sync [--matters N] [--json]``: requests per matter per sync cycle, per office.

Starts the office simulator in-process (loopback HTTP), creates N matters from its portfolio (EP, WO, US, JP
in the portfolio's proportions) and runs two full cycles of the real sync (``patents.sync.run_inline``, the
batch service the Celery task calls): the first (everything new) and a second one with nothing changed.
Requests are counted on the wire (token requests included). Target: ≤ 1 request per matter per cycle
where the office allows bulk requests (EPO OPS register and published data: POST up to 100 numbers);
USPTO ODP and JPO have no bulk fetch, so they cost one request per matter.

JPO's 10 requests a minute is lifted in this benchmark (the client's throttle would otherwise make the
wall time a measure of JPO's limit, not of our pipeline). Refuses a database without "bench" in its name
unless --allow-any-database.
"""

from __future__ import annotations

import time

from django.db import connection

# Writes synthetic data: `bench` refuses a database whose name lacks "bench" (see its --allow-any-database).
WRITES_DATABASE = True


def add_arguments(parser) -> None:
    parser.add_argument("--matters", type=int, default=200)
    parser.add_argument("--seed", type=int, default=9)


# Long because: one benchmark run from portfolio to figures (setup, two sync cycles, results, cleanup).
def run(options: dict, stdout) -> dict:
    from django.conf import settings
    from django.utils import timezone
    from simple_history.utils import bulk_update_with_history

    from docketapp.audit import attributed, history_kwargs
    from patents import sync
    from patents.clients import get_client
    from patents.clients.throttle import Limit, MemoryStore, Throttle, default_limits
    from patents.ingestion import recompute_inline
    from patents.models import Matter
    from patents.normalize import seed_code_mappings
    from patents.offices import get_office
    from patents.services import MatterData, ensure_client, upsert_matter
    from patents.simulator.server import start_simulator

    seed_code_mappings()
    n = options["matters"]
    sim = start_simulator(seed=options["seed"], matters=n * 2, limits="jpo_per_minute=1000")
    # The deadline recompute is measured by bench recompute: here it is collected, not run.
    with recompute_inline():
        try:
            settings.OFFICE_SIMULATOR_URL = sim.base_url
            for var in ("OPS_KEY", "OPS_SECRET", "USPTO_ODP_API_KEY", "JPO_USERNAME", "JPO_PASSWORD"):
                setattr(settings, var, "")
            run_tag = time.strftime("%H%M%S")
            with attributed(reason="benchmark portfolio", process="bench.sync"):
                client, _ = ensure_client(reference="BENCH-SYNC", name="Benchmark: sync")
                # A benchmark database only: nothing but this run's matters takes part in the cycles measured.
                # With history (never QuerySet.update() on an audited model: it would leave no trace).
                paused = list(Matter.objects.filter(sync_enabled=True))
                for matter in paused:
                    matter.sync_enabled = False
                bulk_update_with_history(paused, Matter, ["sync_enabled"], batch_size=500, **history_kwargs())
                made = 0
                for m in sim.portfolio:
                    if made == n:
                        break
                    known = get_office(m.office)
                    extra = known.simulated_matter(m) if known.simulated_matter else {}
                    if extra is None:
                        continue  # the simulated office has nothing to show for it yet
                    existing = Matter.objects.filter(office=m.office, application_number=m.application_number).first()
                    if existing is not None:
                        existing.sync_enabled = True
                        existing.last_synced = None
                        existing.save(update_fields=["sync_enabled", "last_synced"])
                    else:
                        upsert_matter(data=MatterData(
                            client=client, reference=f"BS-{run_tag}-{m.index:05d}", office=m.office,
                            kind=Matter.Kind(known.matter_kind),
                            application_number=m.application_number, filing_date=m.filing_date,
                            publication_number=extra.get("publication_number", ""),
                        ))
                    made += 1
            limits = default_limits()
            limits[("jpo", "*")] = Limit(per_minute=1000, concurrency=True)
            throttle = Throttle(MemoryStore(), limits)
            result: dict = {"database": connection.vendor, "matters": made}
            for label in ("first", "unchanged"):
                # The second cycle re-checks every matter synced by the first (as the next beat cycle would once
                # they are stale again).
                older_than = None if label == "first" else timezone.now()
                for office in sync.OFFICES:
                    client_obj = get_client(office, throttle=throttle, max_wait=60.0)
                    t0 = time.perf_counter()
                    run = sync.run_inline(office=office, client=client_obj, older_than=older_than, max_wait=60.0)
                    elapsed = time.perf_counter() - t0
                    client_obj.close()
                    tried = max(1, run.matters_tried)
                    result[f"{label}_{office}"] = {
                        "matters": run.matters_tried,
                        "requests": run.requests,
                        "requests_per_matter": round(run.requests / tried, 3),
                        "payloads_stored": run.payloads_stored,
                        "events": run.events_created,
                        "seconds": round(elapsed, 2),
                    }
            bulk = [result[f"{c}_{o}"]["requests_per_matter"] for c in ("first", "unchanged")
                    for o in sync.OFFICES if get_office(o).bulk]
            result["bulk_offices_max_requests_per_matter"] = max(bulk)
            result["target"] = "≤ 1 request per matter per cycle where the office allows bulk (EP, WO)"
            return result
        finally:
            sim.stop()
