"""JP: the Japan Patent Office's Patent Information Retrieval API (app_progress, one application per request).

JPO allows one request in flight per ID, about ten a minute, and a daily cap per endpoint that resets at
midnight Tokyo time.
"""

from __future__ import annotations

from typing import Any

from patents.offices.base import FollowUp, Office

from . import documents, numbers
from .seed import EVENT_TYPES, MAPPINGS

DAILY_CAPS = {
    "app_progress": 400,
    "app_progress_simple": 800,
    "registration_info": 400,
    "priority_right_app_info": 60,
    "divisional_app_info": 60,
    "case_number_reference": 100,
}
# 4 % under the published 10/min: offices count arrivals in a window, and network jitter between evenly
# spaced sends must never make that count reach the limit.
PER_MINUTE = 9.6


def make_client(settings: Any, simulator_url: str, **kwargs: Any) -> Any:
    from .client import JpoClient

    if settings.JPO_USERNAME and settings.JPO_PASSWORD:
        return JpoClient(username=settings.JPO_USERNAME, password=settings.JPO_PASSWORD,
                         base_url=settings.JPO_BASE_URL, **kwargs)
    if simulator_url:
        from patents.simulator import config as demo

        return JpoClient(username=demo.JPO_USERNAME, password=demo.JPO_PASSWORD, base_url=simulator_url, **kwargs)
    return None


def fetch_progress(client: Any, numbers: list[str]) -> Any:
    (number,) = numbers
    return client.app_progress(number)


def fetch_registration(client: Any, numbers: list[str]) -> Any:
    (number,) = numbers
    return client.registration_info(number)


def registered_number(matter: Any) -> str | None:
    # registration_info answers only for registered rights (107 "no data" before registration).
    return matter.application_number_normalized if (matter.grant_number or matter.grant_date) else None


REGISTRATION = FollowUp(
    kind=documents.REGISTRATION, fetch=fetch_registration, number=registered_number,
    why="registration_info: annuity years paid, right extinguished (registered rights only)",
)


def throttle_limits(lease_seconds: float, settings: Any = None) -> dict[tuple[str, str], Any]:
    from patents.clients.throttle import OFFICE_WIDE, Limit

    # JPO answers 303 to a second concurrent request of the same ID, as ODP answers 429: one at a time.
    limits = {("jpo", OFFICE_WIDE): Limit(per_minute=PER_MINUTE, concurrency=True, lease_seconds=lease_seconds)}
    # An operator's JPO_DAILY_CAPS (the caps of their own ID) replace the defaults endpoint by endpoint.
    caps = {**DAILY_CAPS, **{k: int(v) for k, v in (getattr(settings, "JPO_DAILY_CAPS", None) or {}).items()}}
    for endpoint, cap in caps.items():
        limits[("jpo", endpoint)] = Limit(daily_cap=cap)
    return limits


def simulated_answer(m: Any, portfolio: Any) -> bytes:
    import json

    from patents.simulator import jpo

    return json.dumps({"result": {"statusCode": "100", "errorMessage": "", "remainAccessCount": "399",
                                  "data": jpo.app_progress(m, simple=False)}}, ensure_ascii=False).encode()


def application_number(matter: Any) -> str | None:
    return matter.application_number_normalized


# Rule triggers entered by hand on the matter until an office code for them is verified against a recorded
# answer (a guessed mapping would compute a wrong deadline).
HAND_ENTERED = frozenset({
    # A divisional is filed as an ordinary request (A63); the recorded divisional_app_info answer is empty,
    # so no code tells a divisional's filing apart yet.
    "JP.DIVISIONAL_FILED",
    # The gazette of a WATCHED (third-party) patent: we do not sync third parties' JPO files, and
    # registration_info carries no gazette date.
    "JP.GAZETTE_PUBLISHED",
    # Our own first filing elsewhere, whose priority a JP filing may claim: no JPO code in reality.
    "JP.PRIORITY_APPLICATION_FILED",
})


OFFICE = Office(
    code="JP",
    name="Japan Patent Office (Patent Information Retrieval API)",
    service="jpo",
    aliases=("JPO",),
    make_client=make_client,
    credential_settings=("JPO_USERNAME", "JPO_PASSWORD"),
    fetch=fetch_progress,
    bulk=False,
    batch_size=10,
    sync_kind=documents.PROGRESS,
    sync_number=application_number,
    payload_kinds=documents.KINDS,
    follow_ups=(REGISTRATION,),
    file_kinds={"progress": documents.PROGRESS, "registration": documents.REGISTRATION},
    parse=documents.parse,
    normalize_number=numbers.normalize,
    publication_key=numbers.publication_key,
    mappings=tuple(MAPPINGS),
    event_types=tuple(EVENT_TYPES),
    hand_entered=HAND_ENTERED,
    throttle_limits=throttle_limits,
    simulated_answer=simulated_answer,
)
