"""`python3 manage.py demo`: the whole application on one machine, for trying it out.

Migrates, loads the demo portfolio, then starts and supervises the web server, a Celery worker (queues
default and office_sync) and Celery beat. The broker is the embedded filesystem broker unless
CELERY_BROKER_URL is set (e.g. Redis). Ctrl-C stops everything it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from patents.demo import DEMO_PASSWORD

# Other parts of the app register extra processes here: (name, argv, extra_env).
EXTRA_PROCESSES: list[tuple[str, list[str], dict[str, str]]] = []


class Command(BaseCommand):
    help = "Run the demo: migrate, seed, and start web + worker + beat (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="web server only")

    def handle(self, *args, host: str, port: int, no_worker: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        processes: list[tuple[str, list[str], dict[str, str]]] = [
            ("web", [python, manage, "runserver", f"{host}:{port}", "--noreload"], {}),
        ]
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
        self.stdout.write(self.style.SUCCESS(
            f"\ndocketapp is running: http://{host}:{port}/  (admin: http://{host}:{port}/admin/)\n"
            f"log in as pat (paralegal), sam (docketing), alice (attorney) or admin — password {DEMO_PASSWORD}\n"
            f"broker: {settings.CELERY_BROKER_URL}   processes: {', '.join(n for n, _ in children)}\n"
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
