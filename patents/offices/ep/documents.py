"""EPO OPS answers (register, INPADOC legal, published biblio, family) → the common ``Document`` shape."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from patents.numbers import compact_number, docdb_application_number
from patents.parsers._util import normalized_number
from patents.parsers.errors import ParseError
from patents.parsers.types import Biblio, Document, DocumentRef, Event, FamilyMember

from . import parser as epo_ops

REGISTER = "ep-register"
LEGAL = "ep-legal"
BIBLIO = "ep-published-biblio"
FAMILY = "ep-family"  # family/…/biblio,legal: every member of the INPADOC family with its own data
KINDS = frozenset({REGISTER, LEGAL, BIBLIO, FAMILY})


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
    if kind == FAMILY:
        return family_documents(body)
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
    """A ``legal`` answer is a family envelope too: one document per application it holds events of."""
    members = epo_ops.parse_family_members(body)
    if len(members) <= 1:
        # One publication asked for (the usual answer): its events, offered for the office it was asked as.
        events = [e for m in members for e in m.events]
        pubs = {compact_number(e.params.get("publication")) for e in events if e.params.get("publication")}
        office = next((e.office for e in events if e.office), "EP")
        return [Document(office, None, events, tuple(sorted(p for p in pubs if p)))]
    return family_documents(body)


def _member_office(member: FamilyMember) -> str:
    return member.publication.country


def _member_application(member: FamilyMember) -> str | None:
    """The member's application in its office's canonical form (None when the office's rule cannot read it).

    OPS writes a WO member's application as the receiving office's docdb number (``US 2008086599 W``); the
    WO rule reads that as PCT/US2008/086599. Other offices' docdb forms go through their own rule
    (US ``201815919370`` → 15919370).
    """
    app = member.application
    if app is None:
        return None
    office = _member_office(member)
    if office == "WO":
        return normalized_number(office, f"{app.country}{app.number}{app.kind or ''}")
    return docdb_application_number(office, app.number)


def _publication_forms(ref: DocumentRef) -> set[str]:
    """A member's publication as the docket may hold it: ``US8131731`` and, for offices whose docket numbers
    carry no country (US and JP grants), ``8131731``. Compared with publication/grant numbers only."""
    full = compact_number(ref.text)
    bare = compact_number(ref.number) if not ref.number.startswith(ref.country) else ""
    return {n for n in (full, bare) if n}


def family_documents(body: bytes) -> list[Document]:
    """One document per application of the family (A1 and B1 members of one application are one), each
    with that application's own numbers and INPADOC events only, marked as a family member."""
    grouped: dict[tuple[str, str], list[FamilyMember]] = defaultdict(list)
    for member in epo_ops.parse_family_members(body):
        app = member.application
        key = f"{app.country}{app.number}" if app is not None else member.publication.text
        grouped[(_member_office(member), key)].append(member)
    out = []
    for (office, _), members in grouped.items():
        apps = {n for n in (_member_application(m) for m in members) if n}
        pubs: set[str] = set()
        for m in members:
            pubs |= _publication_forms(m.publication)
            for b in m.biblio:
                pubs |= {compact_number(n) for n in (b.publication_number, b.grant_number) if n}
        events: dict[tuple, Event] = {}
        for m in members:
            for e in m.events:
                events.setdefault(e.key, e)  # the A1 and B1 members repeat the application's events
        # The members' biblio serves to match them; reconciling a docket matter's fields against a family
        # answer's copy (other number forms, other priority spellings) would only raise false alarms.
        out.append(Document(office, None, list(events.values()), tuple(sorted(apps | (pubs - apps))),
                            application_numbers=tuple(sorted(apps)), family_member=True))
    return out


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
