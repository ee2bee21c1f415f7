"""Settings for the worker subprocess that is killed mid-ingest (tests/reliability/test_worker_kill.py)."""

from docketapp.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.reliability.hang.apps.HangConfig"]  # noqa: F405
