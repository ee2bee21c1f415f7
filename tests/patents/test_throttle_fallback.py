"""The throttle's Redis down: decisions move to the database store and go back to Redis once it answers."""

from __future__ import annotations

import pytest

from patents.clients.throttle import DatabaseStore, FallbackStore, Limit, MemoryStore, RedisStore, Throttle
from tests.reliability.conftest import CLOSED_REDIS

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_unreachable_redis_falls_back_to_the_database_and_is_tried_again_later():
    clock = Clock()
    store = FallbackStore(RedisStore(CLOSED_REDIS), DatabaseStore(), retry_after=30.0, clock=clock)
    throttle = Throttle(store, {("epo", "search"): Limit(per_minute=1, period=60.0)})

    assert throttle.acquire("epo", "search").allowed
    assert "throttle Redis unreachable (ConnectionError" in store.take_degraded()
    assert store.take_degraded() == ""  # reported once
    # The database store holds the limit (the outage does not lift it): the second request waits.
    refused = throttle.acquire("epo", "search")
    assert not refused.allowed and refused.wait > 50
    from patents.models import ThrottleBucket

    assert ThrottleBucket.objects.filter(office="epo", service="search").exists()

    # After retry_after, Redis is asked again (still down here: the failover is reported again).
    clock.now += 31
    throttle.acquire("epo", "search")
    assert store.take_degraded()


def test_a_working_primary_is_used_and_nothing_is_reported():
    primary, fallback = MemoryStore(), DatabaseStore()
    store = FallbackStore(primary, fallback)
    throttle = Throttle(store, {("epo", "search"): Limit(per_minute=1, period=60.0)})
    assert throttle.acquire("epo", "search").allowed
    assert not throttle.acquire("epo", "search").allowed
    assert store.take_degraded() == ""
    from patents.models import ThrottleBucket

    assert not ThrottleBucket.objects.exists()
