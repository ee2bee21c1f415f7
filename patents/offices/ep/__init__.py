"""EP: the European Patent Office through EPO OPS (register, INPADOC legal events, published data).

One register request answers a whole batch of applications (biblio + events + procedural steps).
"""

from __future__ import annotations

from typing import Any

from patents.offices.base import FollowUp, Office

from . import documents, numbers
from .seed import EVENT_TYPES, MAPPINGS

# OPS's services, each with its own bucket; the idle figures of X-Throttling-Control as OPS sends them
# (the header replaces them at the first answer).
OPS_SERVICES = ("images", "inpadoc", "other", "retrieval", "search")
OPS_DEFAULT_PER_MINUTE = {"images": 200, "inpadoc": 60, "other": 1000, "retrieval": 200, "search": 30}

# EP Register ep-patent-status codes (as seen in register documents) → Matter.Status values.
STATUS_MAP = {
    "7": "granted",  # no opposition filed within time limit
    "8": "granted",
    "12": "allowed",
    "14": "examination",
    "15": "examination",
    "16": "published",
    "17": "published",
    "10": "withdrawn",
    "11": "refused",
    "9": "withdrawn",
}


def make_client(settings: Any, simulator_url: str, **kwargs: Any) -> Any:
    """The OPS client (EP and WO share it): real credentials first, else the simulator, else None."""
    from .client import EpoOpsClient

    kwargs.setdefault("weekly_quota_bytes", settings.OPS_WEEKLY_QUOTA_BYTES)
    if settings.OPS_KEY and settings.OPS_SECRET:
        return EpoOpsClient(key=settings.OPS_KEY, secret=settings.OPS_SECRET, base_url=settings.OPS_BASE_URL, **kwargs)
    if simulator_url:
        from patents.simulator import config as demo

        return EpoOpsClient(key=demo.OPS_KEY, secret=demo.OPS_SECRET, base_url=f"{simulator_url}/3.2", **kwargs)
    return None


def fetch_register(client: Any, numbers: list[str]) -> Any:
    return client.register_many(numbers, reference_type="application", input_format="epodoc",
                                constituents=("biblio", "events", "procedural-steps"))


def fetch_family(client: Any, numbers: list[str]) -> Any:
    """The matter's INPADOC family with every member's biblio and legal events (one inpadoc request)."""
    return client.family(numbers[0], reference_type="application", input_format="epodoc",
                         constituents=("biblio", "legal"))


def throttle_limits(lease_seconds: float, settings: Any = None) -> dict[tuple[str, str], Any]:
    from patents.clients.throttle import Limit

    return {("epo", service): Limit(per_minute=rate) for service, rate in OPS_DEFAULT_PER_MINUTE.items()}


def simulated_matter(m: Any) -> dict[str, Any] | None:
    from patents.simulator.ops_documents import is_in_register

    return {} if is_in_register(m) else None  # not published yet: the register has nothing to show


def simulated_answer(m: Any, portfolio: Any) -> bytes | None:
    from patents.simulator import ops_documents as docs

    if not docs.is_in_register(m):
        return None
    return docs.register_search_wrapper(
        f"application={m.application_number}",
        [docs.register_document(m, ["biblio", "events", "procedural-steps"], portfolio.today)], 1, 1, 1,
    ).encode()


def application_number(matter: Any) -> str | None:
    return matter.application_number_normalized or None


# Rule triggers entered by hand on the matter until an office code for them is verified against a recorded
# answer (a guessed mapping would compute a wrong deadline).
HAND_ENTERED = frozenset({
    # No refusal/decision procedural step in any recorded register answer (tests/fixtures/offices/epo, the
    # stored public fixtures searched); INPADOC's refusal events carry the Bulletin date, not the decision's.
    "EP.APPEALABLE_DECISION",
    # The register's DDIV step is the first examination communication (Rule 36 old), not the divisional's
    # filing; the divisional's date of actual filing is not a register step we receive.
    "EP.DIVISIONAL_FILED",
    # Removal of the cause of non-compliance (Rule 136(1)) is a fact of the applicant's, not an office act.
    "EP.NON_COMPLIANCE_CAUSE_REMOVED",
    # Our own first filing elsewhere, whose priority an EP filing may claim: no EPO code in reality.
    "EP.PRIORITY_APPLICATION_FILED",
})


OFFICE = Office(
    code="EP",
    name="European Patent Office (EPO OPS)",
    service="epo",
    aliases=("EPO", "OPS"),
    make_client=make_client,
    credential_settings=("OPS_KEY", "OPS_SECRET"),
    fetch=fetch_register,
    bulk=True,
    batch_size=25,
    sync_kind=documents.REGISTER,
    sync_number=application_number,
    # The family's INPADOC legal events (lapses in designated states, other members' events for their own
    # matters): one more request per matter against OPS's smaller inpadoc allowance, so it is opt-in.
    follow_ups=(FollowUp(kind=documents.FAMILY, fetch=fetch_family, number=application_number,
                         why="the family's INPADOC legal events, each member's on its own matter",
                         setting="OPS_SYNC_FAMILY"),),
    payload_kinds=documents.KINDS,
    file_kinds={"register": documents.REGISTER, "legal": documents.LEGAL, "biblio": documents.BIBLIO,
                "family": documents.FAMILY},
    parse=documents.parse,
    normalize_number=numbers.normalize,
    parent_relations={"DIV": "divisional"},  # register related-documents/division
    status_map=STATUS_MAP,
    mappings=tuple(MAPPINGS),
    event_types=tuple(EVENT_TYPES),
    hand_entered=HAND_ENTERED,
    throttle_limits=throttle_limits,
    simulated_matter=simulated_matter,
    simulated_answer=simulated_answer,
)
