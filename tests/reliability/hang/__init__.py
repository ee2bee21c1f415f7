"""A test-only app for the worker-kill test: stops ingestion dead after the first matter's events commit.

Installed only by ``tests.reliability.crash_settings`` (the worker subprocess that is SIGKILLed); it does
nothing unless RELIABILITY_HANG_MARKER names a file.
"""
