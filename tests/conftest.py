"""Shared test setup.

Service-backed tests are marked ``postgres``, ``redis`` or ``worker``. Locally they skip when the service
is not configured; in CI (CI=true) they FAIL instead, so a misconfigured CI can never go green by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db.backends.signals import connection_created

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parent.parent
# Recorded office answers live in the repository (tests/fixtures/offices, with their SOURCES.md), so a fresh
# clone runs every test; nothing reads ../shared any more.
OFFICE_FIXTURES = ROOT / "tests" / "fixtures" / "offices"


def _allow_test_flush(sender, connection, **kwargs) -> None:
    # Transactional tests empty the tables with TRUNCATE between tests; the history tables refuse TRUNCATE
    # unless the session says otherwise (patents.history_guard). Only test connections say so.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET docketapp.allow_truncate = 'on'")


connection_created.connect(_allow_test_flush, dispatch_uid="tests.allow_test_flush")


_TRANSACTIONAL_FIXTURES = {
    "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback",
}


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        kw = marker.kwargs
        if (marker.args and marker.args[0]) or kw.get("transaction") or kw.get("reset_sequences") \
                or kw.get("serialized_rollback"):
            return True
    return bool(_TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items) -> None:
    """Mark the tests that commit for real (a live server, a worker, ``transaction=True``): they empty every
    table after themselves, including the rows the data migrations seeded (event types, closures, fee tables).
    `manage.py test` runs them as a second, separate pass, so that no ordinary test runs after such a flush
    on the same worker (pytest-django orders them last within one process; parallel workers do not)."""
    grouping = config.pluginmanager.hasplugin("xdist")  # xdist_group is xdist's marker
    for item in items:
        if _is_transactional(item):
            item.add_marker(pytest.mark.transactional)
            # In that pass (``--dist loadgroup``) a module stays on one worker (its module fixtures are built
            # once), and the tests that start a real Celery worker take turns: each waits on its worker's
            # progress within a time limit, and two of them at once on a 2-core machine starve each other.
            group = "real-celery-worker" if item.get_closest_marker("worker") else item.nodeid.split("::")[0]
            if grouping:
                item.add_marker(pytest.mark.xdist_group(group))


def skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run in CI)", pytrace=False)
    pytest.skip(reason)


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or ""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not url and broker.startswith("redis"):
        url = broker
    return url


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres"):
        if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("redis") and not redis_url():
        skip_or_fail("needs Redis: set REDIS_URL or CELERY_BROKER_URL=redis://…")


@pytest.fixture(autouse=True)
def _strict_audit(settings):
    # Every write to docket data in a test must be attributed, exactly as in production code paths.
    settings.AUDIT_STRICT = True
    # Test users need no slow key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collectstatic in tests: plain storage instead of the hashed manifest used in production.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached dashboard figures (the nav badge, the docket's counts, the ICS feed) are keyed by the newest
    history ids (deadlines.freshness); SQLite reuses ids after a rolled-back test, so every test starts with
    nothing cached."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


_throttle_redis = None


@pytest.fixture(autouse=True)
def _fresh_office_throttle():
    """Each test starts with the offices' throttle open: its state lives in Redis (THROTTLE_BACKEND=redis in
    CI), outside the test's rolled-back transaction, so a test that used up an office's budget or was told
    to back off would otherwise make a later, unrelated test see a blocked office (a "sync now" deferred)."""
    global _throttle_redis
    from patents.clients import throttle

    throttle._default = None  # rebuilt from settings (a fallback to the database store does not carry over)
    if django_settings.THROTTLE_BACKEND != "redis" or not django_settings.REDIS_URL:
        return
    import redis

    if _throttle_redis is None:
        _throttle_redis = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        keys = list(_throttle_redis.scan_iter("docketapp:throttle:*"))
        if keys:
            _throttle_redis.delete(*keys)
    except redis.RedisError:
        pass  # Redis down: the tests that need it fail on their own with the reason


@pytest.fixture
def office_samples() -> Path:
    """The real recorded office responses, copied verbatim into tests/fixtures/offices (see SOURCES.md there)."""
    return OFFICE_FIXTURES


@pytest.fixture
def audit():
    """Run test set-up writes under a named test process."""
    from docketapp.audit import attributed

    with attributed(reason="test set-up", process="tests"):
        yield
