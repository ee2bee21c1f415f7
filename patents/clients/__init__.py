"""Office clients: EPO OPS, USPTO ODP, JPO, Lens — on one shared throttle, with typed errors.

``get_client(office)`` picks the real office when its credentials are configured (environment → settings),
else the office simulator at ``OFFICE_SIMULATOR_URL`` with the simulator's demo credentials, else raises
``ConfigurationError`` saying which variables to set. Offices: "EP" (EPO OPS), "US" (USPTO ODP), "JP" (JPO),
"LENS"; the names "epo", "ops", "uspto", "odp", "jpo" are accepted too.
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

ALIASES = {
    "EP": "epo",
    "EPO": "epo",
    "OPS": "epo",
    "WO": "epo",
    "US": "uspto",
    "USPTO": "uspto",
    "ODP": "uspto",
    "JP": "jpo",
    "JPO": "jpo",
    "LENS": "lens",
}


def office_key(office: str) -> str:
    key = ALIASES.get((office or "").strip().upper())
    if key is None:
        raise ConfigurationError(f"no client for office {office!r}; known: EP, US, JP, LENS")
    return key


def get_client(office: str, **kwargs: Any):
    """A ready client for ``office``. Keyword arguments (max_wait, throttle, cache…) pass through."""
    from django.conf import settings

    key = office_key(office)
    sim = (settings.OFFICE_SIMULATOR_URL or "").rstrip("/")
    if key == "epo":
        from patents.clients.epo import EpoOpsClient

        kwargs.setdefault("weekly_quota_bytes", settings.OPS_WEEKLY_QUOTA_BYTES)
        if settings.OPS_KEY and settings.OPS_SECRET:
            return EpoOpsClient(
                key=settings.OPS_KEY, secret=settings.OPS_SECRET, base_url=settings.OPS_BASE_URL, **kwargs
            )
        if sim:
            from patents.simulator import config as demo

            return EpoOpsClient(key=demo.OPS_KEY, secret=demo.OPS_SECRET, base_url=f"{sim}/3.2", **kwargs)
        missing = "OPS_KEY and OPS_SECRET"
    elif key == "uspto":
        from patents.clients.uspto import UsptoOdpClient

        if settings.USPTO_ODP_API_KEY:
            return UsptoOdpClient(api_key=settings.USPTO_ODP_API_KEY, base_url=settings.USPTO_ODP_BASE_URL, **kwargs)
        if sim:
            from patents.simulator import config as demo

            return UsptoOdpClient(api_key=demo.ODP_API_KEY, base_url=sim, **kwargs)
        missing = "USPTO_ODP_API_KEY"
    elif key == "jpo":
        from patents.clients.jpo import JpoClient

        if settings.JPO_USERNAME and settings.JPO_PASSWORD:
            return JpoClient(
                username=settings.JPO_USERNAME,
                password=settings.JPO_PASSWORD,
                base_url=settings.JPO_BASE_URL,
                **kwargs,
            )
        if sim:
            from patents.simulator import config as demo

            return JpoClient(username=demo.JPO_USERNAME, password=demo.JPO_PASSWORD, base_url=sim, **kwargs)
        missing = "JPO_USERNAME and JPO_PASSWORD"
    else:
        from patents.clients.lens import LensClient

        if settings.LENS_TOKEN:
            return LensClient(token=settings.LENS_TOKEN, base_url=settings.LENS_BASE_URL, **kwargs)
        if sim:
            from patents.simulator import config as demo

            return LensClient(token=demo.LENS_TOKEN, base_url=sim, **kwargs)
        missing = "LENS_TOKEN"
    raise ConfigurationError(
        f"no credentials for {key.upper()}: set {missing} for the real office, or OFFICE_SIMULATOR_URL "
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
