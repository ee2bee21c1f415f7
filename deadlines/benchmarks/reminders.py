"""`python manage.py bench reminders [--deadlines N] [--all-due] [--workers P] [--reuse-plan] [--json]`: the sweep.

Builds (once, re-used on later runs with the same --horizon-days) N open deadlines on synthetic matters
(one attorney per ~300 deadlines, one paralegal per ~100, 90 % verified), due between 10 days ago and
``--horizon-days`` ahead. Then it times

* ``sync``: planning every deadline's reminder rows (``sync_reminders_for_deadlines``),
* ``first_sweep``: the sweep right after that — every reminder whose time has passed is due at once, the
  catch-up case (after an import or downtime): overtaken rows skipped, the rest claimed, rendered (text +
  HTML) and handed to a backend that builds the full MIME bytes and drops them (no network);
  with ``--all-due`` (``--horizon-days 59``) *every* deadline has a reminder due: the worst case,
* ``next_day_sweep``: the first sweep of the next morning — that day's reminders, escalations, digests
  (and reports on a Monday): the normal daily peak,
* ``idle_sweep``: five minutes later, nothing due — what beat costs every five minutes,

with the peak RSS of this process sampled during the sweeps (psutil) and ``ru_maxrss`` for the whole run.
``--workers P`` runs each sweep as P processes at once (as several workers would); the run ends with a
check that no (reminder, recipient, channel) has two deliveries.
``--reuse-plan`` (PostgreSQL) saves the planned rows on the first run and restores them on later ones, so two
versions of the sweep compare on the same rows; ``--profile FILE`` writes a CPU profile of the first sweep.
Synthetic matters and deadlines are written with plain ``bulk_create`` (fixtures, not what is measured).
All Reminder and Delivery rows of the database are deleted before each run, which is why it refuses to
run on a database whose name does not contain "bench" unless --allow-any-database is given.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import resource
import threading
import time

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from deadlines.benchmarks.cpu import database_cpu

BENCH_CLIENT_PREFIX = "BENCH-REM-"
PREFIX = "BREM-"
# Due dates between 10 days ago and this many days ahead: the 60-day reminder of every deadline is due.
ALL_DUE_HORIZON = 59


# Writes synthetic data: `bench` refuses a database whose name lacks "bench" (see its --allow-any-database).
WRITES_DATABASE = True


def add_arguments(parser) -> None:
    parser.add_argument("--deadlines", type=int, default=10_000)
    parser.add_argument("--horizon-days", type=int, default=730, help="due dates up to this many days ahead")
    parser.add_argument(
        "--all-due",
        action="store_true",
        help=f"the worst case: due dates within {ALL_DUE_HORIZON} days, so every deadline has a reminder due at once "
        f"(same as --horizon-days {ALL_DUE_HORIZON})",
    )
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="sweeps running at once, in processes")
    parser.add_argument("--send-chunk", type=int, default=None, help="REMINDERS_SEND_CHUNK for this run")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--reuse-plan",
        action="store_true",
        help="PostgreSQL: save the planned reminder rows on the first run, restore them on later runs "
        "(same N and horizon)",
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the first sweep (one worker) into FILE (pstats)")
    parser.add_argument(
        "--max-batches",
        type=int,
        default=None,
        help="stop each sweep after this many batches (a partial worst case: the rate without waiting for all of it)",
    )


class CountingBackend(BaseEmailBackend):
    """Does what SMTP would do locally (serialise the MIME message) and counts, keeping nothing."""

    sent = 0
    bytes = 0

    def send_messages(self, messages):
        for message in messages:
            CountingBackend.bytes += len(message.message().as_bytes())
            CountingBackend.sent += 1
        return len(messages)


class PeakRss:
    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


# Long because: a benchmark fixture builder, read top to bottom once; its parts are used nowhere else.
def _ensure_docket(n: int, seed: int, horizon: int, stdout) -> list[int]:
    from django.contrib.auth import get_user_model

    from deadlines.models import Deadline
    from patents.models import Client, Matter, TeamMembership

    User = get_user_model()
    prefix = f"{PREFIX}{horizon}-"
    existing = list(
        Deadline.objects.filter(matter__reference__startswith=prefix, status=Deadline.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(existing) >= n:
        return existing[:n]
    rng = random.Random(seed + len(existing))
    attorneys_n, paralegals_n, clients_n = max(5, n // 300), max(10, n // 100), max(5, n // 2000)
    users = {u.username: u for u in User.objects.filter(username__startswith="brem-")}
    new_users = [
        User(username=name, email=f"{name}@bench.invalid", is_active=True)
        for name in [f"brem-att{i}" for i in range(attorneys_n)] + [f"brem-para{i}" for i in range(paralegals_n)]
        if name not in users
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    users = {u.username: u for u in User.objects.filter(username__startswith="brem-")}
    attorneys = [users[f"brem-att{i}"] for i in range(attorneys_n)]
    paralegals = [users[f"brem-para{i}"] for i in range(paralegals_n)]
    clients = []
    for i in range(clients_n):
        client, _ = Client.objects.get_or_create(reference=f"{BENCH_CLIENT_PREFIX}{i}", defaults={"name": f"Bench {i}"})
        clients.append(client)
    memberships = [
        TeamMembership(
            user=u, client=c, role=TeamMembership.Role.ATTORNEY if u in attorneys else TeamMembership.Role.PARALEGAL
        )
        for idx, c in enumerate(clients)
        for u in attorneys[idx::clients_n] + paralegals[idx::clients_n]
    ]
    TeamMembership.objects.bulk_create(memberships, ignore_conflicts=True)
    missing = n - len(existing)
    matters_n = max(1, missing // 4)
    start = Matter.objects.filter(reference__startswith=prefix).count()
    matters = []
    for i in range(matters_n):
        idx = rng.randrange(clients_n)
        matters.append(
            Matter(
                client=clients[idx],
                reference=f"{prefix}{start + i:07d}",
                title="Synthetic matter",
                office="EP",
                responsible_attorney=rng.choice(attorneys[idx::clients_n] or attorneys),
                responsible_paralegal=rng.choice(paralegals[idx::clients_n] or paralegals),
            )
        )
    Matter.objects.bulk_create(matters, batch_size=2000)
    matters = list(Matter.objects.filter(reference__in=[m.reference for m in matters]))
    today = timezone.now().date()
    verified_at = timezone.now()
    rows = []
    for i in range(missing):
        matter = matters[i % len(matters)]
        rows.append(
            Deadline(
                matter=matter,
                key=f"bench|{horizon}|{start}|{i}",
                office="EP",
                title=f"Synthetic deadline {i}",
                kind=rng.choice(Deadline.Kind.values),
                due_date=today + dt.timedelta(days=rng.randint(-10, horizon)),
                responsible_id=matter.responsible_paralegal_id,
                status=Deadline.Status.OPEN,
                verified_at=verified_at if rng.random() < 0.9 else None,
            )
        )
        if len(rows) == 5000:
            Deadline.objects.bulk_create(rows)
            rows = []
    Deadline.objects.bulk_create(rows)
    stdout.write(
        f"created {missing} deadlines on {matters_n} matters ({attorneys_n} attorneys, {paralegals_n} paralegals)"
    )
    return list(
        Deadline.objects.filter(matter__reference__startswith=prefix, status=Deadline.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )


def _reset_reminders(deadline_ids: list[int]) -> None:
    from deadlines.models import Delivery, Reminder

    # Reminder and Delivery are not history-tracked: a plain delete is fine (and fast).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"TRUNCATE {Delivery._meta.db_table}, {Reminder._meta.db_table}"  # noqa: S608 - table names
            )
            return
    Delivery.objects.all().delete()
    Reminder.objects.all().delete()


def _plan(ids: list[int], now: dt.datetime, options: dict) -> tuple[dict, dt.datetime]:
    """Plan every deadline's reminders (timed), or with --reuse-plan restore the plan an earlier run saved.

    Planning 100,000 deadlines takes minutes; the sweeps are what is measured, so comparing two versions of
    the sweep on the same data restores the saved rows (and the moment they were planned at) instead.
    """
    from deadlines import reminders
    from deadlines.models import Reminder

    reuse = options.get("reuse_plan") and connection.vendor == "postgresql"
    table = Reminder._meta.db_table
    snapshot = f"bench_reminder_plan_{len(ids)}_{options['horizon_days']}"
    if reuse:
        with connection.cursor() as cursor:
            cursor.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [snapshot])
            saved = cursor.fetchone()[0]
            if saved:
                cursor.execute(f"INSERT INTO {table} SELECT * FROM {snapshot}")  # noqa: S608 - our names
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608
                    [table],
                )
                return {"reused_from": saved}, dt.datetime.fromisoformat(saved)
    counts = reminders.sync_reminders_for_deadlines(deadline_ids=ids, now=now)
    if reuse:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {snapshot}")
            cursor.execute(f"CREATE TABLE {snapshot} AS SELECT * FROM {table}")  # noqa: S608 - our names
            cursor.execute(f"COMMENT ON TABLE {snapshot} IS '{now.isoformat()}'")
    return counts, now


def _sweep_in_process(
    when: dt.datetime, batch: int, profile: str | None = None, max_batches: int | None = None
) -> dict:
    from deadlines import reminders

    CountingBackend.sent = CountingBackend.bytes = 0
    d0 = database_cpu()
    c0 = time.process_time()
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU: wall time on a shared machine is noise
        counts = profiler.runcall(reminders.send_due_reminders, now=when, batch_size=batch, max_batches=max_batches)
        profiler.dump_stats(profile)
    else:
        counts = reminders.send_due_reminders(now=when, batch_size=batch, max_batches=max_batches)
    cpu_s = time.process_time() - c0
    d1 = database_cpu()
    return {
        "sent": CountingBackend.sent,
        "cpu_s": cpu_s,
        "db_cpu_s": d1 - d0 if d0 is not None and d1 is not None else None,
        "skipped_overtaken": counts.get("skipped_overtaken", 0),
        "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


# Long because: a benchmark driver, one timed phase after another in the order the report lists them.
def run(options: dict, stdout) -> dict:
    from django.conf import settings

    from deadlines import reminders
    from deadlines.models import Deadline, Delivery, Reminder
    from docketapp.audit import attributed

    n = options["deadlines"]
    if options.get("all_due"):
        options["horizon_days"] = ALL_DUE_HORIZON
    t0 = time.perf_counter()
    with attributed(reason="benchmark docket", process="bench.reminders"):
        ids = _ensure_docket(n, options["seed"], options["horizon_days"], stdout)
    setup_s = time.perf_counter() - t0
    # Only the benchmark deadlines: other open deadlines in this database must not join the run.
    others = Deadline.objects.open().exclude(pk__in=ids).count()
    if others:
        # They would take part in the sweeps (and be re-planned by them): the figures would be wrong.
        raise SystemExit(
            f"{others} other open deadlines in {connection.settings_dict['NAME']!r}: "
            "use one benchmark database per --deadlines/--horizon-days"
        )

    _reset_reminders(ids)

    settings.EMAIL_BACKEND = "deadlines.benchmarks.reminders.CountingBackend"
    if options.get("send_chunk"):
        settings.REMINDERS_SEND_CHUNK = options["send_chunk"]
    batch = options["batch_size"]
    workers = max(1, options["workers"])
    max_batches = options.get("max_batches")
    now = timezone.now()

    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    sync_counts, now = _plan(ids, now, options)
    sync_s = time.perf_counter() - t0
    sync_cpu_s = time.process_time() - c0
    due_rows = Reminder.objects.due(now).count()
    if connection.vendor == "postgresql":
        # Fresh bulk-loaded tables have no statistics yet; autovacuum would provide them in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    result: dict = {
        "database": connection.vendor,
        "deadlines": len(ids),
        "horizon_days": options["horizon_days"],
        "setup_s": round(setup_s, 1),
        "sync_s": round(sync_s, 2),
        "sync_cpu_s": round(sync_cpu_s, 2),
        "reminder_rows_created": sync_counts.get("created", 0),
        "plan_reused_from": sync_counts.get("reused_from"),
        "due_rows_first_sweep": due_rows,
    }
    with PeakRss() as rss:
        for label, when in [
            ("first_sweep", now),
            ("next_day_sweep", now + dt.timedelta(days=1)),
            ("idle_sweep", now + dt.timedelta(days=1, minutes=5)),
        ]:
            t0 = time.perf_counter()
            if workers > 1:
                # Several sweeps at once, as several beat-triggered workers would: the claims split the
                # work and the duplicate check below proves nothing was sent twice.
                connections.close_all()
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    parts = pool.starmap(_sweep_in_process, [(when, batch, None, max_batches)] * workers)
            else:
                profile = options.get("profile") if label == "first_sweep" else None
                parts = [_sweep_in_process(when, batch, profile=profile, max_batches=max_batches)]
            elapsed = time.perf_counter() - t0
            sent = sum(p["sent"] for p in parts)
            result[f"{label}_s"] = round(elapsed, 2)
            # On a shared machine wall time mostly measures the neighbours; the sweeps' own CPU time
            # (the database server's is not included) says what the sweep itself costs.
            result[f"{label}_cpu_s"] = round(sum(p["cpu_s"] for p in parts), 2)
            if all(p["db_cpu_s"] is not None for p in parts):
                # The database server's CPU for the sweep's own connection (same machine, from /proc).
                result[f"{label}_db_cpu_s"] = round(sum(p["db_cpu_s"] for p in parts), 2)
            result[f"{label}_messages"] = sent
            result[f"{label}_skipped_overtaken"] = sum(p["skipped_overtaken"] for p in parts)
            if workers > 1:
                result[f"{label}_messages_per_worker"] = [p["sent"] for p in parts]
                rss.peak = max(rss.peak, *(p["max_rss"] for p in parts))
            if sent:
                result[f"{label}_messages_per_s"] = round(sent / elapsed)
    duplicates = (
        Delivery.objects.values("reminder", "recipient", "channel").annotate(c=Count("pk")).filter(c__gt=1).count()
    )
    result.update(
        {
            "deliveries_sent": Delivery.objects.filter(status=Delivery.Status.SENT).count(),
            "deliveries_not_sent": Delivery.objects.exclude(status=Delivery.Status.SENT).count(),
            "duplicate_deliveries": duplicates,
            "sweeps_peak_rss_mb": round(rss.peak / 2**20, 1),
            "process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "send_chunk": reminders.send_chunk_size(),
            "workers": workers,
            "max_batches": max_batches,
            "cpus": os.cpu_count(),
            "load_avg_1min_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "target": "100,000 deadlines: daily sweep <= 30 s; all due: >= 1,000 messages/s, <= 2 min; <= 300 MB RSS",
        }
    )
    return result
