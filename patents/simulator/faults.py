"""Deterministic fault decisions: the same seed and request sequence inject the same faults.

A request's fate is a hash of (seed, office, path, n) where n counts earlier requests to the same path,
so a test that replays a sequence sees the same faults at the same places, regardless of timing.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter

from patents.simulator.config import Faults


def _unit(*parts: object) -> float:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


# ODP API keys and Lens tokens do not expire, so an "expired token" fault has no counterpart there.
NOT_APPLICABLE = {"odp": {"expired_token"}, "lens": {"expired_token"}}


class FaultPlan:
    def __init__(self, seed: int, faults: Faults) -> None:
        self.seed = seed
        self.faults = faults
        self._lock = threading.Lock()
        self._per_path: Counter[str] = Counter()

    def reset(self) -> None:
        with self._lock:
            self._per_path.clear()

    def decide(self, office: str, path: str) -> str | None:
        """Return the fault kind to inject into this request, or None."""
        with self._lock:
            self._per_path[path] += 1
            n = self._per_path[path]
        rate = self.faults.rate
        if rate <= 0 or _unit(self.seed, office, path, n, "rate") >= rate:
            return None
        skip = NOT_APPLICABLE.get(office, set())
        mix = {k: w for k, w in self.faults.mix.items() if w > 0 and k not in skip}
        if not mix:
            return None
        pick = _unit(self.seed, office, path, n, "kind") * sum(mix.values())
        for kind, weight in sorted(mix.items()):
            pick -= weight
            if pick < 0:
                return kind
        return sorted(mix)[-1]
