"""EPO OPS answers (register, INPADOC legal, published biblio) → the common ``Document`` shape."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from patents.numbers import compact_number
from patents.parsers.errors import ParseError
from patents.parsers.types import Biblio, Document

from . import parser as epo_ops

REGISTER = "ep-register"
LEGAL = "ep-legal"
BIBLIO = "ep-published-biblio"
KINDS = frozenset({REGISTER, LEGAL, BIBLIO})


def parse(kind: str, body: bytes) -> list[Document]:
    fault = epo_ops.ops_no_data(body)
    if fault is not None:
        words = " ".join(w for w in (fault.code, fault.message) if w)
        # A published-data answer may be about an EP or a WO publication: the fault does not say which.
        return [Document("EP" if kind != BIBLIO else "", None, [], (), no_data=True, no_data_reason=f"OPS {words}")]
    if kind == REGISTER:
        return register_documents(body)
    if kind == LEGAL:
        return legal_documents(body)
    if kind == BIBLIO:
        return biblio_documents(body)
    raise ParseError(f"no parser for payload kind {kind!r}", category="schema")


def register_documents(body: bytes) -> list[Document]:
    out = []
    for doc in epo_ops.parse_register(body):
        b = doc.biblio
        numbers: tuple[str, ...] = ()
        if b is not None:
            numbers = tuple(n for n in (b.application_number_normalized, compact_number(b.publication_number)) if n)
        elif doc.query:
            # events/procedural-steps constituents carry no biblio; the query names the number asked for
            numbers = (compact_number(doc.query.split("=", 1)[-1]),)
        apps = (b.application_number_normalized,) if b is not None and b.application_number_normalized else ()
        out.append(Document("EP", b, [*doc.events, *doc.procedural_steps], numbers, application_numbers=apps))
    return out


def legal_documents(body: bytes) -> list[Document]:
    events = epo_ops.parse_inpadoc_legal(body)
    pubs = {compact_number(e.params.get("publication")) for e in events if e.params.get("publication")}
    office = next((e.office for e in events if e.office), "EP")
    return [Document(office, None, list(events), tuple(sorted(p for p in pubs if p)))]


def biblio_documents(body: bytes) -> list[Document]:
    grouped: dict[str, list[Biblio]] = defaultdict(list)
    for b in epo_ops.parse_published_biblio(body):
        grouped[b.application_number_normalized or b.application_number].append(b)
    out = []
    for items in grouped.values():
        merged = merge_biblio(items)
        nums = {merged.application_number_normalized or ""}
        nums |= {compact_number(b.publication_number or b.grant_number) for b in items}
        apps = (merged.application_number_normalized,) if merged.application_number_normalized else ()
        out.append(Document(merged.office, merged, [], tuple(sorted(n for n in nums if n)), application_numbers=apps))
    return out


def merge_biblio(items: list[Biblio]) -> Biblio:
    """A1 and B1 of one application come as separate exchange documents; one Biblio with both."""
    first = items[0]
    pub = next((b for b in items if b.publication_number), None)
    grant = next((b for b in items if b.grant_number), None)
    return replace(
        first,
        publication_number=pub.publication_number if pub else None,
        publication_date=pub.publication_date if pub else None,
        grant_number=grant.grant_number if grant else None,
        grant_date=grant.grant_date if grant else None,
        filing_date=next((b.filing_date for b in items if b.filing_date), None),
        priority_claims=next((b.priority_claims for b in items if b.priority_claims), ()),
    )
