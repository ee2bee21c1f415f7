"""LENS: Lens.org patent search, used by discovery to find a client's filings (never synced, never docketed).

Its search pages are kept as evidence (payload kind ``lens-search``); nothing applies them to the docket.
"""

from __future__ import annotations

from typing import Any

from patents.offices.base import Office

SEARCH = "lens-search"
# 4 % under Lens' default plan (50/min), for the same reason as JPO's figure.
PER_MINUTE = 48


def make_client(settings: Any, simulator_url: str, **kwargs: Any) -> Any:
    from .client import LensClient

    if settings.LENS_TOKEN:
        return LensClient(token=settings.LENS_TOKEN, base_url=settings.LENS_BASE_URL, **kwargs)
    if simulator_url:
        from patents.simulator import config as demo

        return LensClient(token=demo.LENS_TOKEN, base_url=simulator_url, **kwargs)
    return None


def throttle_limits(lease_seconds: float, settings: Any = None) -> dict[tuple[str, str], Any]:
    from patents.clients.throttle import OFFICE_WIDE, Limit

    return {("lens", OFFICE_WIDE): Limit(per_minute=PER_MINUTE)}


OFFICE = Office(
    code="LENS",
    name="Lens.org patent search (discovery)",
    service="lens",
    make_client=make_client,
    credential_settings=("LENS_TOKEN",),
    throttle_limits=throttle_limits,
)
