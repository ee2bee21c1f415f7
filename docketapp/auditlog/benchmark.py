"""`python manage.py bench audit [--matters N] [--rounds R] [--json]`: what the hash chain costs.

Side by side in one run, on the synthetic portfolio of ``bench recompute``: the first full recompute (every
deadline created, each with its "+" history row: the write-heaviest path the docket has) with the chain
switched off (``audit_chain.unsealed``) and on, alternating R times so machine load hits both alike; the
medians and the overhead in percent. Then ``audit verify`` over the resulting history: rows per second.

PostgreSQL gives the figures that matter (COPY path, TRUNCATE between passes). On SQLite the passes delete
row by row and the chain-off rows stay behind as "unchained" findings of the verify measurement.
"""

from __future__ import annotations

import os
import statistics
import time

from django.db import connection
from django.utils import timezone

WRITES_DATABASE = True


def add_arguments(parser) -> None:
    parser.add_argument("--matters", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2, help="off/on pairs of first full recomputes")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk-size", type=int, default=250)
    parser.add_argument("--seed", type=int, default=4)


def run(options: dict, stdout) -> dict:
    from deadlines.benchmarks import recompute as bench
    from deadlines.models import Deadline
    from docketapp import audit_chain

    n = options["matters"]
    workers = 1 if connection.vendor == "sqlite" else max(1, options["workers"])
    ids = bench._ensure_portfolio(n, options["seed"], stdout)
    today = timezone.now().date()
    timings: dict[str, list[float]] = {"off": [], "on": []}
    created = 0
    for round_ in range(options["rounds"]):
        for mode in ("off", "on"):
            bench._reset_deadlines(ids)
            if mode == "off":
                with audit_chain.unsealed():
                    result = bench._full_pass(ids, workers=workers, chunk_size=options["chunk_size"], today=today,
                                              reason="benchmark: audit chain off")
            else:
                result = bench._full_pass(ids, workers=workers, chunk_size=options["chunk_size"], today=today,
                                          reason="benchmark: audit chain on")
            timings[mode].append(result["seconds"])
            created = result.get("create", 0)
            stdout.write(f"round {round_ + 1} chain {mode}: {result['seconds']} s, {created} deadlines")
    off, on = statistics.median(timings["off"]), statistics.median(timings["on"])
    history = Deadline.history.model
    report = audit_chain.Report()
    started = time.perf_counter()
    audit_chain.verify_table(history, connection.alias, report, audit_chain.checkpoint_key()[1])
    verify_s = time.perf_counter() - started
    # CPU the chain adds per history row, free of database and machine-load noise: hash the rows just
    # written (up to 20,000) exactly as seal() does.
    sample = list(history.objects.order_by("chain_seq")[:20000])
    lay = audit_chain.layout(history)
    cpu = time.process_time()
    prev = audit_chain.GENESIS
    for row in sample:
        digest = audit_chain.content_digest([getattr(row, a) for a in lay.attnames], lay.encoders)
        prev = audit_chain.link(prev, digest)
    seal_cpu = time.process_time() - cpu
    started = time.perf_counter()
    total = audit_chain.verify()
    verify_all_s = time.perf_counter() - started
    return {
        "database": connection.vendor,
        "matters": len(ids),
        "workers": workers,
        "deadlines_per_pass": created,
        "first_full_recompute_chain_off_seconds": timings["off"],
        "first_full_recompute_chain_on_seconds": timings["on"],
        "median_off_seconds": off,
        "median_on_seconds": on,
        "chain_overhead_percent": round((on - off) / off * 100, 1) if off else None,
        "seal_cpu_microseconds_per_deadline_history_row": round(seal_cpu / len(sample) * 1e6, 1) if sample else None,
        "verify_deadline_history_rows": report.rows,
        "verify_deadline_history_seconds": round(verify_s, 2),
        "verify_rows_per_second": round(report.rows / verify_s) if verify_s else None,
        "verify_all_tables_rows": total.rows,
        "verify_all_tables_seconds": round(verify_all_s, 2),
        "verify_all_findings": len(total.findings),
    }
