"""The shared throttle's decisions, the same on every storage backend (memory, database, Redis).

Periods are scaled down (a "minute" of 0.5–1 s) so the behaviour shows in milliseconds.
"""

from __future__ import annotations

import time
import uuid

import pytest

from patents.clients.throttle import (
    DatabaseStore,
    Limit,
    MemoryStore,
    RedisStore,
    Throttle,
    next_tokyo_midnight,
)
from tests.conftest import redis_url


@pytest.fixture(
    params=[
        "memory",
        pytest.param("database", marks=pytest.mark.django_db),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
def store(request):
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "database":
        yield DatabaseStore()
        return
    import redis

    client = redis.Redis.from_url(redis_url())
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    yield RedisStore(client=client, prefix=prefix)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def make(store, **limits: Limit) -> Throttle:
    return Throttle(store, {("epo", name): lim for name, lim in limits.items()})


def test_a_full_bucket_allows_one_request_then_says_how_long_to_wait(store):
    throttle = make(store, search=Limit(per_minute=10, period=1.0))
    first = throttle.acquire("epo", "search")
    second = throttle.acquire("epo", "search")
    assert first.allowed and first.wait == 0
    assert not second.allowed
    assert second.kind == "rate"
    assert 0.05 < second.wait <= 0.1  # one token per 0.1 s
    time.sleep(second.wait + 0.01)
    assert throttle.acquire("epo", "search").allowed


def test_buckets_of_different_services_do_not_share_tokens(store):
    throttle = make(store, search=Limit(per_minute=1, period=60), retrieval=Limit(per_minute=1, period=60))
    assert throttle.acquire("epo", "search").allowed
    assert throttle.acquire("epo", "retrieval").allowed
    assert not throttle.acquire("epo", "search").allowed


def test_a_reservation_hands_out_the_next_slot_with_the_time_to_wait(store):
    throttle = make(store, search=Limit(per_minute=10, period=1.0))
    throttle.set_rate("epo", "search", per_minute=10)  # the office confirmed its limit
    assert throttle.acquire("epo", "search").allowed
    reserved = throttle.acquire("epo", "search", reserve_up_to=1.0)
    queued = throttle.acquire("epo", "search", reserve_up_to=1.0)
    assert reserved.allowed and 0.05 < reserved.wait <= 0.1
    # The next caller queues behind the reservation instead of racing for the same token.
    assert queued.allowed and reserved.wait + 0.08 < queued.wait <= reserved.wait + 0.1


def test_no_slot_is_reserved_at_a_rate_the_office_has_not_confirmed(store):
    throttle = make(store, search=Limit(per_minute=10, period=1.0))
    assert throttle.acquire("epo", "search").allowed
    # Until an answer says what the office allows now, waiting callers poll rather than queue up.
    assert not throttle.acquire("epo", "search", reserve_up_to=1.0).allowed


def test_the_office_advertised_limit_replaces_the_configured_one(store):
    throttle = make(store, search=Limit(per_minute=1, period=1.0))
    assert throttle.acquire("epo", "search").allowed
    assert throttle.acquire("epo", "search").wait > 0.5
    throttle.set_rate("epo", "search", per_minute=100)
    time.sleep(0.02)
    assert throttle.acquire("epo", "search").allowed
    assert throttle.state("epo", "search").rate == 100


def test_a_slow_down_factor_stretches_the_interval(store):
    throttle = make(store, search=Limit(per_minute=10, period=1.0))
    throttle.set_rate("epo", "search", factor=0.5)
    throttle.acquire("epo", "search")
    assert 0.15 < throttle.acquire("epo", "search").wait <= 0.2


def test_a_block_refuses_until_its_end_and_says_why(store):
    throttle = make(store, search=Limit(per_minute=1000, period=60))
    throttle.block("epo", "search", seconds=30, reason="ThrottlingControlQuota: black")
    decision = throttle.acquire("epo", "search")
    assert not decision.allowed
    assert decision.kind == "blocked"
    assert decision.reason == "ThrottlingControlQuota: black"
    assert 29 < decision.wait <= 30
    # A shorter block never shortens a longer one.
    throttle.block("epo", "search", seconds=1, reason="short")
    assert throttle.acquire("epo", "search").wait > 29


def test_an_office_wide_block_stops_every_service_of_that_office(store):
    throttle = make(store, search=Limit(per_minute=1000), retrieval=Limit(per_minute=1000))
    throttle.block("epo", "*", seconds=60, reason="RegisteredQuotaPerWeek: budget used")
    assert not throttle.acquire("epo", "search").allowed
    assert throttle.acquire("epo", "retrieval").reason == "RegisteredQuotaPerWeek: budget used"
    assert throttle.acquire("jpo", "app_progress").allowed


def test_a_short_block_expires(store):
    throttle = make(store, search=Limit(per_minute=1000, period=60))
    throttle.block("epo", "search", seconds=0.1, reason="black")
    assert not throttle.acquire("epo", "search").allowed
    time.sleep(0.12)
    assert throttle.acquire("epo", "search").allowed


def test_a_daily_cap_refuses_until_midnight_in_tokyo(store):
    throttle = Throttle(store, {("jpo", "app_progress"): Limit(daily_cap=3)})
    for _ in range(3):
        assert throttle.acquire("jpo", "app_progress").allowed
    refused = throttle.acquire("jpo", "app_progress")
    assert not refused.allowed and refused.kind == "cap"
    assert abs(refused.wait - (next_tokyo_midnight(time.time()) - time.time())) < 2


def test_the_office_remaining_count_corrects_our_daily_count(store):
    throttle = Throttle(store, {("jpo", "app_progress"): Limit(daily_cap=400)})
    assert throttle.acquire("jpo", "app_progress").allowed
    throttle.set_used("jpo", "app_progress", used=399)  # remainAccessCount 1: others used the same ID
    assert throttle.acquire("jpo", "app_progress").allowed
    assert not throttle.acquire("jpo", "app_progress").allowed


def test_the_office_count_on_a_new_day_is_kept_even_when_it_equals_yesterday_s():
    clock = [next_tokyo_midnight(time.time()) - 3600.0]  # 23:00 in Tokyo
    throttle = Throttle(MemoryStore(clock=lambda: clock[0]), {("jpo", "app_progress"): Limit(daily_cap=6)})
    throttle.set_used("jpo", "app_progress", used=5)
    clock[0] += 7200.0  # 01:00 the next day: the office says 5 used again (remainAccessCount 1)
    throttle.set_used("jpo", "app_progress", used=5)
    assert throttle.acquire("jpo", "app_progress").allowed
    assert not throttle.acquire("jpo", "app_progress").allowed


def test_one_request_in_flight_until_released(store):
    throttle = Throttle(store, {("uspto", "*"): Limit(concurrency=True, lease_seconds=30)})
    holder = throttle.acquire("uspto", "*")
    other = throttle.acquire("uspto", "*")
    assert holder.allowed and not other.allowed
    assert other.kind == "lease" and 0 < other.wait <= 0.05
    throttle.release(holder)
    assert throttle.acquire("uspto", "*").allowed


def test_a_crashed_holder_loses_its_lease_when_it_expires(store):
    throttle = Throttle(store, {("uspto", "*"): Limit(concurrency=True, lease_seconds=0.1)})
    assert throttle.acquire("uspto", "*").allowed  # never released
    assert not throttle.acquire("uspto", "*").allowed
    time.sleep(0.12)
    assert throttle.acquire("uspto", "*").allowed


@pytest.mark.django_db
def test_a_release_between_a_signal_s_read_and_write_is_not_undone():
    # Another worker's signal (a 429 block, a drain) read the bucket while the lease was held; the holder
    # releases before that worker writes. Writing back its stale copy must not resurrect the lease.
    # (Database only: the memory store holds one lock for both, Redis' WATCH already sees the release.)
    store = DatabaseStore()
    throttle = Throttle(store, {("uspto", "*"): Limit(concurrency=True, lease_seconds=30)})
    holder = throttle.acquire("uspto", "*")
    released = []

    def change(state, now):
        if not released:
            throttle.release(holder)
            released.append(True)
        state.reason = "signal"
        return state

    store.update(("uspto", "*"), change)
    assert throttle.acquire("uspto", "*").allowed


def test_the_remaining_count_of_the_office_drains_our_tokens(store):
    throttle = Throttle(store, {("lens", "*"): Limit(per_minute=50, burst=5, period=60)})
    throttle.drain("lens", "*", remaining=1)
    assert throttle.acquire("lens", "*").allowed
    assert not throttle.acquire("lens", "*").allowed


def test_acquire_blocking_waits_for_the_slot():
    throttle = Throttle(MemoryStore(), {("epo", "search"): Limit(per_minute=20, period=1.0)})
    started = time.monotonic()
    for _ in range(4):
        assert throttle.acquire_blocking("epo", "search", timeout=2).allowed
    assert 0.13 < time.monotonic() - started < 0.3  # 3 intervals of 0.05 s


def test_acquire_blocking_gives_up_after_its_timeout():
    throttle = Throttle(MemoryStore(), {("epo", "search"): Limit(per_minute=1000)})
    throttle.block("epo", "search", seconds=60, reason="black")
    decision = throttle.acquire_blocking("epo", "search", timeout=0.05)
    assert not decision.allowed and decision.wait > 59
