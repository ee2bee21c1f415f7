"""`python manage.py bench recompute [--matters N] [--json]`: deadline recompute at portfolio scale.

Builds (once) a synthetic portfolio of N matters with about ten office events each (EP/US/JP/PCT mixes that
exercise renewals, advisory actions, replies, national phase), then times

* the first full recompute (every deadline created, with history rows),
* a steady-state full recompute (nothing changed: what a rule-change preview or a nightly pass costs),
* single-event recomputes: an office event is recorded through ``record_office_event`` and the matter is
  recomputed; p50/p95 of the recompute alone and of record + recompute.

The full passes run in ``--workers`` processes (default: CPU count; forced to 1 on SQLite), each with its own
database connection and contiguous slices of matters, as several Celery workers would. Each full pass reports
its wall time and the CPU seconds of the worker processes and of their PostgreSQL backends (``*_cpu_client_*``,
``*_cpu_server_*``; the server figure needs the database on the same host): on a shared machine the wall time
mostly measures the neighbours, the CPU time what the code costs.

The portfolio is written with plain ``bulk_create`` (no history rows for the synthetic matters/events:
they are fixtures, not what is measured). It refuses to run on a database whose name does not contain
"bench" unless --allow-any-database is given, because it writes a lot of synthetic data.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import statistics
import time

from django.db import connection, connections, transaction
from django.utils import timezone

from deadlines.benchmarks.cpu import database_cpu

BENCH_CLIENT = "BENCH-RECOMPUTE"
PREFIX = "BRC-"


# Writes synthetic data: `bench` refuses a database whose name lacks "bench" (see its --allow-any-database).
WRITES_DATABASE = True


def add_arguments(parser) -> None:
    parser.add_argument("--matters", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk-size", type=int, default=250)
    parser.add_argument("--single-samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--reuse-deadlines",
        action="store_true",
        help="keep the deadlines of a previous run: skip the (slow) first build, time the other passes",
    )
    parser.add_argument(
        "--every-matter-changed",
        action="store_true",
        help="also time a full pass after one new office action on every matter (the events stay in the "
        "database: each such run adds one more to every matter)",
    )


# --- synthetic portfolio ---------------------------------------------------------------------------------

M = dt.timedelta(days=30)


def _sequence(office: str, filing: dt.date, rng: random.Random) -> list[tuple[str, dt.date, dict]]:
    j = lambda days: dt.timedelta(days=rng.randint(0, days))  # noqa: E731 - jitter
    seq: list[tuple[str, dt.date, dict]]
    if office == "EP":
        seq = [
            ("EP.FILED", filing, {}),
            ("EP.SEARCH_REPORT_PUBLISHED", filing + 18 * M + j(20), {}),
            ("EP.EXAMINATION_REQUESTED", filing + 22 * M + j(20), {}),
            ("EP.DESIGNATION_FEE_PAID", filing + 22 * M + j(20), {}),
            ("EP.RENEWAL_FEE_PAID", filing + 24 * M + j(10), {"year": 3}),
            ("EP.COMMUNICATION_94_3", filing + 30 * M + j(60), {"period_months": rng.choice([2, 4, 4, 4])}),
            ("EP.REPLY_FILED", filing + 33 * M + j(20), {}),
            ("EP.COMMUNICATION_94_3", filing + 42 * M + j(60), {"period_months": 4}),
            ("EP.REPLY_FILED", filing + 45 * M + j(20), {}),
            ("EP.RULE_71_3_COMMUNICATION", filing + 54 * M + j(90), {}),
        ]
    elif office == "US":
        seq = [
            ("US.NON_FINAL_REJECTION", filing + 20 * M + j(60), {}),
            ("US.RESPONSE_FILED", filing + 23 * M + j(20), {}),
            ("US.FINAL_REJECTION", filing + 28 * M + j(40), {}),
            ("US.RESPONSE_FILED", filing + 29 * M + j(20), {}),
            ("US.ADVISORY_ACTION", filing + 32 * M + j(20), {}),
            ("US.RCE_FILED", filing + 33 * M + j(20), {}),
            ("US.NON_FINAL_REJECTION", filing + 38 * M + j(40), {}),
            ("US.RESPONSE_FILED", filing + 41 * M + j(20), {}),
            ("US.NOTICE_OF_ALLOWANCE", filing + 46 * M + j(40), {}),
            ("US.ISSUE_FEE_PAID", filing + 48 * M + j(20), {}),
            ("US.PATENT_GRANTED", filing + 51 * M + j(20), {}),
        ]
    elif office == "JP":
        seq = [
            ("JP.FILED", filing, {}),
            ("JP.EXAMINATION_REQUESTED", filing + 30 * M + j(60), {}),
            ("JP.NOTICE_OF_REASONS_FOR_REFUSAL", filing + 40 * M + j(60), {}),
            ("JP.RESPONSE_FILED", filing + 42 * M + j(20), {}),
            ("JP.NOTICE_OF_REASONS_FOR_REFUSAL", filing + 50 * M + j(60), {}),
            ("JP.RESPONSE_FILED", filing + 52 * M + j(20), {}),
            ("JP.DECISION_OF_REFUSAL", filing + 58 * M + j(60), {}),
            ("JP.APPEAL_FILED", filing + 60 * M + j(20), {}),
            ("JP.REGISTERED", filing + 70 * M + j(60), {}),
            ("JP.ANNUITY_PAID", filing + 105 * M + j(20), {"year": 4}),
        ]
    else:
        seq = [
            ("WO.FILED", filing, {}),
            ("WO.ISR_TRANSMITTED", filing + 4 * M + j(40), {"ipea": rng.choice(["EP", "US", "JP"])}),
            ("WO.ART19_AMENDMENTS_FILED", filing + 6 * M + j(20), {}),
            ("WO.DEMAND_FILED", filing + 8 * M + j(20), {}),
            ("WO.NATIONAL_PHASE_ENTERED", filing + 18 * M + j(20), {"office": "EP"}),
            ("WO.NATIONAL_PHASE_ENTERED", filing + 18 * M + j(20), {"office": "US"}),
            ("WO.NATIONAL_PHASE_ENTERED", filing + 18 * M + j(20), {"office": "JP"}),
        ]
    return seq


def _ensure_portfolio(n: int, seed: int, stdout) -> list[int]:
    from docketapp.audit import attributed
    from patents.models import EventType, Matter, OfficeEvent, PriorityClaim
    from patents.services import ensure_client, ensure_event_type

    with attributed(reason="benchmark portfolio", process="bench.recompute"):
        client, _ = ensure_client(reference=BENCH_CLIENT, name="Benchmark portfolio (synthetic)")
    existing = Matter.objects.filter(client=client).count()
    if existing < n:
        rng = random.Random(seed + existing)
        today = timezone.now().date()
        types: dict[str, EventType] = {}

        def event_type(code: str) -> EventType:
            if code not in types:
                with attributed(reason="benchmark portfolio", process="bench.recompute"):
                    types[code] = ensure_event_type(code=code, label=code, office=code[:2])
            return types[code]

        batch = 2000
        for start in range(existing, n, batch):
            stop = min(n, start + batch)
            matters = []
            for i in range(start, stop):
                office = rng.choices(["EP", "US", "JP", "WO"], weights=[40, 35, 15, 10])[0]
                filing = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 11))
                matters.append(
                    Matter(
                        client=client,
                        reference=f"{PREFIX}{i:07d}",
                        office=office,
                        kind=Matter.Kind.PCT if office == "WO" else Matter.Kind.PATENT,
                        filing_date=filing,
                        applicant_residence=rng.choice(["domestic", "foreign"]),
                        receiving_office=rng.choice(["EP", "US", "IB"])[:2] if office == "WO" else "",
                        designated_offices=["EP", "US", "JP"] if office == "WO" else [],
                    )
                )
            with transaction.atomic():
                created = Matter.objects.bulk_create(matters, batch_size=1000)
                if not all(m.pk for m in created):  # backends without RETURNING
                    refs = [m.reference for m in matters]
                    created = list(Matter.objects.filter(reference__in=refs).order_by("reference"))
                events, claims = [], []
                for m in created:
                    assert m.filing_date is not None  # every synthetic matter above is built with one
                    if m.office in ("WO", "EP") and rng.random() < 0.7:
                        claims.append(
                            PriorityClaim(
                                matter=m,
                                country="US",
                                number=f"63{m.pk:08d}",
                                date=m.filing_date - dt.timedelta(days=rng.randint(200, 364)),
                            )
                        )
                    for k, (code, day, params) in enumerate(_sequence(m.office, m.filing_date, rng)):
                        if day > today:
                            break
                        events.append(
                            OfficeEvent(
                                matter=m,
                                event_type=event_type(code),
                                office_code=code,
                                date=day,
                                natural_key=f"{code}|{day.isoformat()}|{k}",
                                params=params,
                            )
                        )
                PriorityClaim.objects.bulk_create(claims, batch_size=2000)
                OfficeEvent.objects.bulk_create(events, batch_size=5000)
            stdout.write(f"portfolio: {stop}/{n} matters")
    ids = list(Matter.objects.filter(client=client).order_by("pk").values_list("pk", flat=True)[:n])
    return ids


# --- timed passes ---------------------------------------------------------------------------------


def _worker(args) -> dict:
    ids, reason, chunk_size, today, forked, force = args
    from deadlines.services import load_closures, recompute_matters

    if forked:  # never share the parent's connection with a forked process
        connections.close_all()
    started = time.perf_counter()
    cpu = _cpu_seconds()
    outcome = recompute_matters(
        matter_ids=ids,
        reason=reason,
        closures=load_closures(),
        today=today,
        chunk_size=chunk_size,
        notify_reminders=False,
        force=force,
    )
    summary: dict = outcome.summary()
    summary["seconds"] = time.perf_counter() - started
    client, server = _cpu_seconds()
    summary["cpu_client_seconds"] = client - cpu[0]
    summary["cpu_server_seconds"] = server - cpu[1] if server is not None and cpu[1] is not None else 0.0
    if forked:
        connections.close_all()
    return summary


def _cpu_seconds() -> tuple[float, float | None]:
    """CPU seconds used so far by this process and by its PostgreSQL backend (None when the database is not a
    process on this host); every pass reports both beside its wall time."""
    return time.process_time(), database_cpu()


def _full_pass(
    ids: list[int], *, workers: int, chunk_size: int, reason: str, today: dt.date, force: bool = False
) -> dict:
    size = -(-len(ids) // workers)
    slices = [ids[i : i + size] for i in range(0, len(ids), size)]
    started = time.perf_counter()
    if workers == 1:
        results = [_worker((s, reason, chunk_size, today, False, force)) for s in slices]
    else:
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_worker, [(s, reason, chunk_size, today, True, force) for s in slices])
    elapsed = time.perf_counter() - started
    total: dict = {"seconds": round(elapsed, 2)}
    for r in results:
        for k, v in r.items():
            if k != "seconds":
                total[k] = total.get(k, 0) + v
    for k in ("cpu_client_seconds", "cpu_server_seconds"):
        total[k] = round(total.get(k, 0.0), 2)
    return total


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _single_events(ids: list[int], samples: int, rng: random.Random) -> dict:
    from deadlines.services import load_closures
    from patents.models import Matter

    closures = load_closures()
    # Matters no earlier run recorded a benchmark event on: each run measures the same kind of matter (ten
    # office events), not the ones earlier runs left with ever more events and superseded rows.
    from patents.models import OfficeEvent

    touched = set(OfficeEvent.objects.filter(office_code="BENCH").values_list("matter_id", flat=True))
    fresh = [mid for mid in ids if mid not in touched] or ids
    picks = rng.sample(fresh, min(samples, len(fresh)))
    types = _office_action_types(reason="benchmark: single event")
    matters = Matter.objects.in_bulk(picks)
    # The benchmark recomputes explicitly (and synchronously) right after recording; the production hook
    # would additionally publish a Celery task on commit, which is broker latency, not recompute time.
    from patents.signals import events_committed_to

    with events_committed_to(lambda matter_id: None):
        return _timed_single_events(picks, matters, types, closures)


def _timed_single_events(picks, matters, types, closures) -> dict:
    from deadlines.services import recompute_matters
    from docketapp.audit import attributed
    from patents.services import record_office_event

    recompute_ms, with_reminders_ms, total_ms, cpu_ms = [], [], [], []
    day = timezone.now().date() - dt.timedelta(days=1)
    db_cpu_before = database_cpu()
    for i, mid in enumerate(picks):
        matter = matters[mid]
        c0 = time.process_time()
        t0 = time.perf_counter()
        with attributed(reason="benchmark: office event", process="bench.recompute"):
            with transaction.atomic():
                record_office_event(
                    matter=matter,
                    event_type=types[matter.office],
                    office_code="BENCH",
                    date=day,
                    discriminator=f"bench-{time.time_ns()}-{i}",
                )
                t1 = time.perf_counter()
                # With the reminder planning of every row written, in the same transaction, as production
                # does (deadlines.services.recompute._notify_reminders hands it the rows as written).
                recompute_matters(
                    matter_ids=[mid],
                    reason="benchmark: office event recorded",
                    closures=closures,
                )
                t2 = time.perf_counter()
        t3 = time.perf_counter()
        cpu_ms.append((time.process_time() - c0) * 1000)
        recompute_ms.append((t2 - t1) * 1000)
        with_reminders_ms.append((t3 - t1) * 1000)
        total_ms.append((t3 - t0) * 1000)
    db_cpu_after = database_cpu()
    return {
        "single_event_samples": len(picks),
        # The recompute with its reminder planning (before 2026-12-05 the planning was timed apart from it).
        "single_event_recompute_and_reminders_p50_ms": round(statistics.median(recompute_ms), 2),
        "single_event_recompute_and_reminders_p95_ms": round(_percentile(recompute_ms, 95), 2),
        "single_event_recompute_with_reminders_and_commit_p95_ms": round(_percentile(with_reminders_ms, 95), 2),
        "single_event_record_recompute_reminders_commit_p95_ms": round(_percentile(total_ms, 95), 2),
        # The same, as CPU: this process's (per event) and its database backend's (mean over the events). On a
        # shared machine the wall figures above mostly measure waiting for a core.
        "single_event_record_recompute_reminders_commit_p50_ms": round(statistics.median(total_ms), 2),
        "single_event_cpu_client_p50_ms": round(statistics.median(cpu_ms), 2),
        "single_event_cpu_client_p95_ms": round(_percentile(cpu_ms, 95), 2),
        "single_event_cpu_server_mean_ms": (
            None if db_cpu_before is None or db_cpu_after is None
            else round((db_cpu_after - db_cpu_before) * 1000 / len(picks), 2)
        ),
    }


def run(options: dict, stdout) -> dict:
    from deadlines.models import Deadline

    n = options["matters"]
    workers = 1 if connection.vendor == "sqlite" else max(1, options["workers"])
    rng = random.Random(options["seed"])
    t0 = time.perf_counter()
    ids = _ensure_portfolio(n, options["seed"], stdout)
    setup_s = time.perf_counter() - t0
    from patents.models import OfficeEvent

    events = OfficeEvent.objects.filter(matter_id__in=ids).count() if n <= 200_000 else None
    reuse = options.get("reuse_deadlines") and Deadline.objects.filter(matter_id__in=ids[:1]).exists()
    today = timezone.now().date()
    first: dict = {"seconds": None, "create": None}
    if not reuse:
        _reset_deadlines(ids)
        first = _full_pass(
            ids,
            workers=workers,
            chunk_size=options["chunk_size"],
            today=today,
            reason="benchmark: first full recompute",
        )
    _analyze()
    # Every matter computed again and compared with what is stored (nothing changes): the cost of a full
    # recompute after a rule or closure change that moves nothing; it also records each matter's inputs hash.
    compared = _full_pass(
        ids,
        workers=workers,
        chunk_size=options["chunk_size"],
        today=today,
        reason="benchmark: full recompute, nothing changed",
        force=True,
    )
    # Inputs unchanged since the last recompute: every matter is read, hashed and skipped (the nightly pass).
    unchanged = _full_pass(
        ids,
        workers=workers,
        chunk_size=options["chunk_size"],
        today=today,
        reason="benchmark: unchanged-inputs pass",
    )
    single = _single_events(ids, options["single_samples"], rng)
    changed = (
        _every_matter_changed(ids, workers=workers, chunk_size=options["chunk_size"], today=today)
        if options.get("every_matter_changed") else {}
    )
    return {
        "database": connection.vendor,
        "matters": len(ids),
        "events": events,
        "deadlines": Deadline.objects.filter(matter_id__in=ids).count() if n <= 200_000 else first.get("create"),
        "workers": workers,
        "cpus": os.cpu_count(),
        "portfolio_setup_seconds": round(setup_s, 1),
        "first_full_recompute_seconds": first["seconds"],
        "first_full_recompute_created": first.get("create", 0),
        "full_recompute_no_change_seconds": compared["seconds"],
        # CPU of the worker processes (Python) and of their PostgreSQL backends, summed over the workers.
        "full_recompute_no_change_cpu_client_seconds": compared["cpu_client_seconds"],
        "full_recompute_no_change_cpu_server_seconds": compared["cpu_server_seconds"],
        "full_recompute_no_change_writes": sum(compared.get(k, 0) for k in ("create", "move", "update", "supersede")),
        "full_recompute_no_change_skipped": compared.get("skipped_unchanged", 0),
        "unchanged_inputs_pass_seconds": unchanged["seconds"],
        "unchanged_inputs_pass_cpu_client_seconds": unchanged["cpu_client_seconds"],
        "unchanged_inputs_pass_cpu_server_seconds": unchanged["cpu_server_seconds"],
        "unchanged_inputs_pass_skipped": unchanged.get("skipped_unchanged", 0),
        **single,
        **changed,
    }


OFFICE_ACTION = {
    "EP": "EP.COMMUNICATION_94_3",
    "US": "US.NON_FINAL_REJECTION",
    "JP": "JP.NOTICE_OF_REASONS_FOR_REFUSAL",
    "WO": "WO.ISR_TRANSMITTED",
}


def _office_action_types(*, reason: str) -> dict:
    """Each office's office-action event type (OFFICE_ACTION), by office, created if missing."""
    from docketapp.audit import attributed
    from patents.services import ensure_event_type

    with attributed(reason=reason, process="bench.recompute"):
        return {office: ensure_event_type(code=code, label=code, office=office)
                for office, code in OFFICE_ACTION.items()}


def _every_matter_changed(ids: list[int], *, workers: int, chunk_size: int, today: dt.date) -> dict:
    """Every matter's inputs changed: one new office action on each (its office's, dated yesterday, written as
    the portfolio is, with plain bulk inserts), then the full pass. None can be skipped; each computes its
    deadlines and writes what the action changes (its reply deadline, superseding an earlier one's) with their
    history rows. The events stay: a later run adds one more to every matter."""
    from patents.models import Matter, OfficeEvent

    types = _office_action_types(reason="benchmark: every matter changed")
    day = today - dt.timedelta(days=1)
    stamp = time.time_ns()
    offices = dict(Matter.objects.filter(pk__in=ids).values_list("pk", "office"))
    for start in range(0, len(ids), 5000):
        with transaction.atomic():
            OfficeEvent.objects.bulk_create(
                [
                    OfficeEvent(
                        matter_id=mid,
                        event_type=types[offices[mid]],
                        office_code="BENCH-ALL",
                        date=day,
                        natural_key=f"BENCH-ALL|{day.isoformat()}|{stamp}",
                    )
                    for mid in ids[start : start + 5000]
                ],
                batch_size=5000,
            )
    _analyze()  # as autovacuum would after 100,000 new events
    changed = _full_pass(
        ids, workers=workers, chunk_size=chunk_size, today=today, reason="benchmark: every matter changed"
    )
    return {
        "every_matter_changed_seconds": changed["seconds"],
        "every_matter_changed_cpu_client_seconds": changed["cpu_client_seconds"],
        "every_matter_changed_cpu_server_seconds": changed["cpu_server_seconds"],
        "every_matter_changed_skipped": changed.get("skipped_unchanged", 0),
        **{f"every_matter_changed_{k}": changed.get(k, 0) for k in ("create", "move", "update", "supersede", "moot")},
    }


def _analyze() -> None:
    """Leave the database as production would be after autovacuum: fresh planner statistics on every table a
    recompute wrote in bulk, the deadline history included (with stale statistics on it, the deadline page's
    history query was a 363 ms sequential scan until ANALYZE; issue 18). After a bulk build the statistics are
    stale until autovacuum gets to the tables; with stale statistics PostgreSQL scanned the whole deadline
    table for every chunk (1 s instead of 16 ms)."""
    if connection.vendor == "postgresql":

        with connection.cursor() as cursor:
            for table in analyzed_tables():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def analyzed_tables() -> list[str]:
    from deadlines.models import Deadline, MatterComputation
    from patents.models import Matter, OfficeEvent, PriorityClaim

    # The portfolio's own tables too: bulk-inserted, their statistics would claim ~20x more events per chunk
    # than there are, and the inputs-key query planned a parallel scan for 800 rows.
    return [Deadline._meta.db_table, Deadline.history.model._meta.db_table, MatterComputation._meta.db_table,
            Matter._meta.db_table, Matter.history.model._meta.db_table, OfficeEvent._meta.db_table,
            PriorityClaim._meta.db_table]


def _reset_deadlines(ids: list[int]) -> None:
    """A clean slate for the "first" pass."""
    from deadlines.models import Deadline, MatterComputation
    from docketapp.audit import attributed

    if connection.vendor == "postgresql" and "bench" in str(connection.settings_dict.get("NAME", "")):
        # A dedicated benchmark database: TRUNCATE (which the history guard allows for deliberate
        # purges that say so) instead of a million row-by-row deletes with their history records.
        from docketapp.audit_chain import forget_chain
        from patents.history_guard import allow_truncate

        with transaction.atomic(), connection.cursor() as cursor:
            allow_truncate(cursor)  # the history tables refuse TRUNCATE unless the transaction says so
            cursor.execute(
                f"TRUNCATE {Deadline._meta.db_table}, {Deadline.history.model._meta.db_table}, "
                f"{MatterComputation._meta.db_table} CASCADE"
            )
            forget_chain(Deadline.history.model._meta.db_table)
        return
    with attributed(reason="benchmark reset", process="bench.recompute"):
        for i in range(0, len(ids), 2000):
            Deadline.objects.filter(matter_id__in=ids[i : i + 2000]).delete()
            MatterComputation.objects.filter(matter_id__in=ids[i : i + 2000]).delete()
