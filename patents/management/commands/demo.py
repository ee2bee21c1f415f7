"""`python3 manage.py demo`: the whole application on one machine, for trying it out.

Migrates, loads the demo portfolio, starts the office simulator (seeded portfolio, on a local port) unless
real office credentials are configured, then starts and supervises the web server, a Celery worker (queues
default and office_sync) and Celery beat, all pointed at the simulator. It queues one office sync per
office straight away, so the demo matters get their events and deadlines through the real sync path
within a minute. The broker is the embedded filesystem broker unless CELERY_BROKER_URL is set (e.g.
Redis). Ctrl-C stops everything it started.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from patents.demo import DEMO_PASSWORD, DEMO_SEED, DEMO_SIZE, demo_anchor

# Other parts of the app register extra processes here: (name, argv, extra_env).
EXTRA_PROCESSES: list[tuple[str, list[str], dict[str, str]]] = []


class Command(BaseCommand):
    help = "Run the demo: migrate, seed, and start web + worker + beat (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="web server only")
        parser.add_argument("--simulator-port", type=int, default=8765, help="0: any free port")
        parser.add_argument("--no-simulator", action="store_true", help="use the offices configured in .env")

    # Long because: the demo's steps in the order a new user sees them (seed, simulator, worker, first sync, server).
    def handle(self, *args, host: str, port: int, no_worker: bool, simulator_port: int, no_simulator: bool,
               **options):
        # (The embedded broker's folders are created by docketapp.celery when the app loads.)
        # The demo is for trying things out (admin edits, shell experiments): an unattributed change is
        # recorded as "(no reason given)" instead of refused. AUDIT_STRICT is on everywhere else.
        if "AUDIT_STRICT" not in os.environ:
            settings.AUDIT_STRICT = False
        call_command("migrate", interactive=False, verbosity=0)
        # Office closure days (EPO, WIPO, JPO year-end, US inauguration) before any deadline is computed.
        call_command("deadlines", "seed-closures", stdout=io.StringIO())
        call_command("seed_demo", stdout=self.stdout)
        env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1",
               "AUDIT_STRICT": os.environ.get("AUDIT_STRICT", "false")}
        # Reminder e-mails land as files (and on the staff outbox page) unless a real backend is configured.
        env.setdefault("EMAIL_URL", "filemail://")
        simulator = None
        if not no_simulator and not _real_offices_configured():
            from patents.simulator.server import free_port, start_simulator

            # The web server's port is never the simulator's: the simulator would take it first and the
            # server would then fail with a bare "port already in use".
            if simulator_port == port:
                simulator_port = free_port()
            try:
                simulator = start_simulator(seed=DEMO_SEED, matters=DEMO_SIZE, today=demo_anchor(),
                                            port=simulator_port)
            except OSError:  # the port is taken (an earlier demo still running?): any free port then
                simulator = start_simulator(seed=DEMO_SEED, matters=DEMO_SIZE, today=demo_anchor(),
                                            port=free_port())
            # The clients use the simulator when no real credentials are set (patents.clients.get_client).
            env["OFFICE_SIMULATOR_URL"] = settings.OFFICE_SIMULATOR_URL = simulator.base_url
            os.environ["OFFICE_SIMULATOR_URL"] = simulator.base_url
        python = sys.executable
        processes: list[tuple[str, list[str], dict[str, str]]] = [("web", *web_server(host, port))]
        if not no_worker:
            celery = [python, "-m", "celery", "-A", "docketapp"]
            processes += [
                ("worker", [*celery, "worker", "-Q", "default,office_sync", "-c", "2", "-l", "INFO"], {}),
                ("beat", [*celery, "beat", "-l", "INFO"], {}),
                *EXTRA_PROCESSES,
            ]
        children: list[tuple[str, subprocess.Popen]] = []
        for name, argv, extra in processes:
            children.append((name, subprocess.Popen(argv, env={**env, **extra}, cwd=settings.BASE_DIR)))
        if not no_worker:
            _queue_first_sync(self.stdout)
        site = f"http://{host}:{port}"
        offices = f"office simulator: {simulator.base_url} (seed {DEMO_SEED}, {DEMO_SIZE} matters)" if simulator \
            else "offices: as configured in the environment"
        self.stdout.write(self.style.SUCCESS(
            f"\ndocketapp is running: {site}/  (admin: {site}/admin/)\n"
            f"log in as pat (paralegal), sam (docketing), alice (attorney) or admin — password {DEMO_PASSWORD}\n"
            f"(only sam and admin may use the admin; the others work in the dashboard)\n"
            f"{offices}\n"
            f"broker: {settings.CELERY_BROKER_URL}   processes: {', '.join(n for n, _ in children)}\n"
            f"The first office sync is queued: within a minute the matters get their office events and deadlines.\n"
            f"  sync runs and quarantine: {site}/sync/   review: {site}/sync/quarantine/   "
            f"docket vs office: {site}/sync/reconciliation/\n"
            f"  matters: {site}/matters/   raw payloads, runs, code mappings: {site}/admin/patents/\n"
            f"  e-mails sent: {site}/deadlines/outbox/ (files in {settings.EMAIL_FILE_PATH} with filemail://)\n"
            "Ctrl-C stops everything.\n"
        ))
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in children:
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with status {proc.returncode}; stopping the demo")
                        stopping = True
                time.sleep(0.5)
        finally:
            for _name, proc in children:
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 10
            for _name, proc in children:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
            if simulator is not None:
                simulator.stop()


def web_server(host: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The demo's web server (argv, extra environment): DEBUG off, as in production, so a wrong address
    shows docketapp's own 404/403/500 pages and never Django's debug page with settings and tracebacks.
    Without DEBUG, static files come from STATIC_ROOT through WhiteNoise (as in production), so they are
    collected first. DEBUG=1 in the environment keeps the developer's debug page (and finders)."""
    if "DEBUG" in os.environ:
        return _runserver(host, port), {}
    call_command("collectstatic", interactive=False, verbosity=0)
    return _runserver(host, port), {"DEBUG": "0"}


def _runserver(host: str, port: int) -> list[str]:
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), "runserver", f"{host}:{port}", "--noreload"]


def _real_offices_configured() -> bool:
    from patents.offices import synced_offices

    return all(office.configured(settings) for office in synced_offices())


def _queue_first_sync(stdout) -> None:
    """One sync per office right now (beat runs them every 15 minutes after that)."""
    from django.utils import timezone

    from patents.models import SyncRun
    from patents.sync import OFFICES, enqueue_sync

    for office in OFFICES:
        run = enqueue_sync(office=office, trigger=SyncRun.Trigger.DEMO, older_than=timezone.now())
        stdout.write(f"queued {office} sync: {run.matters_tried} matters in {run.batches_total} batch(es)")
