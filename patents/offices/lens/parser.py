"""Lens.org ``POST /patent/search`` responses → dataclasses (portfolio discovery).

Body: ``{"total": N, "max_score": …, "data": [record …], "results": <records in this page>,
"scroll_id": …}`` (``scroll_id`` only when scrolling; a 204 with no body ends a scroll and is handled by
the client, not here). A record (fields depend on the ``include`` projection):

- ``lens_id`` (e.g. 031-156-664-516-153), ``jurisdiction``, ``doc_number``, ``kind``, ``date_published``,
  ``doc_key``, ``publication_type`` (PATENT_APPLICATION, GRANTED_PATENT …);
- ``biblio.application_reference`` {jurisdiction, doc_number, kind, date} → Biblio.application_number /
  filing_date; ``biblio.priority_claims.claims[]``; ``biblio.invention_title[]`` {text, lang};
  ``biblio.parties`` applicants / inventors / agents (``extracted_name.value``, ``residence``) and
  ``owners_all``;
- ``families.simple_family`` / ``extended_family`` {family_id, size, members[].document_id};
- ``legal_status`` {patent_status (ACTIVE, PENDING, EXPIRED, …), granted, grant_date,
  anticipated_term_date, calculation_log[]} → LensLegalStatus and Biblio.status_text / expiry_date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from patents.parsers._util import as_list, load_json, normalized_number, obj, parse_bool, parse_date, parse_int, s
from patents.parsers.errors import ParseError
from patents.parsers.types import Biblio, DocumentRef, Party, PriorityClaim

SRC = "lens"


@dataclass(frozen=True)
class LensLegalStatus:
    patent_status: str | None
    granted: bool | None
    grant_date: dt.date | None
    anticipated_term_date: dt.date | None
    calculation_log: tuple[str, ...] = ()


@dataclass(frozen=True)
class LensRecord:
    lens_id: str
    jurisdiction: str
    doc_number: str
    kind: str | None
    date_published: dt.date | None
    publication_type: str | None
    biblio: Biblio
    legal_status: LensLegalStatus | None
    simple_family_id: str | None
    extended_family_id: str | None
    family_members: tuple[DocumentRef, ...] = ()  # simple family


@dataclass(frozen=True)
class LensSearchPage:
    total: int | None
    max_score: float | None
    records: tuple[LensRecord, ...]
    scroll_id: str | None = None

    @property
    def lens_ids(self) -> tuple[str, ...]:
        return tuple(r.lens_id for r in self.records)


def _ref(d: object, *, source: str) -> DocumentRef | None:
    if not isinstance(d, dict) or not s(d.get("doc_number")):
        return None
    return DocumentRef(
        country=s(d.get("jurisdiction")),
        number=s(d.get("doc_number")),
        kind=s(d.get("kind")) or None,
        date=parse_date(d.get("date"), field="document date", source=source),
    )


def _parties(items: object, role: str) -> tuple[Party, ...]:
    out = []
    for i, p in enumerate(as_list(items), start=1):
        if not isinstance(p, dict):
            continue
        name = s(
            (p.get("extracted_name") or {}).get("value")
            if isinstance(p.get("extracted_name"), dict)
            else p.get("name")
        )
        if name:
            out.append(
                Party(
                    name=name,
                    role=role,
                    country=s(p.get("residence") or p.get("extracted_country")) or None,
                    sequence=parse_int(p.get("sequence"), field="sequence", source=SRC) or i,
                )
            )
    return tuple(out)


# Long because: reads each field of a Lens record, in the API's order.
def _record(r: dict, *, source: str) -> LensRecord:
    lens_id = s(r.get("lens_id"))
    if not lens_id:
        raise ParseError("record without lens_id", source=source)
    bib = obj(r.get("biblio"))
    jurisdiction = s(r.get("jurisdiction"))
    doc_number = s(r.get("doc_number"))
    kind = s(r.get("kind")) or None
    published = parse_date(r.get("date_published"), field="date_published", source=source)
    app = _ref(bib.get("application_reference"), source=source)
    office = (app.country if app else "") or jurisdiction
    app_number = app.number if app else s(bib.get("application_number"))
    if not app_number:
        raise ParseError(f"record {lens_id} without application_reference", source=source)
    normalized = normalized_number(office, app_number)
    pc = obj(bib.get("priority_claims"))
    priority = tuple(
        PriorityClaim(
            country=ref.country,
            number=ref.number,
            date=ref.date,
            kind=None,
            sequence=parse_int(c.get("sequence"), field="sequence", source=source),
        )
        for c in as_list(pc.get("claims"))
        if isinstance(c, dict) and (ref := _ref(c, source=source)) is not None
    )
    titles = {
        s(t.get("lang")): s(t.get("text")) for t in as_list(bib.get("invention_title")) if isinstance(t, dict)
    }
    parties = obj(bib.get("parties"))
    ls = r.get("legal_status") if isinstance(r.get("legal_status"), dict) else None
    legal = None
    if ls is not None:
        legal = LensLegalStatus(
            patent_status=s(ls.get("patent_status")) or None,
            granted=parse_bool(ls.get("granted")),
            grant_date=parse_date(ls.get("grant_date"), field="legal_status.grant_date", source=source),
            anticipated_term_date=parse_date(
                ls.get("anticipated_term_date"), field="legal_status.anticipated_term_date", source=source
            ),
            calculation_log=tuple(s(x) for x in as_list(ls.get("calculation_log"))),
        )
    families = obj(r.get("families"))
    simple = obj(families.get("simple_family"))
    extended = obj(families.get("extended_family"))
    members = tuple(
        ref
        for m in as_list(simple.get("members"))
        if isinstance(m, dict) and (ref := _ref(m.get("document_id"), source=source)) is not None
    )
    is_grant = (kind or "").startswith("B")
    # An A-publication record of a granted patent: the grant is the family member with the same number.
    grant_ref = next(
        (
            m
            for m in members
            if m.country == jurisdiction and m.number == doc_number and (m.kind or "").startswith("B")
        ),
        None,
    )
    biblio = Biblio(
        office=office,
        source="lens",
        application_number=app_number,
        application_number_normalized=normalized,
        filing_date=app.date if app else None,
        publication_number=None if is_grant else f"{jurisdiction}{doc_number}",
        publication_date=None if is_grant else published,
        kind=kind,
        publications=(DocumentRef(country=jurisdiction, number=doc_number, kind=kind, date=published),),
        grant_number=f"{jurisdiction}{doc_number}" if is_grant or grant_ref else None,
        grant_date=(legal.grant_date if legal else None) or (published if is_grant else None),
        status_text=legal.patent_status if legal else None,
        title=titles.get("en") or next(iter(titles.values()), None),
        titles=titles,
        applicants=_parties(parties.get("applicants"), "applicant"),
        inventors=_parties(parties.get("inventors"), "inventor"),
        representatives=_parties(parties.get("agents"), "representative"),
        priority_claims=priority,
        expiry_date=legal.anticipated_term_date if legal else None,
        family_id=s(simple.get("family_id")) or None,
        extra={
            k: v
            for k, v in {
                "lens_id": lens_id,
                "application_number_with_check_digit": s(bib.get("application_number")),
                "owners": [o.name for o in _parties(parties.get("owners_all"), "owner")],
            }.items()
            if v
        },
    )
    return LensRecord(
        lens_id=lens_id,
        jurisdiction=jurisdiction,
        doc_number=doc_number,
        kind=kind,
        date_published=published,
        publication_type=s(r.get("publication_type")) or None,
        biblio=biblio,
        legal_status=legal,
        simple_family_id=s(simple.get("family_id")) or None,
        extended_family_id=s(extended.get("family_id")) or None,
        family_members=members,
    )


def parse_lens_search(body: bytes | str) -> LensSearchPage:
    source = f"{SRC} patent/search"
    data = load_json(body, source=source)
    if not isinstance(data, dict) or "data" not in data:
        raise ParseError("Lens search response without data", source=source)
    records = []
    for r in as_list(data.get("data")):
        if not isinstance(r, dict):
            raise ParseError("Lens data entry is not an object", source=source)
        records.append(_record(r, source=source))
    score = data.get("max_score")
    return LensSearchPage(
        total=parse_int(data.get("total"), field="total", source=source),
        max_score=float(score) if isinstance(score, int | float) else None,
        records=tuple(records),
        scroll_id=s(data.get("scroll_id")) or None,
    )
