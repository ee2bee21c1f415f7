"""USPTO Open Data Portal answers → the common ``Document`` shape."""

from __future__ import annotations

from dataclasses import replace

from patents.parsers._util import normalized_number
from patents.parsers.errors import ParseError
from patents.parsers.types import Document

from . import parser as uspto_odp

APPLICATION = "us-odp-application"
TRANSACTIONS = "us-odp-transactions"
KINDS = frozenset({APPLICATION, TRANSACTIONS})


def parse(kind: str, body: bytes) -> list[Document]:
    if kind not in KINDS:
        raise ParseError(f"no parser for payload kind {kind!r}", category="schema")
    missing = uspto_odp.odp_no_data(body)
    if missing is not None:
        words = " ".join(w for w in (str(missing.status), missing.message, missing.detail) if w)
        return [Document("US", None, [], (), no_data=True, no_data_reason=f"ODP {words}")]
    out = []
    for app in uspto_odp.parse_odp_response(body):
        b = app.biblio
        if b is not None and app.foreign_priority and not b.priority_claims:
            b = replace(b, priority_claims=app.foreign_priority)
        number = normalized_number("US", app.application_number or "") or ""
        out.append(Document("US", b, list(app.events), (number,), application_numbers=(number,)))
    return out
