"""US: the USPTO Open Data Portal (application meta-data + transactions, one application per request).

ODP has no bulk fetch and refuses concurrent requests from one key: one request in flight at a time.
"""

from __future__ import annotations

from typing import Any

from patents.offices.base import Office

from . import documents, numbers
from .seed import EVENT_TYPES, MAPPINGS

# USPTO applicationStatusCode (the status-codes endpoint lists 241; these are the common ones).
STATUS_MAP = {
    "19": "filed",
    "20": "filed",
    "30": "filed",
    "41": "examination",
    "61": "examination",
    "71": "examination",
    "80": "examination",
    "93": "allowed",
    "95": "allowed",
    "150": "granted",
    "159": "expired",
    "161": "abandoned",
    "166": "abandoned",
    "168": "abandoned",
}


def make_client(settings: Any, simulator_url: str, **kwargs: Any) -> Any:
    from .client import UsptoOdpClient

    if settings.USPTO_ODP_API_KEY:
        return UsptoOdpClient(api_key=settings.USPTO_ODP_API_KEY, base_url=settings.USPTO_ODP_BASE_URL, **kwargs)
    if simulator_url:
        from patents.simulator import config as demo

        return UsptoOdpClient(api_key=demo.ODP_API_KEY, base_url=simulator_url, **kwargs)
    return None


def fetch_application(client: Any, numbers: list[str]) -> Any:
    (number,) = numbers
    return client.application(number)


def throttle_limits(lease_seconds: float, settings: Any = None) -> dict[tuple[str, str], Any]:
    from patents.clients.throttle import OFFICE_WIDE, Limit

    # ODP answers 429 to a second concurrent request of one key: one at a time, with a lease.
    return {("uspto", OFFICE_WIDE): Limit(concurrency=True, lease_seconds=lease_seconds)}


def simulated_answer(m: Any, portfolio: Any) -> bytes:
    import json

    from patents.simulator import odp

    return json.dumps({"count": 1, "patentFileWrapperDataBag": [odp.full_wrapper(m)]}).encode()


def application_number(matter: Any) -> str | None:
    return matter.application_number_normalized


# Rule triggers entered by hand on the matter until an office code for them is verified against a recorded
# answer (a guessed mapping would compute a wrong deadline).
HAND_ENTERED = frozenset({
    # A communication of ANOTHER office (37 CFR 1.97(e)): no USPTO transaction exists for it.
    "US.FOREIGN_OFFICE_CITATION",
    # Our own first filing elsewhere, whose priority a US filing may claim: no USPTO code in reality.
    "US.PRIORITY_APPLICATION_FILED",
    # ODP gives a provisional's filing only as the biblio filing date (applicationTypeCategory PROV); the
    # biblio fact does not yet tell provisional from non-provisional, so it stays entered by hand.
    "US.PROVISIONAL_FILED",
})


OFFICE = Office(
    code="US",
    name="United States Patent and Trademark Office (Open Data Portal)",
    service="uspto",
    aliases=("USPTO", "ODP"),
    make_client=make_client,
    credential_settings=("USPTO_ODP_API_KEY",),
    fetch=fetch_application,
    bulk=False,
    batch_size=20,
    sync_kind=documents.APPLICATION,
    sync_number=application_number,
    payload_kinds=documents.KINDS,
    file_kinds={"application": documents.APPLICATION, "transactions": documents.TRANSACTIONS},
    parse=documents.parse,
    normalize_number=numbers.normalize,
    docdb_application=numbers.docdb_application,
    publication_key=numbers.publication_key,
    # ODP continuity (parentContinuityBag claimParentageTypeCode). A provisional (PRO) is a priority, and a
    # national stage (NST) points at a PCT application: neither is a US parent matter.
    parent_relations={"CON": "continuation", "DIV": "divisional", "CIP": "cip"},
    exclusive_kinds={"provisional": "Provisional applications exist only at the USPTO (office US)"},
    status_map=STATUS_MAP,
    mappings=tuple(MAPPINGS),
    event_types=tuple(EVENT_TYPES),
    hand_entered=HAND_ENTERED,
    throttle_limits=throttle_limits,
    simulated_answer=simulated_answer,
)
