"""`python3 manage.py test [pytest arguments]`: the whole suite, with what it needs installed first.

Replaces Django's runner with pytest (pytest-django). Before running it makes sure Debian's Chromium (for the
browser tests; Playwright cannot download its own browsers here) and Tesseract with its language data (for
the document reading tests) are present, installing them with apt-get when running as root.
Exit status is pytest's; "no tests collected" counts as a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

CHROMIUM = "/usr/bin/chromium"
# Debian packages the suite needs, with why: Playwright cannot download browsers here, and the document
# reader calls Tesseract with these languages (tests/documents). The same list as .ci/run's OCR_PACKAGES.
DEBIAN_PACKAGES = (
    ("chromium", "the browser tests"),
    ("tesseract-ocr", "the document reading tests (OCR)"),
    ("tesseract-ocr-eng", "OCR of English documents"),
    ("tesseract-ocr-deu", "OCR of German documents"),
    ("tesseract-ocr-fra", "OCR of French documents"),
    ("tesseract-ocr-jpn", "OCR of Japanese documents"),
    ("fonts-dejavu-core", "the generated scans of the OCR tests"),
    ("fonts-noto-cjk", "the generated Japanese scans of the OCR tests"),
)


def _installed(package: str) -> bool:
    if package == "chromium":
        return os.path.exists(CHROMIUM)
    if not shutil.which("dpkg"):
        return False
    done = subprocess.run(["dpkg", "-s", package], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return done.returncode == 0


def ensure_debian_packages(stdout) -> None:
    missing = [(name, why) for name, why in DEBIAN_PACKAGES if not _installed(name)]
    if not missing:
        return
    names = [name for name, _ in missing]
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        for name, why in missing:
            stdout.write(f"note: Debian package {name} is missing and cannot be installed here; {why} will skip")
        return
    stdout.write(f"installing {' '.join(names)} for the tests (apt-get) …")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", *names], check=True, env=env, stdout=subprocess.DEVNULL)


def parallel_args(args: list[str]) -> list[str] | None:
    """The pytest arguments that run the suite on every core (pytest-xdist, one process per core, at most 4),
    each worker with its own test database, Redis databases and var directory (tests/xdist_isolation.py);
    tests of one module stay on one worker (``--dist loadfile``: module fixtures are built once). None when the
    caller chose otherwise: ``-n``/``-p no:xdist``, ``-x`` or ``--pdb`` (debugging one failure), ``-m``."""
    explicit = {"-n", "--numprocesses", "-x", "--exitfirst", "--pdb", "--dist", "-m"}
    if any(a in explicit or a.startswith(("-n", "--numprocesses=", "--dist=")) for a in args):
        return None
    if "no:xdist" in args:
        return None
    workers = min(os.cpu_count() or 1, 4)
    return ["-n", str(workers), "--dist", "loadfile", *args] if workers > 1 else None


def passes(args: list[str]) -> list[list[str]]:
    """The pytest runs: one as given, or in parallel two passes. Tests that commit for real empty every table
    after themselves, the data migrations' rows included; in one process pytest-django runs them last, but
    parallel workers would run ordinary tests after them, so they get their own pass on fresh databases, grouped
    per module and with the real-worker tests on one worker (tests/conftest.py)."""
    parallel = parallel_args(args)
    if parallel is None:
        return [args]
    second = ["loadgroup" if a == "loadfile" else a for a in parallel]
    return [[*parallel, "-m", "not transactional"], [*second, "-m", "transactional"]]


class Command(BaseCommand):
    help = "Run the test suite with pytest (installs Chromium and Tesseract for the tests when missing)."

    def run_from_argv(self, argv):
        # Pass every argument through to pytest untouched (e.g. -k, -x, tests/patents).
        self._pytest_args = argv[2:]
        super().run_from_argv(argv[:2])

    def handle(self, *args, **options):
        ensure_debian_packages(self.stdout)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "docketapp.settings"}
        codes = []
        for run in passes(getattr(self, "_pytest_args", [])):
            result = subprocess.run([sys.executable, "-m", "pytest", *run], cwd=settings.BASE_DIR, env=env)
            codes.append(result.returncode)
        if all(code == 5 for code in codes):
            raise CommandError("pytest collected no tests")
        failed = [code for code in codes if code not in (0, 5)]
        if failed:
            sys.exit(failed[0])
