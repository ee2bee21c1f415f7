"""What every office client shares: the response object, one session, timeouts, throttling, a short cache.

Each call returns an ``OfficeResponse`` holding the raw body bytes exactly as received: the sync layer
stores raw payloads (and their SHA-256) before parsing, so nothing here decodes and re-encodes a body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import requests
from requests.structures import CaseInsensitiveDict

from patents.clients.errors import (
    BadResponse,
    DailyCapReached,
    IndividualQuotaPerHour,
    OfficeError,
    QuotaError,
    RateLimited,
    RegisteredQuotaPerWeek,
    ThrottledError,
    ThrottlingControlQuota,
    TransientError,
)
from patents.clients.throttle import Decision, Throttle

log = logging.getLogger(__name__)

USER_AGENT = "docketapp (+https://github.com/docketapp/docketapp)"


@dataclass(frozen=True)
class OfficeResponse:
    """One answer from an office, as received. ``request_key`` identifies the request without credentials."""

    office: str
    endpoint: str  # logical endpoint, e.g. "register/biblio", "applications/transactions"
    service: str  # throttle service it was counted against
    method: str
    url: str  # without credentials (none of our offices puts them in the URL)
    request_key: str
    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    from_cache: bool = False
    elapsed: float = 0.0  # seconds the office took

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadResponse(
                f"{self.endpoint}: body is not JSON ({exc})",
                office=self.office,
                status=self.status,
                response=self,
            )


def make_request_key(
    method: str,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    range_: str | None = None,
    body: bytes | None = None,
) -> str:
    """``GET https://…/biblio?q=…`` (+ `` Range=1-25``, + a digest of a POST body). Never credentials."""
    full = url + (
        "?" + urlencode(sorted((k, str(v)) for k, v in params.items() if v is not None), doseq=True) if params else ""
    )
    key = f"{method.upper()} {full}"
    if range_:
        key += f" Range={range_}"
    if body:
        key += f" body-sha256={hashlib.sha256(body).hexdigest()[:16]}"
    return key


class ResponseCache:
    """A small in-process TTL cache of 200/404 answers, keyed by request key (URL + Range [+ body digest]).

    It can never hide a status change for longer than its TTL: an entry is served only while younger than
    the TTL (measured on the monotonic clock, so a wall-clock jump cannot extend it), only 200 and 404 are
    stored (an error, a 403 or a 5xx always goes to the office), and a fresh answer replaces the old one.
    """

    def __init__(self, ttl: float = 60.0, *, max_entries: int = 512, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, OfficeResponse]] = OrderedDict()

    def get(self, key: str, ttl: float | None = None) -> OfficeResponse | None:
        ttl = self.ttl if ttl is None else ttl
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            stored_at, response = hit
            if self.clock() - stored_at >= ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        return replace(response, from_cache=True)

    def put(self, response: OfficeResponse) -> None:
        if response.status not in (200, 404):
            self.invalidate(response.request_key)
            return
        with self._lock:
            self._entries[response.request_key] = (self.clock(), response)
            self._entries.move_to_end(response.request_key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


_BLOCK_ERRORS: dict[str, type[QuotaError]] = {
    "IndividualQuotaPerHour": IndividualQuotaPerHour,
    "RegisteredQuotaPerWeek": RegisteredQuotaPerWeek,
    "ThrottlingControlQuota": ThrottlingControlQuota,
    "RateLimited": RateLimited,
    "DailyCapReached": DailyCapReached,
}


class BaseClient:
    """One ``requests.Session`` per client, explicit (connect, read) timeouts, the shared throttle.

    ``max_wait``: how long a call may sleep for the throttle. 0 (the default, for Celery tasks) never
    sleeps: a refusal raises ``ThrottledError``/a ``QuotaError`` with ``retry_after``, so the task can
    ``retry(countdown=…)`` and give its worker slot back. The CLI and benchmarks pass a positive value.
    """

    office = ""

    def __init__(
        self,
        *,
        base_url: str,
        throttle: Throttle | None = None,
        timeout: float | tuple[float, float] | None = None,
        max_wait: float = 0.0,
        cache: ResponseCache | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from django.conf import settings

        self.base_url = base_url.rstrip("/")
        if throttle is None:
            from patents.clients.throttle import get_throttle

            throttle = get_throttle()
        self.throttle = throttle
        if timeout is None:
            timeout = float(settings.OFFICE_HTTP_TIMEOUT)
        # A short connect timeout: a dead host should fail fast; the read timeout is the office's slowness.
        self.timeout = timeout if isinstance(timeout, tuple) else (min(5.0, timeout), timeout)
        self.max_wait = max_wait
        self.cache = cache
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.sleep = sleep

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # throttle

    def _acquire(self, service: str) -> Decision:
        # A slot may be reserved as far ahead as the whole wait we accept (0 for a task: never sleeps).
        decision = self.throttle.acquire_blocking(
            self.office, service, timeout=self.max_wait, max_reservation=self.max_wait, sleep=self.sleep
        )
        if not decision.allowed:
            raise self._refusal(decision)
        return decision

    def _refusal(self, decision: Decision) -> OfficeError:
        name = decision.reason.split(":", 1)[0].strip()
        if decision.kind == "blocked" and name in _BLOCK_ERRORS:
            return _BLOCK_ERRORS[name](
                f"{decision.reason} (refused by our throttle before sending)",
                office=self.office,
                retry_after=decision.wait,
                code=name,
            )
        if decision.kind == "cap":
            return DailyCapReached(
                f"{decision.service}: {decision.reason}; it resets at midnight Asia/Tokyo (refused by our "
                "throttle before sending)",
                office=self.office,
                retry_after=decision.wait,
                code="cap",
            )
        return ThrottledError(
            f"{decision.service}: {decision.reason or 'rate limit'} (refused by our throttle before sending)",
            office=self.office,
            retry_after=decision.wait,
            code=decision.kind,
        )

    # HTTP

    def _send(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        service: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: bytes | str | Mapping[str, Any] | None = None,
        json_body: Any = None,
        range_: str | None = None,
        cache_ttl: float | None = None,
        auth: Any = None,
    ) -> OfficeResponse:
        """Throttle, send once, wrap. Status mapping is the subclass's job (``_check``)."""
        body_bytes: bytes | None = None
        send_headers_form = False
        if json_body is not None:
            body_bytes = json.dumps(json_body, separators=(",", ":"), sort_keys=True).encode()
        elif isinstance(data, str):
            body_bytes = data.encode()
        elif isinstance(data, bytes):
            body_bytes = data
        elif data is not None:
            body_bytes = urlencode(data).encode()
            send_headers_form = True
        key = make_request_key(method, url, params, range_=range_, body=body_bytes)
        if self.cache is not None and cache_ttl:
            hit = self.cache.get(key, cache_ttl)
            if hit is not None:
                return hit
        send_headers = dict(headers or {})
        if range_:
            send_headers["Range"] = range_
        if json_body is not None:
            send_headers.setdefault("Content-Type", "application/json")
        elif send_headers_form:
            send_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        decision = self._acquire(service)
        started = time.monotonic()
        try:
            raw = self.session.request(
                method,
                url,
                params=params,
                data=body_bytes,
                headers=send_headers,
                timeout=self.timeout,
                auth=auth,
            )
            # Reading the body is where a truncated answer shows up (ChunkedEncodingError / IncompleteRead).
            content = raw.content
        except requests.Timeout as exc:
            raise TransientError(f"{endpoint}: timed out ({exc.__class__.__name__})", office=self.office) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise TransientError(
                f"{endpoint}: connection failed or answer cut short ({exc.__class__.__name__})",
                office=self.office,
            ) from None
        except requests.RequestException as exc:
            raise TransientError(f"{endpoint}: {exc.__class__.__name__}", office=self.office) from None
        finally:
            self.throttle.release(decision)
        response = OfficeResponse(
            office=self.office,
            endpoint=endpoint,
            service=service,
            method=method.upper(),
            url=url,
            request_key=key,
            status=raw.status_code,
            headers=CaseInsensitiveDict(raw.headers),
            body=content,
            elapsed=time.monotonic() - started,
        )
        if self.cache is not None and cache_ttl:
            self.cache.put(response)
        return response


def retry_after_seconds(headers: Mapping[str, str], *, default: float | None = None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date)."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        if when.tzinfo is None:  # "-0000": no zone given; HTTP dates are UTC
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
