"""``python manage.py bench throttle [--workers 4] [--seconds 30] [--limit 300] [--json]``

Starts the office simulator with a known per-minute limit on the OPS "other" service (register), then runs
N worker **processes** that sync register biblio documents for as long as ``--seconds``:

1. ``ours``: through ``EpoOpsClient`` on the shared throttle (Redis when configured, else the database),
   exactly as Celery workers would;
2. ``epo_ops_client``: through python-epo-ops-client with its own ``Throttler`` (its SQLite history file,
   shared by the processes of one host as it is by default).

For each: requests sent, successful ones, rejections by the office (403 black / 429), wall time, and
``achieved_ratio`` = successful requests per minute / the allowed rate (``sent_ratio`` counts rejected
ones too) and ``opening_ratio`` the pace of the first 10 s, before the office pushes back. The office's
sliding window is a real minute, so a run shorter than a minute shows an
over-sender by its ``sent_ratio`` > 1 and by the rejections it collects once the window is full.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
import uuid

SERVICE = "other"  # register and number-service; the simulator counts register calls here


def add_arguments(parser) -> None:
    parser.add_argument("--workers", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run (default 30)")
    parser.add_argument(
        "--limit", type=int, default=300, help="the simulator's per-minute limit for OPS 'other' (default 300)"
    )
    parser.add_argument(
        "--backend", choices=["redis", "database"], default=None, help="throttle storage (default: settings)"
    )
    parser.add_argument("--skip-epo-ops", action="store_true", help="only run our client")


def run(options: dict, stdout) -> dict:
    from django.conf import settings

    from patents.simulator.ops_documents import is_in_register
    from patents.simulator.server import start_simulator

    workers = int(options.get("workers") or 4)
    seconds = float(options.get("seconds") or 30.0)
    limit = int(options.get("limit") or 300)
    backend = options.get("backend") or settings.THROTTLE_BACKEND
    quiet = bool(options.get("json"))

    def say(text: str) -> None:
        if not quiet:
            stdout.write(text)

    sim = start_simulator(seed=1, matters=300, limits=f"{SERVICE}={limit}")
    try:
        numbers = [m.epodoc_application for m in sim.portfolio.matters("EP") if is_in_register(m)]
        result: dict = {
            "workers": workers,
            "seconds": seconds,
            "allowed_per_minute": limit,
            "service": f"OPS {SERVICE} (register biblio)",
            "throttle_backend": backend,
        }
        say(f"ours: {workers} processes, {seconds:g}s, limit {limit}/min, throttle in {backend}…")
        result["ours"] = _phase(sim, "ours", workers, seconds, limit, numbers, backend)
        if not options.get("skip_epo_ops"):
            sim.reset()  # a fresh minute window for the second client
            say(f"epo_ops_client: {workers} processes, {seconds:g}s…")
            result["epo_ops_client"] = _phase(sim, "epo_ops", workers, seconds, limit, numbers, backend)
        return result
    finally:
        sim.stop()


def _phase(sim, kind: str, workers: int, seconds: float, limit: int, numbers: list[str], backend: str) -> dict:
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(workers + 1), ctx.Queue()
    run_id = uuid.uuid4().hex[:12]
    shared_dir = tempfile.mkdtemp(prefix="bench-throttle-")
    target = _ours_worker if kind == "ours" else _epo_ops_worker
    procs = [
        ctx.Process(
            target=target,
            args=(sim.base_url, numbers[i::workers] or numbers, seconds, barrier, queue, run_id, backend, shared_dir),
        )
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    barrier.wait(timeout=120)  # every worker is set up (Django imported, token fetched): start the clock
    started = time.monotonic()
    started_wall = time.time()
    results = [queue.get(timeout=seconds + 120) for _ in procs]
    wall = time.monotonic() - started
    for p in procs:
        p.join(timeout=30)
    shutil.rmtree(shared_dir, ignore_errors=True)  # python-epo-ops-client's SQLite history of this run
    if kind == "ours":
        _cleanup(run_id, backend)
    ok = sum(r["ok"] for r in results)
    sent = sum(r["sent"] for r in results)
    rejections = sum(r["rejections"] for r in results)
    allowed = limit * wall / 60.0
    office = sim.stats()["counters"]
    # The pace a client sets before the office pushes back: requests sent in the first 10 s, per minute.
    opening = min(10.0, seconds)
    opened = sum(1 for r in results for t in r["sent_at"] if t - started_wall < opening)
    return {
        "requests": sent,
        "ok": ok,
        "rejections": rejections,
        "office_rejections": office.get("ops.rejected.ThrottlingControlQuota", 0),
        "other_errors": sum(r["errors"] for r in results),
        "refused_locally": sum(r["refused"] for r in results),
        "wall_seconds": round(wall, 2),
        "achieved_per_minute": round(ok / wall * 60.0, 1),
        "allowed_per_minute": limit,
        "achieved_ratio": round(ok / allowed, 3),
        "sent_ratio": round(sent / allowed, 3),
        "opening_ratio": round(opened * 60.0 / opening / limit, 3),
    }


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docketapp.settings")
    import django

    django.setup()


def _bench_office(run_id: str) -> str:
    # Its own buckets, so a benchmark never disturbs (or inherits) the real "epo" buckets.
    return f"bench-{run_id}"


def _ours_worker(base_url, numbers, seconds, barrier, queue, run_id, backend, shared_dir) -> None:
    _django()
    from patents.clients import OfficeError, QuotaError, ThrottledError
    from patents.clients.throttle import Limit, Throttle, build_throttle
    from patents.offices.ep import OPS_DEFAULT_PER_MINUTE
    from patents.offices.ep.client import EpoOpsClient
    from patents.simulator import config as demo

    store = build_throttle(backend).store
    if backend == "redis":
        # build_throttle wraps Redis in a FallbackStore, so this prefix reaches no Redis key; runs stay apart
        # through the run-specific office key below.
        store.prefix = f"docketapp:bench-throttle:{run_id}"  # type: ignore[attr-defined]
    office = _bench_office(run_id)
    throttle = Throttle(store, {(office, s): Limit(per_minute=n) for s, n in OPS_DEFAULT_PER_MINUTE.items()})
    client = EpoOpsClient(
        key=demo.OPS_KEY, secret=demo.OPS_SECRET, base_url=f"{base_url}/3.2", throttle=throttle, max_wait=seconds
    )
    client.office = office
    client._access_token()  # the token request is not part of the measured traffic
    counts: dict = {"ok": 0, "sent": 0, "rejections": 0, "errors": 0, "refused": 0, "sent_at": []}
    barrier.wait(timeout=120)
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        client.max_wait = max(0.0, deadline - time.monotonic())
        number = numbers[i % len(numbers)]
        i += 1
        try:
            client.register(number)
            counts["ok"] += 1
            counts["sent"] += 1
            counts["sent_at"].append(time.time())
        except OfficeError as exc:
            if isinstance(exc, ThrottledError) or (isinstance(exc, QuotaError) and exc.response is None):
                # Our throttle said no (nothing sent): the next slot is after the end of the run. (A timeout
                # or refused connection has no response either, but it is an error, not the end of the run.)
                counts["refused"] += 1
                break
            else:
                counts["sent"] += 1
                counts["sent_at"].append(time.time())
                if exc.status in (403, 429):
                    counts["rejections"] += 1
                else:
                    counts["errors"] += 1
    queue.put(counts)


def _epo_ops_worker(base_url, numbers, seconds, barrier, queue, run_id, backend, shared_dir) -> None:
    import epo_ops
    import requests
    from epo_ops.middlewares import Throttler
    from epo_ops.middlewares.throttle.storages import SQLite

    from patents.simulator import config as demo

    # Its throttle history is a per-host SQLite file; all workers of this host share it, as by default.
    throttler = Throttler(SQLite(db_path=os.path.join(shared_dir, "throttle_history.db")))
    client = epo_ops.Client(key=demo.OPS_KEY, secret=demo.OPS_SECRET, middlewares=[throttler])
    client.__auth_url__ = f"{base_url}/3.2/auth/accesstoken"
    client.__service_url_prefix__ = f"{base_url}/3.2/rest-services"
    client.access_token  # noqa: B018 - the token request is not part of the measured traffic
    counts: dict = {"ok": 0, "sent": 0, "rejections": 0, "errors": 0, "refused": 0, "sent_at": []}
    barrier.wait(timeout=120)
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        number = numbers[i % len(numbers)]
        i += 1
        try:
            client.register("application", epo_ops.models.Epodoc(number))
            counts["sent_at"].append(time.time())
            counts["ok"] += 1
        except requests.HTTPError as exc:
            counts["sent_at"].append(time.time())
            status = exc.response.status_code if exc.response is not None else None
            counts["rejections" if status in (403, 429) else "errors"] += 1
        except requests.RequestException:
            counts["sent_at"].append(time.time())
            counts["errors"] += 1
        counts["sent"] += 1
    queue.put(counts)


def _cleanup(run_id: str, backend: str) -> None:
    office = _bench_office(run_id)
    if backend == "redis":
        from django.conf import settings

        from patents.clients.throttle import RedisStore

        store = RedisStore(settings.REDIS_URL, prefix=f"docketapp:bench-throttle:{run_id}")
        for key in store.redis.scan_iter(f"{store.prefix}:*"):
            store.redis.delete(key)
    else:
        from patents.models import ThrottleBucket

        ThrottleBucket.objects.filter(office=office).delete()
