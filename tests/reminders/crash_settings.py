"""Settings for the subprocess that is killed mid-send (tests/reminders/test_exactly_once.py)."""

from docketapp.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.reminders.backends.HangingBackend"
REMINDERS_SEND_CHUNK = 1
