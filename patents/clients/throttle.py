"""The shared office throttle: token buckets per (office, service) in storage every worker sees.

Celery's ``rate_limit`` is per worker, and python-epo-ops-client keeps its throttle in a per-host SQLite file,
so N workers send about N times the allowed rate. Here every process and machine asks the same storage:
Redis (one atomic Lua script per decision, Redis' own clock) when ``THROTTLE_BACKEND == "redis"``, else the
database (one ``ThrottleBucket`` row per bucket, changed with a conditional ``UPDATE … WHERE version = v``
so two workers can never both spend the last token, on PostgreSQL as on SQLite).

A decision never blocks::

    decision = throttle.acquire("epo", "search")
    if not decision.allowed:
        raise self.retry(countdown=decision.wait)   # a Celery task gives its worker slot back
    try:
        ...send...
    finally:
        throttle.release(decision)                  # only matters for one-in-flight offices (USPTO)

``acquire_blocking`` is the helper for the CLI and benchmarks: it reserves the next slot and sleeps.

What a bucket can hold (all optional, see ``Limit``):
- a rate: ``per_minute`` requests per ``period`` seconds (60 in production; tests scale it down), ``burst``
  tokens at most. The office's advertised limit replaces the configured one (``set_rate``), and a colour
  factor slows it down (OPS yellow/red).
- a block until an instant with a reason (OPS black + Retry-After, a fair-use refusal, our own weekly budget,
  a 429): every acquire is refused until then and says why.
- a daily cap: ``used`` out of ``daily_cap`` until ``resets_at`` (JPO, midnight Asia/Tokyo); the office's
  own remaining count corrects ``used`` (``set_used``).
- one request in flight (``concurrency=True``, USPTO ODP): a lease with an expiry, so a crashed worker cannot
  hold the key forever.

Each acquire touches the service's bucket and the office-wide bucket ``(office, "*")``; blocks that concern
the whole key (fair use, USPTO 429) live on the office-wide one.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

OFFICE_WIDE = "*"
TOKYO = ZoneInfo("Asia/Tokyo")
# Polling interval suggested to a caller that finds the one-in-flight lease taken: we cannot know when the
# holder finishes, only that it will within its lease.
LEASE_POLL = 0.05
# Keys (Redis) outlive the longest block we set (a weekly budget).
STATE_TTL_SECONDS = 8 * 24 * 3600

@dataclass(frozen=True)
class Limit:
    """The configured shape of one bucket (the office may change ``per_minute`` at run time)."""

    per_minute: float | None = None  # requests per ``period``; None: no rate limit on this bucket
    burst: float = 1.0
    period: float = 60.0
    daily_cap: int | None = None
    concurrency: bool = False  # at most one request in flight (a lease)
    lease_seconds: float = 90.0


@dataclass(frozen=True)
class Decision:
    """The answer to "may I send now?".

    ``allowed`` and ``wait == 0``: send now. ``allowed`` and ``wait > 0``: a slot was reserved for you
    (only with ``reserve_up_to``); sleep ``wait`` then send. Not ``allowed``: ask again after ``wait``
    seconds;
    ``kind`` says why ("rate", "blocked", "cap", "lease") and ``reason`` in words (for a block, the reason
    starts with the error class name the client raises, e.g. ``"RegisteredQuotaPerWeek: …"``).
    """

    allowed: bool
    wait: float
    kind: str = ""
    reason: str = ""
    office: str = ""
    service: str = ""
    at: float = 0.0  # when the storage decided, on its clock (epoch s); a reserved slot is at ``at + wait``
    lease: str | None = field(default=None, repr=False)
    lease_keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)


# --- the decision itself (Python; the Redis Lua script below is the same algorithm) -------------------------


@dataclass
class BucketState:
    rate: float | None = None  # adopted per-period limit; None → the configured one
    factor: float = 1.0
    tokens: float | None = None
    ts: float = 0.0
    blocked_until: float = 0.0
    reason: str = ""
    used: int = 0
    resets_at: float = 0.0
    lease_owner: str = ""
    lease_until: float = 0.0


def _refill(state: BucketState, limit: Limit, headroom: float, now: float) -> tuple[float | None, float]:
    """(tokens now, effective rate per period); tokens is None when the bucket has no rate."""
    rate = state.rate if state.rate is not None else limit.per_minute
    if rate is None:
        return None, 0.0
    effective = max(0.0, rate * state.factor * headroom)
    if state.tokens is None:
        return limit.burst, effective
    elapsed = max(0.0, now - state.ts)
    return min(limit.burst, state.tokens + elapsed * effective / limit.period), effective


def evaluate(
    states: list[BucketState],
    limits: list[Limit],
    *,
    now: float,
    cost: float,
    reserve_up_to: float,
    owner: str,
    next_reset: float,
    headroom: float,
) -> tuple[bool, float, str, str, list[BucketState] | None]:
    """Pure decision over several buckets: (allowed, wait, kind, reason, new states or None if refused)."""
    soft = 0.0  # waiting for tokens: a slot can be reserved
    hard = 0.0  # blocked, capped or leased: nothing to reserve
    kind = reason = ""
    new: list[BucketState] = []
    for state, limit in zip(states, limits, strict=True):
        s = BucketState(**state.__dict__)
        tokens, effective = _refill(s, limit, headroom, now)
        if s.blocked_until > now and s.blocked_until - now > hard:
            hard, kind, reason = s.blocked_until - now, "blocked", s.reason
        if limit.daily_cap is not None:
            if now >= s.resets_at:
                s.used, s.resets_at = 0, next_reset
            if s.used + cost > limit.daily_cap and s.resets_at - now > hard:
                hard, kind = s.resets_at - now, "cap"
                reason = f"daily cap of {limit.daily_cap} reached"
        if limit.concurrency and s.lease_owner and s.lease_until > now and s.lease_owner != owner:
            w = min(s.lease_until - now, LEASE_POLL)
            if w > hard:
                hard, kind, reason = w, "lease", "another request is in flight"
        if tokens is not None:
            if effective <= 0:
                # An advertised limit of 0: nothing may be sent this period.
                if limit.period > hard:
                    hard, kind, reason = limit.period, "rate", "the office allows no requests now"
            elif tokens < cost:
                w = (cost - tokens) * limit.period / effective
                if w > soft:
                    soft = w
                if s.rate is None and limit.per_minute is not None:
                    # No office has confirmed this rate yet: poll, do not queue reservations at a guess.
                    reserve_up_to = 0.0
            s.tokens = tokens - cost
            s.ts = now
        if limit.daily_cap is not None:
            s.used += int(cost)
        if limit.concurrency:
            s.lease_owner, s.lease_until = owner, now + limit.lease_seconds
        new.append(s)
    if hard > 0:
        return False, max(hard, soft), kind, reason, None
    if soft > 0 and soft > reserve_up_to:
        return False, soft, "rate", "rate limit", None
    return True, soft, "", "", new


def next_tokyo_midnight(now: float) -> float:
    local = dt.datetime.fromtimestamp(now, TOKYO)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=TOKYO)
    return midnight.timestamp()


# --- storage backends ---------------------------------------------------------------------------------------


class Store(Protocol):
    def acquire(
        self,
        keys: list[tuple[str, str]],
        limits: list[Limit],
        *,
        cost: float,
        reserve_up_to: float,
        owner: str,
        headroom: float,
    ) -> tuple[bool, float, str, str, float]: ...

    def update(self, key: tuple[str, str], fn: Callable[[BucketState, float], BucketState | None]) -> None: ...

    def release(self, keys: list[tuple[str, str]], owner: str) -> None: ...

    def read(self, key: tuple[str, str]) -> BucketState: ...


class MemoryStore:
    """One process only (tests, a single CLI run). Same algorithm, a lock instead of shared storage."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._states: dict[tuple[str, str], BucketState] = {}
        self.clock = clock

    def acquire(self, keys, limits, *, cost, reserve_up_to, owner, headroom):
        with self._lock:
            now = self.clock()
            states = [self._states.get(k, BucketState()) for k in keys]
            allowed, wait, kind, reason, new = evaluate(
                states,
                limits,
                now=now,
                cost=cost,
                reserve_up_to=reserve_up_to,
                owner=owner,
                next_reset=next_tokyo_midnight(now),
                headroom=headroom,
            )
            if new is not None:
                self._states.update(zip(keys, new, strict=True))
            return allowed, wait, kind, reason, now

    def update(self, key, fn):
        with self._lock:
            changed = fn(BucketState(**self._states.get(key, BucketState()).__dict__), self.clock())
            if changed is not None:
                self._states[key] = changed

    def release(self, keys, owner):
        with self._lock:
            for k in keys:
                s = self._states.get(k)
                if s and s.lease_owner == owner:
                    s.lease_owner, s.lease_until = "", 0.0

    def read(self, key):
        with self._lock:
            return BucketState(**self._states.get(key, BucketState()).__dict__)


class DatabaseStore:
    """``ThrottleBucket`` rows. Optimistic: read, decide, ``UPDATE … WHERE version = v`` in one transaction.

    A conditional UPDATE is atomic on PostgreSQL and SQLite alike; "0 rows" means another worker changed the
    bucket first and we decide again on its state. A refusal writes nothing (refilling is a pure function of
    time), so waiting workers do not contend with the one that sends.
    """

    MAX_ATTEMPTS = 200

    def __init__(self, clock: Callable[[], float] = time.time, using: str = "default") -> None:
        self.clock = clock
        self.using = using

    @staticmethod
    def _model():
        from patents.models import ThrottleBucket

        return ThrottleBucket

    def _rows(self, keys):
        model = self._model()
        rows = {(r.office, r.service): r for r in self._query(keys)}
        missing = [k for k in keys if k not in rows]
        if missing:
            model.objects.using(self.using).bulk_create(
                [model(office=o, service=s) for o, s in missing], ignore_conflicts=True
            )
            rows = {(r.office, r.service): r for r in self._query(keys)}
        return [rows[k] for k in keys]

    def _query(self, keys):
        from django.db.models import Q

        model = self._model()
        q = Q()
        for office, service in keys:
            q |= Q(office=office, service=service)
        return model.objects.using(self.using).filter(q)

    @staticmethod
    def _state(row) -> BucketState:
        return BucketState(
            rate=row.rate_per_minute,
            factor=row.factor,
            tokens=row.tokens,
            ts=row.refilled_at,
            blocked_until=row.blocked_until,
            reason=row.reason,
            used=row.used,
            resets_at=row.resets_at,
            lease_owner=row.lease_owner,
            lease_until=row.lease_until,
        )

    @staticmethod
    def _fields(state: BucketState) -> dict[str, Any]:
        return {
            "rate_per_minute": state.rate,
            "factor": state.factor,
            "tokens": state.tokens,
            "refilled_at": state.ts,
            "blocked_until": state.blocked_until,
            "reason": state.reason[:200],
            "used": state.used,
            "resets_at": state.resets_at,
            "lease_owner": state.lease_owner,
            "lease_until": state.lease_until,
        }

    def _write(self, rows, states) -> bool:
        from django.db import transaction
        from django.db.models import F

        model = self._model()
        with transaction.atomic(using=self.using):
            # Always in key order, so two writers of overlapping buckets cannot deadlock on PostgreSQL.
            for row, state in sorted(zip(rows, states, strict=True), key=lambda p: (p[0].office, p[0].service)):
                n = (
                    model.objects.using(self.using)
                    .filter(pk=row.pk, version=row.version)
                    .update(version=F("version") + 1, **self._fields(state))
                )
                if n != 1:
                    transaction.set_rollback(True, using=self.using)
                    return False
        return True

    def acquire(self, keys, limits, *, cost, reserve_up_to, owner, headroom):
        for _ in range(self.MAX_ATTEMPTS):
            rows = self._rows(keys)
            now = self.clock()
            allowed, wait, kind, reason, new = evaluate(
                [self._state(r) for r in rows],
                limits,
                now=now,
                cost=cost,
                reserve_up_to=reserve_up_to,
                owner=owner,
                next_reset=next_tokyo_midnight(now),
                headroom=headroom,
            )
            if new is None or self._write(rows, new):
                return allowed, wait, kind, reason, now
        # Pathological contention: tell the caller to come back rather than spin.
        return False, 0.05, "rate", "throttle storage contention", self.clock()

    def update(self, key, fn):
        for _ in range(self.MAX_ATTEMPTS):
            (row,) = self._rows([key])
            changed = fn(self._state(row), self.clock())
            if changed is None or self._write([row], [changed]):
                return
        log.warning("throttle update of %s lost to contention %d times", key, self.MAX_ATTEMPTS)

    def release(self, keys, owner):
        from django.db.models import F

        model = self._model()
        for office, service in keys:
            # Bump the version too: a signal that read the row while the lease was held must not write its
            # stale copy back over the release (that would hold the key until the lease expires).
            model.objects.using(self.using).filter(office=office, service=service, lease_owner=owner).update(
                lease_owner="", lease_until=0.0, version=F("version") + 1
            )

    def read(self, key):
        (row,) = self._rows([key])
        return self._state(row)


_ACQUIRE_LUA = """
-- The same algorithm as throttle.evaluate(), atomically, on Redis' own clock (one clock for all machines).
local cost = tonumber(ARGV[1])
local reserve = tonumber(ARGV[2])
local owner = ARGV[3]
local ttl = tonumber(ARGV[4])
local headroom = tonumber(ARGV[5])
local next_reset = tonumber(ARGV[6])
local lease_poll = tonumber(ARGV[7])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local soft, hard, kind, reason = 0.0, 0.0, '', ''
local new = {}
for i = 1, #KEYS do
  local b = 7 + (i - 1) * 6
  local conf_rate = tonumber(ARGV[b + 1])
  local burst = tonumber(ARGV[b + 2])
  local period = tonumber(ARGV[b + 3])
  local cap = tonumber(ARGV[b + 4])
  local concurrency = tonumber(ARGV[b + 5])
  local lease_s = tonumber(ARGV[b + 6])
  local h = redis.call('HMGET', KEYS[i], 'rate', 'factor', 'tokens', 'ts', 'blocked_until', 'reason',
                       'used', 'resets_at', 'lease_owner', 'lease_until')
  local w = {}
  local rate = tonumber(h[1]) or conf_rate
  local factor = tonumber(h[2]) or 1
  local blocked_until = tonumber(h[5]) or 0
  if blocked_until > now and blocked_until - now > hard then
    hard, kind, reason = blocked_until - now, 'blocked', h[6] or ''
  end
  if cap >= 0 then
    local used = tonumber(h[7]) or 0
    local resets_at = tonumber(h[8]) or 0
    if now >= resets_at then used, resets_at = 0, next_reset end
    if used + cost > cap and resets_at - now > hard then
      hard, kind, reason = resets_at - now, 'cap', 'daily cap of ' .. cap .. ' reached'
    end
    w['used'] = used + cost
    w['resets_at'] = string.format('%.6f', resets_at)
  end
  if concurrency > 0 then
    local lo = h[9] or ''
    local lu = tonumber(h[10]) or 0
    if lo ~= '' and lu > now and lo ~= owner then
      local lw = math.min(lu - now, lease_poll)
      if lw > hard then hard, kind, reason = lw, 'lease', 'another request is in flight' end
    end
    w['lease_owner'] = owner
    w['lease_until'] = string.format('%.6f', now + lease_s)
  end
  if rate >= 0 then
    local eff = rate * factor * headroom
    if eff < 0 then eff = 0 end
    local tokens = tonumber(h[3])
    if tokens == nil then
      tokens = burst
    else
      local ts = tonumber(h[4]) or now
      local elapsed = now - ts
      if elapsed < 0 then elapsed = 0 end
      tokens = math.min(burst, tokens + elapsed * eff / period)
    end
    if eff <= 0 then
      if period > hard then hard, kind, reason = period, 'rate', 'the office allows no requests now' end
    elseif tokens < cost then
      local tw = (cost - tokens) * period / eff
      if tw > soft then soft = tw end
      if tonumber(h[1]) == nil then reserve = 0 end
    end
    w['tokens'] = string.format('%.6f', tokens - cost)
    w['ts'] = string.format('%.6f', now)
  end
  new[i] = w
end
local at = string.format('%.6f', now)
if hard > 0 then
  return {0, string.format('%.6f', math.max(hard, soft)), kind, reason, at}
end
if soft > 0 and soft > reserve then
  return {0, string.format('%.6f', soft), 'rate', 'rate limit', at}
end
for i = 1, #KEYS do
  for k, v in pairs(new[i]) do redis.call('HSET', KEYS[i], k, v) end
  redis.call('EXPIRE', KEYS[i], ttl)
end
return {1, string.format('%.6f', soft), '', '', at}
"""

_RELEASE_LUA = """
for i = 1, #KEYS do
  if redis.call('HGET', KEYS[i], 'lease_owner') == ARGV[1] then
    redis.call('HSET', KEYS[i], 'lease_owner', '', 'lease_until', '0')
  end
end
return 1
"""

_STATE_FIELDS = (
    "rate",
    "factor",
    "tokens",
    "ts",
    "blocked_until",
    "reason",
    "used",
    "resets_at",
    "lease_owner",
    "lease_until",
)


class RedisStore:
    """Hashes ``<prefix>:<office>:<service>``; decisions by one Lua script, updates by WATCH/MULTI."""

    def __init__(self, url: str | None = None, *, client=None, prefix: str = "docketapp:throttle") -> None:
        import redis

        # Short socket timeouts: an unreachable Redis must fail over to the database in seconds, not hang
        # a worker slot (redis-py waits forever by default).
        self.redis = client or redis.Redis.from_url(
            url or "redis://127.0.0.1:6379/0", socket_connect_timeout=2.0, socket_timeout=5.0
        )
        self.prefix = prefix
        self._acquire = self.redis.register_script(_ACQUIRE_LUA)
        self._release = self.redis.register_script(_RELEASE_LUA)

    def key(self, k: tuple[str, str]) -> str:
        return f"{self.prefix}:{k[0]}:{k[1]}"

    def clock(self) -> float:
        sec, usec = self.redis.time()
        return sec + usec / 1e6

    def acquire(self, keys, limits, *, cost, reserve_up_to, owner, headroom):
        args: list[Any] = [
            cost,
            reserve_up_to,
            owner,
            STATE_TTL_SECONDS,
            headroom,
            f"{next_tokyo_midnight(time.time()):.6f}",
            LEASE_POLL,
        ]
        for limit in limits:
            args += [
                -1 if limit.per_minute is None else limit.per_minute,
                limit.burst,
                limit.period,
                -1 if limit.daily_cap is None else limit.daily_cap,
                1 if limit.concurrency else 0,
                limit.lease_seconds,
            ]
        allowed, wait, kind, reason, at = self._acquire(keys=[self.key(k) for k in keys], args=args)
        return bool(int(allowed)), float(wait), _text(kind), _text(reason), float(at)

    @staticmethod
    def _decode(raw: Mapping[bytes, bytes]) -> BucketState:
        d = {_text(k): _text(v) for k, v in raw.items()}

        def num(name: str, default: float | None) -> float | None:
            v = d.get(name)
            return float(v) if v else default  # absent or empty: the default

        return BucketState(
            rate=num("rate", None),
            factor=num("factor", 1.0) or 0.0,
            tokens=num("tokens", None),
            ts=num("ts", 0.0) or 0.0,
            blocked_until=num("blocked_until", 0.0) or 0.0,
            reason=d.get("reason", ""),
            used=int(num("used", 0) or 0),
            resets_at=num("resets_at", 0.0) or 0.0,
            lease_owner=d.get("lease_owner", ""),
            lease_until=num("lease_until", 0.0) or 0.0,
        )

    def update(self, key, fn):
        import redis

        name = self.key(key)
        with self.redis.pipeline() as pipe:
            for _ in range(100):
                try:
                    pipe.watch(name)
                    state = self._decode(pipe.hgetall(name))
                    sec, usec = pipe.time()
                    changed = fn(state, sec + usec / 1e6)
                    if changed is None:
                        pipe.unwatch()
                        return
                    mapping = {
                        f: (
                            ""
                            if getattr(changed, f) is None
                            else repr(getattr(changed, f))
                            if isinstance(getattr(changed, f), float)
                            else str(getattr(changed, f))
                        )
                        for f in _STATE_FIELDS
                    }
                    pipe.multi()
                    pipe.hset(name, mapping=mapping)
                    # An absent rate/tokens means "configured default" / "full": store it as absent.
                    for f in ("rate", "tokens"):
                        if getattr(changed, f) is None:
                            pipe.hdel(name, f)
                    pipe.expire(name, STATE_TTL_SECONDS)
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue
        log.warning("throttle update of %s lost to contention", key)

    def release(self, keys, owner):
        self._release(keys=[self.key(k) for k in keys], args=[owner])

    def read(self, key):
        return self._decode(self.redis.hgetall(self.key(key)))


class FallbackStore:
    """Redis first; while Redis is unreachable, the database store (same algorithm, same limits).

    A throttle outage must not stop the sync (tasks failed with a traceback and runs stayed "running"
    forever): decisions move to the database table, Redis is tried again after ``retry_after`` seconds.
    During the switch the two stores count separately, so for a moment the offices may see up to twice
    our rate from two workers on different stores; the offices' own signals (OPS colours, 429, JPO 303)
    still slow us down. ``degraded`` says what happened, for the SyncRun and the sync page.
    """

    def __init__(self, primary: Store, fallback: Store, *, retry_after: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.primary = primary
        self.fallback = fallback
        self.retry_after = retry_after
        self._clock = clock
        self._down_until = 0.0
        self.degraded: str = ""  # last failover reason ("" while Redis has always answered)

    def _call(self, name: str, *args, **kwargs):
        import redis

        if self._clock() >= self._down_until:
            try:
                return getattr(self.primary, name)(*args, **kwargs)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                self._down_until = self._clock() + self.retry_after
                self.degraded = f"throttle Redis unreachable ({type(exc).__name__}: {str(exc)[:200]}); " \
                    "used the database throttle"
                log.warning("%s", self.degraded)
        return getattr(self.fallback, name)(*args, **kwargs)

    def take_degraded(self) -> str:
        """The failover reason since the last call ("" if none), for the caller to record once."""
        reason, self.degraded = self.degraded, ""
        return reason

    def acquire(self, keys, limits, *, cost, reserve_up_to, owner, headroom):
        return self._call("acquire", keys, limits, cost=cost, reserve_up_to=reserve_up_to, owner=owner,
                          headroom=headroom)

    def update(self, key, fn):
        return self._call("update", key, fn)

    def release(self, keys, owner):
        return self._call("release", keys, owner)

    def read(self, key):
        return self._call("read", key)


def _text(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


# --- the throttle -------------------------------------------------------------------------------------------


def default_limits(*, lease_seconds: float = 90.0, settings: Any = None) -> dict[tuple[str, str], Limit]:
    """Every office's configured buckets, from its package (``patents/offices/<code>``); with ``settings``,
    the offices' overrides from settings (JPO_DAILY_CAPS) apply."""
    from patents.offices import throttle_limits

    limits = throttle_limits(lease_seconds=lease_seconds, settings=settings)
    return {key: limit for key, limit in limits.items() if isinstance(limit, Limit)}


class Throttle:
    """Decisions and signals for every office, over one ``Store``.

    ``limits`` maps (office, service) to its configured ``Limit``; a bucket without an entry has no rate
    (it can still be blocked). ``headroom`` scales every rate (1.0: the margins are in the limits and in
    the OPS colour factors).
    """

    def __init__(
        self,
        store: Store,
        limits: Mapping[tuple[str, str], Limit] | None = None,
        *,
        headroom: float = 1.0,
    ) -> None:
        self.store = store
        self.limits = dict(default_limits() if limits is None else limits)
        self.headroom = headroom

    def limit(self, office: str, service: str) -> Limit:
        return self.limits.get((office, service), Limit())

    def _keys(self, office: str, service: str) -> list[tuple[str, str]]:
        keys = [(office, service)]
        if service != OFFICE_WIDE:
            keys.append((office, OFFICE_WIDE))
        return keys

    # decisions

    def acquire(self, office: str, service: str, *, cost: float = 1, reserve_up_to: float = 0.0) -> Decision:
        keys = self._keys(office, service)
        limits = [self.limit(*k) for k in keys]
        owner = uuid.uuid4().hex if any(lim.concurrency for lim in limits) else ""
        allowed, wait, kind, reason, at = self.store.acquire(
            keys, limits, cost=cost, reserve_up_to=reserve_up_to, owner=owner, headroom=self.headroom
        )
        lease_keys = tuple(k for k, lim in zip(keys, limits, strict=True) if lim.concurrency)
        return Decision(
            allowed=allowed,
            wait=max(0.0, wait),
            at=at,
            kind=kind,
            reason=reason,
            office=office,
            service=service,
            lease=owner if allowed and lease_keys else None,
            lease_keys=lease_keys if allowed else (),
        )

    def release(self, decision: Decision) -> None:
        if decision.lease and decision.lease_keys:
            self.store.release(list(decision.lease_keys), decision.lease)

    def acquire_blocking(
        self,
        office: str,
        service: str,
        *,
        timeout: float | None = None,
        cost: float = 1,
        max_reservation: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Decision:
        """Wait (sleeping) until a request may be sent, at most ``timeout`` s; returns the last decision.

        It reserves the next slot when it is near (``max_reservation``), so waiting workers queue up instead
        of all waking at the same instant and racing for one token.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = math.inf if deadline is None else deadline - time.monotonic()
            decision = self.acquire(office, service, cost=cost, reserve_up_to=min(max_reservation, max(0.0, remaining)))
            if decision.allowed:
                if decision.wait > 0:
                    sleep(decision.wait)
                return decision
            if decision.wait > remaining:
                return decision
            sleep(decision.wait)

    # signals from the offices

    def set_rate(
        self, office: str, service: str, *, per_minute: float | None = None, factor: float | None = None
    ) -> None:
        """Adopt the office's advertised limit and/or a slow-down factor; tokens earned so far are kept."""
        limit = self.limit(office, service)
        headroom = self.headroom

        def change(s: BucketState, now: float) -> BucketState | None:
            new_rate = s.rate if per_minute is None else float(per_minute)
            new_factor = s.factor if factor is None else float(factor)
            if new_rate == s.rate and new_factor == s.factor:
                return None
            if limit.per_minute is not None or s.rate is not None:
                s.tokens, _ = _refill(s, limit, headroom, now)
                s.ts = now
            s.rate, s.factor = new_rate, new_factor
            return s

        self.store.update((office, service), change)

    def block(self, office: str, service: str, *, seconds: float, reason: str) -> None:
        """Refuse every request to (office, service) for ``seconds`` (extends, never shortens, a block)."""

        def change(s: BucketState, now: float) -> BucketState | None:
            until = now + max(0.0, seconds)
            if until <= s.blocked_until:
                return None
            s.blocked_until, s.reason = until, reason
            return s

        log.info("throttle: %s/%s blocked for %.1fs: %s", office, service, seconds, reason)
        self.store.update((office, service), change)

    def set_used(self, office: str, service: str, *, used: int) -> None:
        """Correct a daily counter with the office's own figure (JPO remainAccessCount)."""
        limit = self.limit(office, service)

        def change(s: BucketState, now: float) -> BucketState | None:
            new_day = now >= s.resets_at
            corrected = max(0, min(int(used), (limit.daily_cap or used)))
            if not new_day and s.used == corrected:
                return None
            if new_day:
                # Write the new day's reset with the count, or the next acquire zeroes the office's figure.
                s.resets_at = next_tokyo_midnight(now)
            s.used = corrected
            return s

        self.store.update((office, service), change)

    def drain(self, office: str, service: str, *, remaining: float) -> None:
        """The office says only ``remaining`` requests are left in its window: hold no more tokens."""

        limit = self.limit(office, service)
        headroom = self.headroom

        def change(s: BucketState, now: float) -> BucketState | None:
            tokens, _ = _refill(s, limit, headroom, now)
            if tokens is None or tokens <= remaining:
                return None
            s.tokens, s.ts = float(remaining), now
            return s

        self.store.update((office, service), change)

    def state(self, office: str, service: str) -> BucketState:
        return self.store.read((office, service))


_default: Throttle | None = None
_default_lock = threading.Lock()


def build_throttle(backend: str | None = None) -> Throttle:
    from django.conf import settings

    backend = backend or settings.THROTTLE_BACKEND
    timeout = float(settings.OFFICE_HTTP_TIMEOUT)
    limits = default_limits(lease_seconds=timeout + 10.0, settings=settings)
    if backend == "redis":
        if not settings.REDIS_URL:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("THROTTLE_BACKEND=redis needs REDIS_URL")
        store: Store = FallbackStore(RedisStore(settings.REDIS_URL), DatabaseStore())
    elif backend == "database":
        store = DatabaseStore()
    elif backend == "memory":
        store = MemoryStore()
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"unknown THROTTLE_BACKEND {backend!r} (redis, database or memory)")
    return Throttle(store, limits)


def get_throttle() -> Throttle:
    """The process-wide throttle built from settings (its state lives in Redis or the database)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = build_throttle()
        return _default
