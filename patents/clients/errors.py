"""Typed errors of the office clients. Each says whether a retry can help and, when it can, from when.

A sync task maps them mechanically: ``retryable`` → ``task.retry(countdown=error.retry_after or default)``;
not retryable → record the failure (``NotFound`` is "the office has no data for this number", which the sync
records as such, not as a failure). ``response`` is the office's answer when there was one, so the raw
body of an error can still be kept as a payload.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patents.clients.base import OfficeResponse


class OfficeError(Exception):
    """Base class. ``retry_after`` (seconds) and ``retry_at`` (aware UTC) are two views of one instant."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        office: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        retry_at: dt.datetime | None = None,
        response: OfficeResponse | None = None,
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.office = office
        self.status = status
        self.response = response
        self.code = code
        now = dt.datetime.now(dt.UTC)
        if retry_at is None and retry_after is not None:
            retry_at = now + dt.timedelta(seconds=max(0.0, retry_after))
        if retry_after is None and retry_at is not None:
            retry_after = max(0.0, (retry_at - now).total_seconds())
        self.retry_after = retry_after
        self.retry_at = retry_at

    def __str__(self) -> str:
        parts = [f"{self.office}: " if self.office else "", self.message]
        if self.status is not None:
            parts.append(f" (HTTP {self.status})")
        if self.retry_at is not None and self.retryable:
            parts.append(f"; retry after {self.retry_at.isoformat(timespec='seconds')}")
        return "".join(parts)


class TransientError(OfficeError):
    """5xx, a timeout, a refused or reset connection, OPS 503 overloaded, JPO 303: try again shortly."""

    retryable = True


class ThrottledError(TransientError):
    """Our own shared throttle said "not now": nothing was sent. ``retry_after`` is how long to wait."""


class QuotaError(OfficeError):
    """The office (or our budget of its quota) refuses until ``retry_at``; retrying earlier is pointless."""

    retryable = True


class IndividualQuotaPerHour(QuotaError):
    """OPS fair use: the hourly byte quota of this key is used up (403, X-Rejection-Reason)."""


class RegisteredQuotaPerWeek(QuotaError):
    """OPS fair use: the weekly byte quota (or our configured budget of it) is used up."""


class ThrottlingControlQuota(QuotaError):
    """OPS traffic light black: the service is blocked for this key until Retry-After."""


class RateLimited(QuotaError):
    """HTTP 429 from USPTO ODP or Lens: too many requests; wait at least ``retry_after``."""


class DailyCapReached(QuotaError):
    """A per-day access cap (JPO statusCode 203, or our own count of it) is reached until the reset."""


class AuthError(OfficeError):
    """Credentials rejected (or a token that stays invalid after one renewal). Needs a human."""


class NotFound(OfficeError):
    """The office has no data for this request (OPS EntityNotFound, ODP 404, JPO 107): not a failure."""


class BadResponse(OfficeError):
    """An answer we cannot use: unexpected status, malformed or truncated body, a rejected request."""


class TooLarge(BadResponse):
    """The answer would be too large (USPTO ODP 413): ask for a smaller page."""


class ConfigurationError(OfficeError):
    """No credentials and no simulator configured, or an unknown office."""


__all__ = [
    "AuthError",
    "BadResponse",
    "ConfigurationError",
    "DailyCapReached",
    "IndividualQuotaPerHour",
    "NotFound",
    "OfficeError",
    "QuotaError",
    "RateLimited",
    "RegisteredQuotaPerWeek",
    "ThrottledError",
    "ThrottlingControlQuota",
    "TooLarge",
    "TransientError",
]
