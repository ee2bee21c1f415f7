"""`python manage.py bench load [--users 50] [--seconds 60] [--url URL] [--json]`: the dashboard under load.

N distinct users, each a member of every client of the synthetic portfolio that `bench dashboard` builds (so
each sees all of it), log in through the real login form (CSRF token, session cookie) and then, concurrently,
request a realistic mix of pages over HTTP for --seconds: the team docket, its page 2, a search, a matter page,
a deadline page, the calendar, the verification queue, the matter list, the renewals page, a family page, the
docket's CSV export and the user's ICS feed (its secret, tokenised address, default scope). Think time between
requests is 0 by default (--think-ms).

The load users are team members, not the responsible paralegal of the synthetic matters: their own ("mine")
docket would be empty, so the docket, calendar and CSV are requested for the team (``?scope=team``: the whole
portfolio). Their ICS feed keeps its default scope, their own deadlines, as a calendar program polls it, so it
measures the feed's fixed cost (token, "anything changed?" fingerprint over the visible deadlines); building a
feed of every event is `bench dashboard`'s ics_feed_cold.

Reported: requests, errors (an exception or a status outside 2xx/3xx, or a redirect to the login page; listed
by page kind and status), throughput, and per page kind and overall the p50/p95/p99 of the client's latency
(request sent → whole body read, so it includes queueing in the server) and of the server's own time, read
from the ``Server-Timing: app;dur=<ms>`` header (docketapp.server_timing). For the streamed CSV export the
server time covers only the work before streaming; its client time is the figure that counts, and the overall
server percentiles leave it out.

Without --url it starts a production server itself, the way docs/deployment.md runs one: gunicorn, DEBUG off,
static files collected and served by WhiteNoise, against the configured database (DATABASE_URL), on
127.0.0.1 and a port the OS picks (--port to choose one); it stops the server at the end, also on Ctrl-C or an
error. With --url it targets a server that is already running; the users, their client memberships and their
feed tokens are still prepared here, in the configured database, so that must be the database the server at
URL uses (a server on another database refuses the logins, and the command says so).

It writes (the portfolio if missing, the load users, their memberships and new feed tokens), so like every
benchmark that writes it refuses a database whose name lacks "bench" unless --allow-any-database.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse

from deadlines import bench_dashboard

WRITES_DATABASE = True

USER_PREFIX = "bench-load-"
# One password for every load user: its hash is computed once, not once per user (key stretching is slow).
PASSWORD = "bench-load-not-a-secret"  # noqa: S105 (synthetic users in a benchmark database)
STATIC_BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"

# The mix: how many times each page kind comes up in one round (a round is shuffled per user).
MIX = {
    "docket": 3,
    "docket_page2": 1,
    "search": 1,
    "matter": 2,
    "deadline": 2,
    "calendar": 1,
    "verification_queue": 1,
    "matter_list": 1,
    "renewals": 1,
    "family": 1,
    "csv_export": 1,
    "ics_feed": 1,
}
STREAMED = {"csv_export"}  # Server-Timing covers only the work before streaming
LOGIN_CONCURRENCY = 4
LOGIN_TIMEOUT = 300  # seconds
SAMPLE = 200  # matters and deadlines the users pick from (random, fixed by --seed)
SERVER_TIME = re.compile(r"(?:^|,)\s*app;dur=([0-9.]+)")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def add_arguments(parser) -> None:
    parser.add_argument("--users", type=int, default=50, help="concurrent users, each logged in (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the users keep requesting (default 60)")
    parser.add_argument("--url", default="", help="an already running server (default: start gunicorn here)")
    parser.add_argument("--think-ms", type=float, default=0, help="pause after each request (default 0)")
    parser.add_argument("--timeout", type=float, default=30,
                        help="seconds a request may take before it counts as an error (default 30)")
    parser.add_argument("--min-rounds", type=int, default=0,
                        help="every user completes at least this many rounds of the whole mix, even past --seconds")
    parser.add_argument("--deadlines", type=int, default=20000,
                        help="size of the synthetic portfolio (bench dashboard's; reused when big enough)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=0, help="port of the started server (default: the OS picks)")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers (default: one per core, as docs/deployment.md runs them)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (default 1)")


# --- what the users request ---------------------------------------------------------------------------------


@dataclass
class Targets:
    """The URLs of the mix (paths), plus each user's own feed token."""

    matters: list[str]
    deadlines: list[str]
    searches: list[str]
    family: str
    tokens: dict[str, str] = field(default_factory=dict)  # username -> feed token

    def url(self, kind: str, username: str, rng: random.Random) -> str:
        home = reverse("patents:home")
        fixed = {
            "docket": home + "?scope=team",
            "docket_page2": home + "?scope=team&page=2",
            "calendar": reverse("deadlines:calendar") + "?scope=team",
            "verification_queue": reverse("deadlines:verification-queue"),
            "matter_list": reverse("patents:matter-list"),
            "renewals": reverse("deadlines:renewals"),
            "family": self.family,
            "csv_export": reverse("deadlines:docket-export") + "?scope=team",
        }
        if kind in fixed:
            return fixed[kind]
        if kind == "search":
            return home + "?" + urllib.parse.urlencode({"q": rng.choice(self.searches)})
        if kind == "matter":
            return rng.choice(self.matters)
        if kind == "deadline":
            return rng.choice(self.deadlines)
        if kind == "ics_feed":
            # As a subscribed calendar program polls it: the feed's default scope, the user's own deadlines.
            return reverse("deadlines:ics-feed", args=[self.tokens[username]])
        raise ValueError(f"unknown page kind {kind!r}")


def prepare(options: dict, stdout) -> tuple[list[str], Targets, dict]:
    """The portfolio (bench dashboard's, built once), the load users with their memberships and fresh feed
    tokens, and the sampled URLs. Returns (usernames, targets, facts for the report)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from deadlines.actions import regenerate_ics_token
    from deadlines.models import Deadline
    from docketapp.audit import attributed
    from patents.models import Client, Matter, TeamMembership

    bench_dashboard._ensure_portfolio(options["deadlines"], options["clients"], options["seed"], stdout)
    bench_dashboard._ensure_renewals(options["seed"], stdout)
    family = bench_dashboard._ensure_family(stdout)

    user_model = get_user_model()
    names = [f"{USER_PREFIX}{n:03d}" for n in range(1, options["users"] + 1)]
    clients = list(Client.objects.filter(reference__startswith=bench_dashboard.PREFIX))
    with attributed(reason="bench load: synthetic users", process="bench.load"):
        existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
        password = make_password(PASSWORD)
        user_model.objects.bulk_create([user_model(username=n, password=password) for n in names if n not in existing])
        # Reused users get the same password back (a run with --url may have changed nothing, or anything).
        user_model.objects.filter(username__in=names).update(password=password, is_active=True)
        users = list(user_model.objects.filter(username__in=names).order_by("username"))
        have = set(
            TeamMembership.objects.filter(user__in=users, client__in=clients).values_list("user_id", "client_id")
        )
        TeamMembership.objects.bulk_create([
            TeamMembership(user=u, client=c, role=TeamMembership.Role.PARALEGAL)
            for u in users for c in clients if (u.pk, c.pk) not in have
        ])
    # Only a token's hash is stored, so each run makes new ones (the old feed addresses stop working).
    tokens = {u.username: regenerate_ics_token(user=u) for u in users}
    bench_dashboard.analyze(Deadline, Deadline.history.model, Matter, Client, TeamMembership, user_model)

    rng = random.Random(options["seed"])
    matters = Matter.objects.filter(reference__startswith=f"{bench_dashboard.PREFIX}-M")
    matter_ids = list(matters.order_by("pk").values_list("pk", flat=True))
    picked = sorted(rng.sample(matter_ids, min(SAMPLE, len(matter_ids))))
    deadline_ids = list(
        Deadline.objects.filter(matter__reference__startswith=f"{bench_dashboard.PREFIX}-M")
        .filter(pk__in=_spread_ids(Deadline, rng)).values_list("pk", flat=True)
    )
    targets = Targets(
        matters=[reverse("patents:matter-detail", args=[pk]) for pk in picked],
        deadlines=[reverse("deadlines:deadline-detail", args=[pk]) for pk in deadline_ids],
        searches=list(Matter.objects.filter(pk__in=picked[:20]).values_list("reference", flat=True)),
        family=reverse("patents:family-detail", args=[family.pk]),
        tokens=tokens,
    )
    if not targets.deadlines or not targets.matters:
        raise RuntimeError("the benchmark portfolio has no matters or deadlines: bench dashboard's builder built none")
    facts = {
        "matters_visible": Matter.objects.visible_to(users[0]).count(),
        "deadlines_visible": Deadline.objects.visible_to(users[0]).count(),
    }
    return names, targets, facts


def _spread_ids(model, rng: random.Random) -> list[int]:
    """About SAMPLE primary keys spread over the table (without reading every id of a large one)."""
    from django.db.models import Max, Min

    bounds = model.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    return [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(SAMPLE * 2)]


# --- the server ------------------------------------------------------------------------------------------------


def database_url() -> str:
    """The configured database as a DATABASE_URL, for the server process (in the tests: the test database)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = urllib.parse.quote(s.get("USER") or "", safe="")
    auth = user + (":" + urllib.parse.quote(s["PASSWORD"], safe="") if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@contextlib.contextmanager
def gunicorn(port: int, workers: int, threads: int, stdout):
    """A production server on 127.0.0.1 for the duration of the block: gunicorn with DEBUG off, static files
    collected into a temporary directory and served by WhiteNoise. The listening socket is opened here (port 0:
    the OS picks a free one) and handed to gunicorn, so no other process can take the port in between. Yields
    the base URL; the server is stopped on the way out, whatever happened (error, Ctrl-C)."""
    from django.core.management import call_command
    from django.test import override_settings

    begun = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as var_dir:
        storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
        with override_settings(STATIC_ROOT=os.path.join(var_dir, "static"), STORAGES=storages):
            call_command("collectstatic", interactive=False, verbosity=0)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(2048)
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "docketapp.settings",
            "DATABASE_URL": database_url(),
            "DEBUG": "0",
            "DOCKETAPP_VAR_DIR": var_dir,
            "STATICFILES_BACKEND": STATIC_BACKEND,
            "SERVER_TIMING": "true",
            "DOCKETAPP_NO_BOOTSTRAP": "1",
            "PYTHONUNBUFFERED": "1",
        }
        argv = [
            sys.executable, "-m", "gunicorn", "docketapp.wsgi",
            "--bind", f"fd://{listener.fileno()}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            # Django is imported once, in the master, and the workers are forked from it: they start at once.
            "--preload",
            # The client's --timeout decides what is too slow; a worker is not killed under it.
            "--timeout", "300", "--graceful-timeout", "5", "--log-level", "warning",
        ]
        log_path = os.path.join(var_dir, "gunicorn.log")
        with open(log_path, "w+") as log:
            proc = subprocess.Popen(argv, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    pass_fds=[listener.fileno()])
            listener.close()  # gunicorn holds its own copy
            try:
                _wait_until_up(base, proc, log_path)
                stdout.write(f"gunicorn: {workers} workers × {threads} threads on {base}, "
                             f"up in {time.monotonic() - begun:.1f} s (collectstatic included)")
                yield base
            finally:
                _stop(proc)


def _wait_until_up(base: str, proc: subprocess.Popen, log_path: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode}:\n{_tail(log_path)}")
        try:
            if requests.get(base + reverse("login"), timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 120 s:\n{_tail(log_path)}")


def _tail(path: str) -> str:
    with open(path) as f:
        return "".join(f.readlines()[-30:])


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # graceful: workers finish the request in hand (--graceful-timeout 5)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the users -------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int | None  # None: no answer (timeout, connection error)
    client_ms: float
    server_ms: float | None
    error: str = ""  # "" when the request counts as answered


def log_in(session: requests.Session, base: str, username: str, timeout: float) -> float:
    """Log in through the login form as a browser does: GET the form (CSRF cookie and token), POST it back.
    Returns the milliseconds the POST took; raises with a clear reason when the server did not log us in."""
    login = base + reverse("login")
    page = session.get(login, timeout=timeout)
    match = CSRF_FIELD.search(page.text)
    if page.status_code != 200 or not match:
        raise RuntimeError(f"{login} answered {page.status_code} without a login form")
    started = time.perf_counter()
    answer = session.post(
        login, timeout=timeout, allow_redirects=False, headers={"Referer": login},
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1), "next": "/"},
    )
    ms = (time.perf_counter() - started) * 1000
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(
            f"login of {username} failed ({answer.status_code}): does the server at {base} use this database "
            f"({connection.settings_dict['NAME']})?"
        )
    return ms


def user_loop(session: requests.Session, base: str, username: str, targets: Targets, options: dict,
              until: float, stop: threading.Event, out: list[Sample]) -> None:
    rng = random.Random(f"{options['seed']}:{username}")
    login_path = reverse("login")
    rounds = 0
    while not stop.is_set():
        if time.monotonic() >= until and rounds >= options["min_rounds"]:
            return
        plan = [kind for kind, weight in MIX.items() for _ in range(weight)]
        rng.shuffle(plan)
        for kind in plan:
            if stop.is_set() or (time.monotonic() >= until and rounds >= options["min_rounds"]):
                return
            out.append(_request(session, base + targets.url(kind, username, rng), kind, login_path, options))
            if options["think_ms"]:
                time.sleep(options["think_ms"] / 1000)
        rounds += 1


def _request(session: requests.Session, url: str, kind: str, login_path: str, options: dict) -> Sample:
    started = time.perf_counter()
    try:
        response = session.get(url, timeout=options["timeout"], allow_redirects=False)
        response.content  # noqa: B018 (the whole body, as a browser waits for it)
    except requests.Timeout:
        return Sample(kind, None, (time.perf_counter() - started) * 1000, None, "timeout")
    except requests.RequestException as exc:
        return Sample(kind, None, (time.perf_counter() - started) * 1000, None, type(exc).__name__)
    client_ms = (time.perf_counter() - started) * 1000
    match = SERVER_TIME.search(response.headers.get("Server-Timing", ""))
    server_ms = float(match.group(1)) if match else None
    error = ""
    if not 200 <= response.status_code < 400:
        error = str(response.status_code)
    elif response.is_redirect and urllib.parse.urlsplit(response.headers.get("Location", "")).path == login_path:
        error = f"{response.status_code} to the login page"
    return Sample(kind, response.status_code, client_ms, server_ms, error)


# --- the run ---------------------------------------------------------------------------------------------------


def run(options: dict, stdout) -> dict:
    if options["users"] < 1 or options["seconds"] <= 0:
        raise ValueError("--users must be at least 1 and --seconds above 0")
    begun = time.monotonic()
    usernames, targets, facts = prepare(options, stdout)
    stdout.write(f"portfolio and {len(usernames)} users ready in {time.monotonic() - begun:.1f} s")
    # One worker per core, one thread each (docs/deployment.md): the pages are CPU-bound, and more threads than
    # cores only share the cores, each request taking longer (measured: docs/benchmarks.md, 2026-12-05 (7)).
    workers = options["workers"] or os.cpu_count() or 1
    server: contextlib.AbstractContextManager[str]
    if options["url"]:
        server = contextlib.nullcontext(options["url"].rstrip("/"))
        server_name = "external"
    else:
        server = gunicorn(options["port"], workers, options["threads"], stdout)
        server_name = f"gunicorn, {workers} workers × {options['threads']} threads (gthread)"
    with server as base, _sigterm_as_interrupt():
        result = _load(base, usernames, targets, options, stdout)
    result = {"server": server_name, "url": base, "database": connection.vendor, **facts, **result}
    if not options["json"]:
        stdout.write(table(result))
    return result


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (a CI job cancelled, `kill`) stops the run as Ctrl-C does, through the `finally` blocks that
    stop the users and the server, instead of ending this process and leaving gunicorn behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _load(base: str, usernames: list[str], targets: Targets, options: dict, stdout) -> dict:
    sessions = {name: requests.Session() for name in usernames}
    login_ms: list[float] = []
    failures: list[BaseException] = []

    # Logging in is setup, not the measurement: at most LOGIN_CONCURRENCY at once, each with a generous timeout
    # (a password check is deliberately slow, ~0.3 s of CPU; 50 at once on 2 cores would time out).
    gate = threading.Semaphore(LOGIN_CONCURRENCY)

    def login(name: str) -> None:
        try:
            with gate:
                login_ms.append(log_in(sessions[name], base, name, max(options["timeout"], LOGIN_TIMEOUT)))
        except BaseException as exc:  # reported below, in the main thread
            failures.append(exc)

    stdout.write(f"logging in {len(usernames)} users …")
    _run_threads([threading.Thread(target=login, args=(n,), daemon=True) for n in usernames])
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(usernames)} logins failed; the first: {failures[0]}")
    stdout.write(f"logged in (slowest {max(login_ms) / 1000:.1f} s)")

    stdout.write(f"{len(usernames)} users requesting for {options['seconds']:g} s …")
    load_before = os.getloadavg()
    stop = threading.Event()
    samples: dict[str, list[Sample]] = {n: [] for n in usernames}
    started = time.monotonic()
    until = started + options["seconds"]
    threads = [
        threading.Thread(target=user_loop, args=(sessions[n], base, n, targets, options, until, stop, samples[n]),
                         daemon=True)
        for n in usernames
    ]
    try:
        _run_threads(threads)
    finally:
        stop.set()  # Ctrl-C: the users stop after the request in hand
    elapsed = time.monotonic() - started
    for session in sessions.values():
        session.close()
    every = [s for n in usernames for s in samples[n]]
    return {
        "users": len(usernames),
        "seconds": options["seconds"],
        "elapsed_s": round(elapsed, 1),
        "think_ms": options["think_ms"],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "login_p50_ms": _pct(login_ms, 50),
        "login_max_ms": round(max(login_ms), 1),
        **summarise(every, elapsed),
    }


def _run_threads(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)  # short waits, so Ctrl-C reaches this thread


def _pct(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) in milliseconds, one decimal; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)


def _figures(samples: list[Sample], streamed: bool = False) -> dict:
    answered = [s for s in samples if not s.error]
    server = [s.server_ms for s in answered if s.server_ms is not None and (streamed or s.kind not in STREAMED)]
    client = [s.client_ms for s in answered]
    return {
        "requests": len(samples),
        "errors": len(samples) - len(answered),
        **{f"client_p{p}_ms": _pct(client, p) for p in (50, 95, 99)},
        **{f"server_p{p}_ms": _pct(server, p) for p in (50, 95, 99)},
    }


def summarise(samples: list[Sample], elapsed: float) -> dict:
    errors = Counter(f"{s.kind} {s.error}" for s in samples if s.error)
    pages = {}
    for kind in MIX:
        mine = [s for s in samples if s.kind == kind]
        pages[kind] = {
            **_figures(mine, streamed=True),
            "statuses": dict(sorted(Counter(str(s.status) for s in mine).items())),
        }
        if kind in STREAMED:
            pages[kind]["server_time_covers"] = "the work before streaming"
    overall = _figures(samples)
    return {
        "requests": overall["requests"],
        "errors": overall["errors"],
        "errors_by_page": dict(errors.most_common()),
        "throughput_rps": round(len(samples) / elapsed, 1) if elapsed else 0.0,
        "overall": {k: v for k, v in overall.items() if k not in ("requests", "errors")},
        "overall_server_time_leaves_out": sorted(STREAMED),
        "pages": pages,
    }


def table(result: dict) -> str:
    """The per-page figures as the Markdown table docs/benchmarks.md shows."""
    head = ("| page | requests | errors | client p50 / p95 / p99 ms | server p50 / p95 / p99 ms |\n"
            "|---|---:|---:|---:|---:|")

    def row(name: str, f: dict, requests_: int, errors: int) -> str:
        client = " / ".join(_fmt(f[f"client_p{p}_ms"]) for p in (50, 95, 99))
        server = " / ".join(_fmt(f[f"server_p{p}_ms"]) for p in (50, 95, 99))
        return f"| {name} | {requests_} | {errors} | {client} | {server} |"

    lines = [head]
    for kind, f in result["pages"].items():
        lines.append(row(kind + (" (streamed)" if kind in STREAMED else ""), f, f["requests"], f["errors"]))
    lines.append(row("**all**", result["overall"], result["requests"], result["errors"]))
    return "\n".join(lines) + f"\n{result['throughput_rps']} requests/s; load average {result['load_average_before']}"


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"

