"""Request/response values shared by the office handlers, and small rate-limit primitives."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str  # percent-decoded path, without the query string
    raw_path: str  # as sent, with the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    received_at: float = field(default_factory=time.monotonic)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json(self):
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Fault injection hooks: send only the first ``truncate_at`` bytes while promising the full length
    truncate_at: int | None = None
    delay: float = 0.0

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


def http_date(ts: float | None = None) -> str:
    return formatdate(ts, usegmt=True)


def json_response(
    status: int, payload, headers: list[tuple[str, str]] | None = None, indent: int | None = None
) -> Response:
    body = json.dumps(payload, ensure_ascii=False, indent=indent).encode("utf-8")
    return Response(status, body, [("Content-Type", "application/json"), *(headers or [])])


class SlidingWindow:
    """Timestamps (and optional weights) inside the last ``seconds``; thread-safe via the caller's lock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.items: deque[tuple[float, int]] = deque()
        self.total = 0

    def prune(self, now: float) -> None:
        while self.items and self.items[0][0] <= now - self.seconds:
            _, w = self.items.popleft()
            self.total -= w

    def count(self, now: float) -> int:
        self.prune(now)
        return len(self.items)

    def weight(self, now: float) -> int:
        self.prune(now)
        return self.total

    def add(self, now: float, weight: int = 1) -> None:
        self.items.append((now, weight))
        self.total += weight

    def free_in(self, now: float) -> float:
        """Seconds until the oldest entry leaves the window."""
        self.prune(now)
        if not self.items:
            return 0.0
        return max(0.0, self.items[0][0] + self.seconds - now)


class ConcurrencyGate:
    """Counts requests in flight per key (ODP: one per API key; JPO: per user)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inflight: dict[str, int] = {}

    def enter(self, key: str, allowed: int) -> bool:
        with self._lock:
            n = self._inflight.get(key, 0)
            if n >= allowed:
                return False
            self._inflight[key] = n + 1
            return True

    def leave(self, key: str) -> None:
        with self._lock:
            self._inflight[key] = max(0, self._inflight.get(key, 0) - 1)
