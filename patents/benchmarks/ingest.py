"""``python manage.py bench ingest [--payloads N] [--json]``: first ingest of N office payloads vs replay.

Payload bodies are the office simulator's documents (EPO register biblio+events+procedural steps, USPTO ODP
application, JPO app_progress; mixed like the simulator's portfolio), built in-process so no HTTP time is
counted. For each a matter is created with the application number only; then

1. ``first``: every payload through ``ingest_response`` (store, hash, parse, normalize, record events,
   reconcile and fill the biblio) — the sync path, without the deadline recompute that follows on commit
   (the hook is switched off here; ``bench recompute`` measures that stage);
2. ``replay``: ``replay_payloads`` over the same N stored payloads (parse, normalize, compare: nothing is
   written), and the number of rows it created (must be 0);
3. ``unchanged``: the same N answers arriving again (same bytes): stopped at the hash, nothing parsed.

Writes synthetic data: refuses a database whose name does not contain "bench" unless --allow-any-database.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

# Writes synthetic data: `bench` refuses a database whose name lacks "bench" (see its --allow-any-database).
WRITES_DATABASE = True


def add_arguments(parser) -> None:
    parser.add_argument("--payloads", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)


def _bodies(n: int, seed: int):
    """(office, kind, request key, body, synthetic matter) for n portfolio matters (WO skipped: no register)."""
    from patents.offices import OFFICES_BY_CODE
    from patents.simulator.portfolio import SyntheticPortfolio

    portfolio = SyntheticPortfolio(seed, n * 3)
    out: list[tuple[str, str, bytes, Any]] = []
    for m in portfolio:
        if len(out) == n:
            break
        known = OFFICES_BY_CODE.get(m.office)
        body = known.simulated_answer(m, portfolio) if known is not None and known.simulated_answer else None
        if known is not None and body is not None:
            out.append((known.code, known.sync_kind, body, m))
    return out


def _rows() -> int:
    from patents.models import Matter, OfficeEvent, OfficePayload, PriorityClaim, QuarantineItem, ReconciliationItem

    models = (Matter, OfficeEvent, OfficePayload, PriorityClaim, QuarantineItem, ReconciliationItem)
    return sum(m.objects.count() + (m.history.count() if hasattr(m, "history") else 0) for m in models)


def run(options: dict, stdout) -> dict:
    from simple_history.utils import bulk_update_with_history

    from docketapp.audit import attributed, history_kwargs
    from patents.ingestion import ingest_response, recompute_inline
    from patents.models import Matter, OfficePayload
    from patents.normalize import MappingTable, seed_code_mappings
    from patents.services import MatterData, ensure_client, upsert_matter
    from patents.sync import replay_payloads

    seed_code_mappings()
    n = options["payloads"]
    run_id = time.strftime("%Y%m%d%H%M%S")
    items = _bodies(n, options["seed"])
    stdout.write(f"{len(items)} payloads ({sum(len(b) for _, _, b, _ in items) // 1024} KiB)\n")
    with attributed(reason="benchmark portfolio", process="bench.ingest"):
        client, _ = ensure_client(reference="BENCH-INGEST", name="Benchmark: ingest")
        matters = []
        for i, (office, _, _, m) in enumerate(items):
            matter = Matter.objects.filter(office=office, application_number_normalized__isnull=False,
                                           reference=f"BI-{run_id}-{i:05d}").first()
            if matter is None:
                # A previous run may hold the same numbers: this run's answers go to fresh matters.
                # With history (never QuerySet.update() on an audited model: it would leave no trace).
                clashing = list(Matter.objects.filter(office=office, client=client).filter(
                    application_number=m.application_number))
                for other in clashing:
                    other.application_number = ""
                bulk_update_with_history(clashing, Matter, ["application_number"], **history_kwargs())
                matter, _ = upsert_matter(data=MatterData(client=client, reference=f"BI-{run_id}-{i:05d}",
                                                          office=office, application_number=m.application_number))
            matters.append(matter)
    with recompute_inline():  # the recompute is its own stage (bench recompute): collected, not run
        table = MappingTable.load()
        events = 0
        t0 = time.perf_counter()
        with attributed(reason="benchmark: first ingest", process="bench.ingest"):
            for (office, kind, body, _), matter in zip(items, matters, strict=True):
                result = ingest_response(office=office, kind=kind, endpoint=kind,
                                         request_key=f"BENCH {run_id} {matter.reference}", body=body,
                                         matters=[matter], table=table)
                events += result.events_created
        first_s = time.perf_counter() - t0
        stored = OfficePayload.objects.filter(request_key__startswith=f"BENCH {run_id} ")
        ids = list(stored.values_list("pk", flat=True))
        before = _rows()
        t0 = time.perf_counter()
        replayed = replay_payloads(payload_ids=ids)
        replay_s = time.perf_counter() - t0
        new_rows = _rows() - before
        t0 = time.perf_counter()
        unchanged = 0
        with attributed(reason="benchmark: unchanged answers", process="bench.ingest"):
            for (office, kind, body, _), matter in zip(items, matters, strict=True):
                unchanged += ingest_response(office=office, kind=kind, endpoint=kind,
                                             request_key=f"BENCH {run_id} {matter.reference}", body=body,
                                             matters=[matter], table=table).unchanged
        unchanged_s = time.perf_counter() - t0
    return {
        "database": connection.vendor,
        "payloads": len(items),
        "events_recorded": events,
        "first_ingest_s": round(first_s, 2),
        "first_payloads_per_s": round(len(items) / first_s, 1),
        "replay_s": round(replay_s, 2),
        "replay_payloads_per_s": round(replayed["payloads"] / replay_s, 1),
        "replay_speedup": round(first_s / replay_s, 1),
        "replay_new_rows": new_rows,
        "replay_events_created": replayed["events_created"],
        "unchanged_payloads_per_s": round(len(items) / unchanged_s, 1),
        "unchanged_skipped": unchanged,
        "target": "replay ≥ 5× faster than first ingest; 0 new rows on replay",
    }
