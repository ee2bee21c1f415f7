"""One path for every office answer, whether fetched by the sync or saved to a file and ingested by hand.

- ``store``: the payload store (kept byte for byte, hashed, parsed back into documents, quarantine items);
- ``apply``: matching documents to matters, recording events, creating matters from office data;
- ``reconcile``: the office's bibliographic data against the docket's.

store → hash → (same as last time for this request? stop) → parse → match to matters → normalize →
record events (idempotent) → reconcile bibliographic data → quarantine whatever could not be used.
"""

from .apply import (
    apply_document,
    create_matter_from_biblio,
    ensure_inbox_client,
    ingest_response,
    match_document,
    process_payload,
    process_pending_payloads,
    recompute_inline,
)
from .reconcile import decide_reconciliation, reconcile_matter
from .store import (
    FILE_KINDS,
    PROCESSED_KINDS,
    IngestResult,
    PayloadTooLarge,
    parse_payload,
    quarantine,
    quarantine_answer,
    store_payload,
)

__all__ = [
    "FILE_KINDS",
    "PROCESSED_KINDS",
    "IngestResult",
    "PayloadTooLarge",
    "apply_document",
    "create_matter_from_biblio",
    "decide_reconciliation",
    "ensure_inbox_client",
    "ingest_response",
    "match_document",
    "parse_payload",
    "process_payload",
    "process_pending_payloads",
    "quarantine",
    "quarantine_answer",
    "recompute_inline",
    "reconcile_matter",
    "store_payload",
]
