"""Office clients: EPO OPS, USPTO ODP, JPO, Lens — on one shared throttle, with typed errors.

``get_client(office)`` picks the real office when its credentials are configured (environment → settings),
else the office simulator at ``OFFICE_SIMULATOR_URL`` with the simulator's demo credentials, else raises
``ConfigurationError`` saying which variables to set. The offices and the other names they go by are
the registry's (``patents.offices``); each office's package builds its own client.
"""

from __future__ import annotations

from typing import Any

from patents.clients.base import OfficeResponse, ResponseCache
from patents.clients.errors import (
    AuthError,
    BadResponse,
    ConfigurationError,
    DailyCapReached,
    IndividualQuotaPerHour,
    NotFound,
    OfficeError,
    QuotaError,
    RateLimited,
    RegisteredQuotaPerWeek,
    ThrottledError,
    ThrottlingControlQuota,
    TooLarge,
    TransientError,
)


def office_key(office: str) -> str:
    """The service answering for ``office`` ("EP", "WO", "EPO", "OPS" → "epo"), or ConfigurationError."""
    from patents.offices import OFFICES, UnknownOffice, get_office

    try:
        return get_office(office).service
    except UnknownOffice:
        # One name per service (WO is answered by EP's OPS client).
        services: dict[str, str] = {}
        for known in OFFICES:
            if known.make_client is not None:
                services.setdefault(known.service, known.code)
        raise ConfigurationError(f"no client for office {office!r}; known: {', '.join(services.values())}") from None


def get_client(office: str, **kwargs: Any) -> Any:
    """A ready client for ``office``. Keyword arguments (max_wait, throttle, cache…) pass through."""
    from django.conf import settings

    from patents.offices import get_office

    key = office_key(office)
    known = get_office(office)
    sim = (settings.OFFICE_SIMULATOR_URL or "").rstrip("/")
    client = known.make_client(settings, sim, **kwargs) if known.make_client is not None else None
    if client is not None:
        return client
    raise ConfigurationError(
        f"no credentials for {key.upper()}: set {known.credentials} for the real office, or OFFICE_SIMULATOR_URL "
        "to use the office simulator (python manage.py office_simulator)",
        office=key,
    )


__all__ = [
    "AuthError",
    "BadResponse",
    "ConfigurationError",
    "DailyCapReached",
    "IndividualQuotaPerHour",
    "NotFound",
    "OfficeError",
    "OfficeResponse",
    "QuotaError",
    "RateLimited",
    "RegisteredQuotaPerWeek",
    "ResponseCache",
    "ThrottledError",
    "ThrottlingControlQuota",
    "TooLarge",
    "TransientError",
    "get_client",
    "office_key",
]
