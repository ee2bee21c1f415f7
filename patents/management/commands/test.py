"""`python3 manage.py test [pytest arguments]`: the whole suite, with what it needs installed first.

Replaces Django's runner with pytest (pytest-django). Before running it makes sure Debian's Chromium is
present for the browser tests (installing it with apt-get when running as root), because Playwright cannot
download its own browsers here. Exit status is pytest's; "no tests collected" counts as a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

CHROMIUM = "/usr/bin/chromium"


def ensure_chromium(stdout) -> None:
    if os.path.exists(CHROMIUM):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        stdout.write(f"note: {CHROMIUM} is missing and cannot be installed here; browser tests will skip or fail")
        return
    stdout.write("installing Chromium for the browser tests (apt-get install chromium) …")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, stdout=subprocess.DEVNULL)


class Command(BaseCommand):
    help = "Run the test suite with pytest (installs Chromium for the browser tests when missing)."

    def run_from_argv(self, argv):
        # Pass every argument through to pytest untouched (e.g. -k, -x, tests/patents).
        self._pytest_args = argv[2:]
        super().run_from_argv(argv[:2])

    def handle(self, *args, **options):
        ensure_chromium(self.stdout)
        args = getattr(self, "_pytest_args", [])
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "docketapp.settings"}
        result = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=settings.BASE_DIR, env=env)
        if result.returncode == 5:
            raise CommandError("pytest collected no tests")
        if result.returncode:
            sys.exit(result.returncode)
