"""Simulator configuration: limits (what each office enforces), faults and credentials."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

# Credentials the simulator accepts. Anything else gets the office's own authentication error.
OPS_KEY = "sim-ops-key"
OPS_SECRET = "sim-ops-secret"
ODP_API_KEY = "sim-odp-key"
JPO_USERNAME = "sim-jpo-user"
JPO_PASSWORD = "sim-jpo-password"
LENS_TOKEN = "sim-lens-token"

OPS_SERVICES = ("images", "inpadoc", "other", "retrieval", "search")

# JPO per-endpoint daily caps (per ID). The issue quotes 400 for app_progress; the others are inferred
# from the remainAccessCount values in real responses (see office-samples/jpo) and are configurable.
JPO_DAILY_DEFAULTS = {
    "app_progress": 400,
    "app_progress_simple": 800,
    "registration_info": 400,
    "priority_right_app_info": 60,
    "divisional_app_info": 60,
    "case_number_reference": 100,
}


@dataclass
class Limits:
    """What the offices enforce. Parse overrides with ``Limits.parse("retrieval=60,search=10,...")``.

    OPS per-minute limits are the idle figures of the X-Throttling-Control header; in the "busy" system
    state they are multiplied by ``ops_busy_factor`` and in "overloaded" by ``ops_overloaded_factor``
    (real OPS showed retrieval 200 → 100 and search 30 → 15 when busy).
    """

    images: int = 200
    inpadoc: int = 60
    other: int = 1000
    retrieval: int = 200
    search: int = 30
    ops_busy_factor: float = 0.5
    ops_overloaded_factor: float = 0.25
    ops_hourly_bytes: int = 450_000_000
    ops_weekly_bytes: int = 4_000_000_000
    ops_token_lifetime: int = 1199
    ops_retry_after_floor_ms: int = 1000
    odp_concurrency: int = 1
    odp_retry_after: int = 5
    odp_max_limit: int = 100
    jpo_per_minute: int = 10
    jpo_concurrency: int = 1
    jpo_access_lifetime: int = 3600
    jpo_refresh_lifetime: int = 28800
    jpo_daily: dict[str, int] = field(default_factory=lambda: dict(JPO_DAILY_DEFAULTS))
    lens_per_minute: int = 50
    lens_max_window: int = 10000
    lens_scroll_ttl: int = 60

    def ops_limit(self, service: str) -> int:
        return int(getattr(self, service))

    @classmethod
    def parse(cls, text: str | None, base: Limits | None = None) -> Limits:
        """``"retrieval=60,inpadoc=30,search=10,jpo_per_minute=5,jpo.app_progress=20"`` → Limits."""
        limits = base or cls()
        if not text:
            return limits
        types = {f.name: f.type for f in fields(cls)}
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            name, _, value = part.partition("=")
            name = name.strip().replace("-", "_")
            if name.startswith("jpo.") or name.startswith("jpo_daily."):
                endpoint = name.split(".", 1)[1]
                if endpoint not in JPO_DAILY_DEFAULTS:
                    raise ValueError(f"unknown JPO endpoint in --limits: {endpoint!r}")
                limits.jpo_daily[endpoint] = int(value)
                continue
            if name not in types or name == "jpo_daily":
                raise ValueError(f"unknown limit {name!r}; known: {', '.join(sorted(types))}")
            current = getattr(limits, name)
            setattr(limits, name, float(value) if isinstance(current, float) else int(value))
        return limits


FAULT_KINDS = (
    "server_error",  # 500/502/504 with the office's error body
    "overloaded",  # 503 (OPS: system overloaded)
    "slow",  # the right answer, but only after ``slow_seconds`` (past a client's timeout)
    "truncated",  # Content-Length promises more than is sent; the connection closes mid-body
    "malformed",  # HTTP 200 with a body that is not valid XML/JSON
    "expired_token",  # OPS 400 invalid_access_token, JPO 210; the token is revoked (not ODP/Lens: keys)
    "throttle",  # OPS black 403 ThrottlingControlQuota, ODP/Lens 429, JPO 303
    "quota",  # OPS 403 IndividualQuotaPerHour, JPO 203, ODP/Lens 429
)


@dataclass
class Faults:
    rate: float = 0.0
    mix: dict[str, float] = field(default_factory=lambda: {k: 1.0 for k in FAULT_KINDS})
    slow_seconds: float = 3.0

    @classmethod
    def parse_mix(cls, text: str | None) -> dict[str, float]:
        """``"server_error=2,slow=1"`` (weights) or ``"server_error,truncated"`` (equal weights)."""
        if not text:
            return {k: 1.0 for k in FAULT_KINDS}
        mix: dict[str, float] = {}
        for part in text.split(","):
            name, _, weight = part.strip().partition("=")
            if name not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {name!r}; known: {', '.join(FAULT_KINDS)}")
            mix[name] = float(weight) if weight else 1.0
        return mix

    @classmethod
    def coerce_mix(cls, value: dict[str, float] | str | None) -> dict[str, float]:
        """A mix given as text (see ``parse_mix``) or as a mapping of weights; unknown kinds are refused."""
        if value is None or isinstance(value, str):
            return cls.parse_mix(value)
        mix = {k: float(v) for k, v in value.items()}
        unknown = set(mix) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}; known: {', '.join(FAULT_KINDS)}")
        return mix


@dataclass
class SimulatorConfig:
    seed: int = 1
    matters: int = 200
    today: date | None = None
    limits: Limits = field(default_factory=Limits)
    faults: Faults = field(default_factory=Faults)
    ops_system_state: str = "idle"  # idle | busy | overloaded | auto (follows total load)
    # How long an ODP / JPO request holds its concurrency slot; tests set > 0 to make requests overlap.
    odp_processing_seconds: float = 0.0
    jpo_processing_seconds: float = 0.0
