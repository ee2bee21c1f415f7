"""WO: PCT applications, read through EPO OPS published data (filing date, priority) and INPADOC.

The client, the parsing and the throttle buckets are EP's (the same OPS service); what differs is the
number a matter is asked by (its WO publication) and the PCT number rules.
"""

from __future__ import annotations

from typing import Any

from patents.offices.base import FollowUp, Office
from patents.offices.ep import documents as ops_documents
from patents.offices.ep import make_client

from . import numbers
from .seed import EVENT_TYPES, MAPPINGS


def fetch_biblio(client: Any, numbers: list[str]) -> Any:
    return client.published_data_many(numbers, reference_type="publication", input_format="epodoc",
                                      endpoint="biblio")


def fetch_legal(client: Any, numbers: list[str]) -> Any:
    (number,) = numbers
    return client.legal(number, reference_type="publication", input_format="epodoc")


def publication_number(matter: Any) -> str | None:
    # OPS published data is keyed on the WO publication (WO2021100012); before publication there is nothing.
    return matter.publication_number.replace(" ", "") if matter.publication_number else None


def simulated_matter(m: Any) -> dict[str, Any] | None:
    # OPS has nothing for a PCT application before its WO publication.
    if not m.publication_number:
        return None
    return {"publication_number": m.publication_number, "receiving_office": m.application_number[4:6]}


# INPADOC legal events (designation of EP, national/regional phase entries, demand filed, withdrawal) are not
# in published data: one OPS legal request per published PCT matter and cycle ("inpadoc" bucket).
LEGAL = FollowUp(kind=ops_documents.LEGAL, fetch=fetch_legal, number=publication_number,
                 why="INPADOC legal events of the WO publication")


# Rule triggers entered by hand on the matter until an office code for them is verified against a recorded
# answer (a guessed mapping would compute a wrong deadline).
HAND_ENTERED = frozenset({
    # The date the ISR was transmitted (Art. 19, Rule 46.1) is in no feed we sync: OPS shows the ISR's
    # publication (A1/A3), whose date is not the transmittal date, so it would give a wrong period.
    "WO.ISR_TRANSMITTED",
    # Our own first filing, whose priority the PCT application may claim: no WIPO code in reality.
    "WO.PRIORITY_APPLICATION_FILED",
})


OFFICE = Office(
    code="WO",
    name="PCT international applications (WIPO, through EPO OPS)",
    service="epo",
    make_client=make_client,
    credential_settings=("OPS_KEY", "OPS_SECRET"),
    fetch=fetch_biblio,
    bulk=True,
    batch_size=25,
    sync_kind=ops_documents.BIBLIO,
    sync_number=publication_number,
    follow_ups=(LEGAL,),
    payload_kinds=frozenset({ops_documents.BIBLIO, ops_documents.LEGAL}),
    file_kinds={"biblio": ops_documents.BIBLIO, "legal": ops_documents.LEGAL},
    parse=ops_documents.parse,
    normalize_number=numbers.normalize,
    matter_kind="pct",
    exclusive_kinds={"pct": "A PCT international application is filed with the office WO"},
    other_kinds_refused="Matters at WO are PCT international applications (kind PCT)",
    new_matter_number=numbers.new_matter_number,
    mappings=tuple(MAPPINGS),
    event_types=tuple(EVENT_TYPES),
    hand_entered=HAND_ENTERED,
    simulated_matter=simulated_matter,
)
