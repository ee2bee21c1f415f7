"""EPO Open Patent Services (OPS 3.2) bodies → dataclasses.

Namespaces (matched by URI; prefixes vary: ``ops:``/``reg:`` in 2016, ``ns2:``/``ns3:`` in 2025):
``http://ops.epo.org`` (envelope, search, family, legal), ``http://www.epo.org/register`` (register),
``http://www.epo.org/exchange`` (published data, family members; usually the default namespace).

Register (``register/{type}/{format}/{number}/{biblio|events|procedural-steps|upp}``)
- ``ep-patent-statuses/ep-patent-status@status-code`` + text + ``@change-date``: the EP Register status
  history (e.g. 7 "No opposition filed within time limit", 8 "The patent has been granted", 12 "Grant of
  patent is intended", 14 "Examination is in progress"). 2016 documents have none; the
  ``register-document@status`` text is then the status.
  → ``Biblio.statuses`` / ``status_code`` / ``status_text``.
- ``bibliographic-data``: ``publication-reference`` (EP A/B publications and, for Euro-PCT, the WO one),
  ``application-reference`` (the EP application with its filing date; for Euro-PCT also ``WO2014EP63108``),
  ``priority-claims``, ``parties`` (applicants / inventors / agents — several dated blocks, the newest is
  used), ``designation-of-states``, ``invention-title`` per language (newest per language),
  ``term-of-grant/lapsed-in-country`` (newest block), ``dates-rights-effective/*`` and ``date-*`` elements
  (→ ``Biblio.dates``, e.g. ``request-for-examination``, ``first-examination-report-despatched``,
  ``date-application-deemed-withdrawn``), ``opposition-data/opposition-not-filed``.
- ``events-data/dossier-event@id`` with ``event-date``, ``event-code`` (e.g. ``0009250``, ``EPIDOSNRFE2``,
  ``EPIDOS ABEX`` — kept as written), ``event-text`` and ``gazette-reference`` (num + date) → Event with
  source ``register-event``; ``params``: gazette_num, gazette_date, event_type.
- ``procedural-data/procedural-step@id`` with ``procedural-step-code`` (RFEE renewal fee, EXRE examining
  division communication, IGRA intention to grant, ABEX amendments …), ``procedural-step-text`` by
  ``@step-text-type`` (STEP_DESCRIPTION, YEAR …), ``procedural-step-date`` by ``@step-date-type``
  (DATE_OF_DISPATCH, DATE_OF_PAYMENT, DATE_OF_REPLY, DATE_OF_REQUEST, GRANT_FEE_PAID …) and ``time-limit``
  (``@time-limit-unit``) → Event with source ``procedural-step``; date = dispatch, else payment, else
  request, else the first date; ``params``: dates, texts, phase, renewal_year (RFEE), time_limit,
  time_limit_unit, period_months (the Art. 94(3) reply period when the unit is months), reply_date.

Legal (``legal/publication/docdb/…``): ``ops:legal@code`` (INPADOC code, space-padded: ``"AK  "``,
``"17P "``), ``@desc``, ``@infl`` and the L-fields: L001EP country, L003EP document number, L007EP gazette
date (the event date), L008EP code, L5xxEP details (L501EP ref country, L502EP national code, L510EP free
text incl. "ORIGINAL CODE: 0009210", L518EP payment date, L520EP year of fee, L525EP effective date).
→ Event with source ``inpadoc``; ``params`` names the useful ones and keeps every L-field in ``fields``.

Published data (``published-data/…/biblio``): ``exchange-document`` → Biblio with source
``epo-published-data``. Family (``family/…``): ``ops:family-member`` → Family; with the biblio and/or
legal constituents, ``parse_family_members`` keeps each member's exchange-documents and ``ops:legal``
events on that member. Search:
``ops:register-search`` / ``ops:biblio-search`` with ``total-result-count`` and ``ops:range`` → SearchPage.

Errors: ``<fault xmlns="http://ops.epo.org"><code>SERVER.EntityNotFound</code><message>…`` and the API
gateway's ``<error><code>400</code><message>invalid_access_token</message>…`` → OpsFault. The token endpoint's
JSON → OpsTokenResponse. Headers ``X-Throttling-Control`` and the fair-use counters → OpsQuotaHeaders.

Every OPS XML parser also accepts the BadgerFish JSON form of the same document (``Accept:
application/json``): it is rebuilt into XML and read by the same code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lxml import etree

from patents.numbers import InvalidNumber, normalize_pct
from patents.parsers._util import content_discriminators, load_json, normalized_number, parse_date, parse_int
from patents.parsers.errors import MALFORMED, OUT_OF_SCOPE, ParseError
from patents.parsers.types import (
    Biblio,
    ContinuityLink,
    DocumentRef,
    Event,
    EventSource,
    Family,
    FamilyMember,
    OpsFault,
    OpsQuotaHeaders,
    OpsTokenResponse,
    Party,
    PriorityClaim,
    RegisterDocument,
    SearchPage,
    StatusEntry,
    ThrottleService,
    ThrottlingControl,
)
from patents.parsers.xml import (
    EXCH_NS,
    OPS_NS,
    REG_NS,
    badgerfish_to_element,
    child,
    children,
    local,
    parse_xml,
    path_text,
    raw_text,
    text,
)

SRC = "epo-ops"


def _root(body: bytes | str, *, source: str) -> etree._Element:
    """XML or BadgerFish JSON (sniffed from the first character) → element tree."""
    head = body.lstrip()[:1] if body else b""
    if head in (b"{", "{"):
        try:
            return badgerfish_to_element(load_json(body, source=source), source=source)
        except RecursionError:
            raise ParseError("JSON nested too deeply", category=MALFORMED, source=source) from None
    return parse_xml(body, source=source)


_REGISTER_PCT = re.compile(r"^WO(\d{4})([A-Z]{2})(\d{1,6})$")


def normalize_register_pct(number: str) -> str | None:
    """The register writes Euro-PCT links as ``WO2014EP63108`` (= PCT/EP2014/063108)."""
    m = _REGISTER_PCT.match(number.replace(" ", "").upper())
    candidate = f"PCT/{m.group(2)}{m.group(1)}/{m.group(3)}" if m else number
    try:
        return normalize_pct(candidate)
    except InvalidNumber:
        return None


# --- register ---------------------------------------------------------------------------------------------


def _newest(blocks: list[etree._Element], *, source: str) -> etree._Element | None:
    """Of several dated blocks (``@change-date``), the newest; document order breaks ties (newest first)."""
    if not blocks:
        return None
    dated = [
        (parse_date(b.get("change-date"), field="change-date", source=source), i)
        for i, b in enumerate(blocks)
    ]
    if all(d is None for d, _ in dated):
        return blocks[0]
    best = max(dated, key=lambda t: (t[0] or dt.date.min, -t[1]))
    return blocks[best[1]]


def _reg_doc_id(el: etree._Element | None, *, source: str) -> DocumentRef | None:
    if el is None:
        return None
    number = path_text(el, REG_NS, "doc-number")
    if not number:
        return None
    return DocumentRef(
        country=path_text(el, REG_NS, "country"),
        number=number,
        kind=path_text(el, REG_NS, "kind") or None,
        date=parse_date(path_text(el, REG_NS, "date"), field="document-id/date", source=source),
    )


def _reg_parties(
    parties: etree._Element | None, group: str, item: str, role: str, *, source: str
) -> tuple[Party, ...]:
    block = _newest(children(parties, REG_NS, group), source=source)
    out = []
    for p in children(block, REG_NS, item):
        book = child(p, REG_NS, "addressbook")
        name = path_text(book, REG_NS, "name")
        if not name:
            continue
        address = child(book, REG_NS, "address")
        lines = tuple(
            text(a) for a in (address if address is not None else []) if local(a).startswith("address-")
        )
        out.append(
            Party(
                name=name,
                role=role,
                country=path_text(address, REG_NS, "country") or None,
                sequence=parse_int(p.get("sequence"), field="sequence", source=source),
                address=tuple(line for line in lines if line),
                office_id=(book.get("cdsid") if book is not None else None) or None,
            )
        )
    return tuple(out)


def _statuses(doc: etree._Element, *, source: str) -> tuple[StatusEntry, ...]:
    out = []
    for st in doc.iter(f"{{{REG_NS}}}ep-patent-status"):
        code, st_text = (st.get("status-code") or "").strip(), text(st)
        # Search results carry an empty placeholder: <ep-patent-status change-date="" status-code=""/>.
        if code or st_text:
            changed = parse_date(st.get("change-date"), field="change-date", source=source)
            out.append(StatusEntry(code=code, text=st_text, changed_on=changed))
    return tuple(out)


def _divisions(bib: etree._Element, own: str, *, source: str) -> tuple[ContinuityLink, ...]:
    """``reg:related-documents/reg:division/reg:relation``: the parent and children of a divisional.

    The register writes the application itself as an empty placeholder on its own side of the relation;
    the other side is an application number, often in the long form (20110776418 = EP11776418).
    """
    out = []
    for division in children(child(bib, REG_NS, "related-documents"), REG_NS, "division"):
        for relation in children(division, REG_NS, "relation"):
            for side, name in (("parent", "parent-doc"), ("child", "child-doc")):
                for d in children(child(relation, REG_NS, name), REG_NS, "document-id"):
                    if d.get("document-id-type") not in (None, "application number"):
                        continue
                    number = path_text(d, REG_NS, "doc-number")
                    if not number:
                        continue
                    other = normalized_number(path_text(d, REG_NS, "country") or "EP", number) or number
                    out.append(ContinuityLink(
                        relation=side, relation_code="DIV", relation_text="divisional application",
                        parent_number=other if side == "parent" else own,
                        child_number=own if side == "parent" else other,
                        filing_date=None, status_code=None, status_text=None, patent_number=None,
                    ))
    return tuple(dict.fromkeys(out))


# Long because: reads each element of the register's bibliographic data, in the document's order.
def _register_biblio(doc: etree._Element, *, source: str) -> Biblio:
    bib = child(doc, REG_NS, "bibliographic-data")
    if bib is None:
        raise ParseError("register-document without bibliographic-data", source=source)

    statuses = _statuses(doc, source=source)
    current = None
    if statuses:
        current = statuses[0]
        if all(s.changed_on for s in statuses):
            current = max(statuses, key=lambda s: s.changed_on)  # type: ignore[arg-type, return-value]

    pubs = [
        _reg_doc_id(child(p, REG_NS, "document-id"), source=source)
        for p in children(bib, REG_NS, "publication-reference")
    ]
    publications = tuple(p for p in pubs if p is not None)
    own = [p for p in publications if p.country != "WO"]
    wo = [p for p in publications if p.country == "WO"]
    a_pubs = [p for p in own if (p.kind or "A").startswith("A")]
    b_pubs = [p for p in own if (p.kind or "").startswith("B")]
    first_pub = min(a_pubs or own, key=lambda p: p.date or dt.date.max) if own else None
    latest = max(own or publications, key=lambda p: p.date or dt.date.min) if publications else None
    grant = max(b_pubs, key=lambda p: p.date or dt.date.min) if b_pubs else None

    apps = [
        _reg_doc_id(child(a, REG_NS, "document-id"), source=source)
        for a in children(bib, REG_NS, "application-reference")
    ]
    app = next((a for a in apps if a is not None and a.country != "WO"), None)
    pct_app = next((a for a in apps if a is not None and a.country == "WO"), None)
    if app is None:
        raise ParseError("register-document without an application-reference doc-number", source=source)
    office = app.country or bib.get("country") or "EP"

    titles: dict[str, str] = {}
    by_lang: dict[str, list[etree._Element]] = {}
    for t in children(bib, REG_NS, "invention-title"):
        by_lang.setdefault(t.get("lang") or "", []).append(t)
    for lang, blocks in by_lang.items():
        newest = _newest(blocks, source=source)
        if newest is not None and text(newest):
            titles[lang] = text(newest)
    title = titles.get("en") or next(iter(titles.values()), None)

    priority = []
    for block in [_newest(children(bib, REG_NS, "priority-claims"), source=source)]:
        for pc in children(block, REG_NS, "priority-claim"):
            priority.append(
                PriorityClaim(
                    country=path_text(pc, REG_NS, "country"),
                    number=path_text(pc, REG_NS, "doc-number"),
                    date=parse_date(
                        path_text(pc, REG_NS, "date"), field="priority-claim/date", source=source
                    ),
                    kind=pc.get("kind"),
                    sequence=parse_int(pc.get("sequence"), field="sequence", source=source),
                )
            )

    designated: list[str] = []
    states_block = _newest(children(bib, REG_NS, "designation-of-states"), source=source)
    if states_block is not None:
        for group in states_block.iter(f"{{{REG_NS}}}regional", f"{{{REG_NS}}}national"):
            for c in children(group, REG_NS, "country"):
                if text(c) and text(c) not in designated:
                    designated.append(text(c))

    lapsed: tuple[tuple[str, dt.date | None], ...] = ()
    term = _newest(children(bib, REG_NS, "term-of-grant"), source=source)
    if term is not None:
        lapsed = tuple(
            (
                path_text(x, REG_NS, "country"),
                parse_date(path_text(x, REG_NS, "date"), field="lapsed-in-country/date", source=source),
            )
            for x in children(term, REG_NS, "lapsed-in-country")
        )

    dates: dict[str, dt.date] = {}
    rights = child(bib, REG_NS, "dates-rights-effective")
    for el in (list(rights) if rights is not None else []) + [e for e in bib if local(e).startswith("date-")]:
        d = parse_date(path_text(el, REG_NS, "date"), field=local(el), source=source)
        if d:
            dates[local(el)] = d
    d = parse_date(
        path_text(bib, REG_NS, "opposition-data", "opposition-not-filed", "date"),
        field="opposition-not-filed",
        source=source,
    )
    if d:
        dates["opposition-not-filed"] = d

    parties = child(bib, REG_NS, "parties")
    pct_number = pct_app.number if pct_app else None
    return Biblio(
        office=office,
        source="epo-register",
        application_number=app.number,
        application_number_normalized=normalized_number(office, app.number),
        filing_date=app.date,
        publication_number=f"{first_pub.country}{first_pub.number}" if first_pub else None,
        publication_date=first_pub.date if first_pub else None,
        kind=latest.kind if latest else None,
        publications=publications,
        grant_number=f"{grant.country}{grant.number}" if grant else None,
        grant_date=grant.date if grant else None,
        status_code=current.code if current else None,
        status_text=(current.text if current else None) or doc.get("status") or bib.get("status"),
        status_date=current.changed_on if current else None,
        statuses=tuple(statuses),
        title=title,
        titles=titles,
        applicants=_reg_parties(parties, "applicants", "applicant", "applicant", source=source),
        inventors=_reg_parties(parties, "inventors", "inventor", "inventor", source=source),
        representatives=_reg_parties(parties, "agents", "agent", "representative", source=source),
        priority_claims=tuple(priority),
        designated_states=tuple(designated),
        lapsed_states=lapsed,
        pct_application_number=pct_number,
        pct_application_normalized=normalize_register_pct(pct_number) if pct_number else None,
        pct_publication_number=f"WO{wo[0].number}" if wo else None,
        pct_publication_date=wo[0].date if wo else None,
        language_of_filing=path_text(bib, REG_NS, "language-of-filing") or None,
        dates=dates,
        continuity=_divisions(bib, normalized_number(office, app.number) or app.number, source=source),
    )


def _register_events(doc: etree._Element, office: str, *, source: str) -> tuple[Event, ...]:
    raw = []
    for ev in doc.iter(f"{{{REG_NS}}}dossier-event"):
        code = raw_text(child(ev, REG_NS, "event-code"))
        if not code.strip():
            raise ParseError(f"dossier-event {ev.get('id')!r} without event-code", source=source)
        date = parse_date(
            path_text(ev, REG_NS, "event-date", "date"), field="event-date", source=source, required=True
        )
        gazette = child(ev, REG_NS, "gazette-reference")
        params: dict[str, Any] = {"event_type": ev.get("event-type")}
        if gazette is not None:
            params["gazette_num"] = path_text(gazette, REG_NS, "gazette-num") or None
            params["gazette_date"] = parse_date(
                path_text(gazette, REG_NS, "date"), field="gazette date", source=source
            )
        raw.append((ev.get("id"), code, date, path_text(ev, REG_NS, "event-text"), params))
    fallback = content_discriminators((c, d, t) for _, c, d, t, _ in raw)
    return tuple(
        Event(
            office=office,
            source=EventSource.REGISTER_EVENT,
            code=c,
            date=d,
            text=t,
            discriminator=i or fb,
            params=p,
        )
        for (i, c, d, t, p), fb in zip(raw, fallback, strict=True)
    )


_PRIMARY_STEP_DATES = ("DATE_OF_DISPATCH", "DATE_OF_PAYMENT", "DATE_OF_REQUEST")


def _procedural_steps(doc: etree._Element, office: str, *, source: str) -> tuple[Event, ...]:
    raw = []
    for step in doc.iter(f"{{{REG_NS}}}procedural-step"):
        code = raw_text(child(step, REG_NS, "procedural-step-code"))
        if not code.strip():
            raise ParseError(
                f"procedural-step {step.get('id')!r} without procedural-step-code", source=source
            )
        texts = {
            (t.get("step-text-type") or ""): text(t) for t in children(step, REG_NS, "procedural-step-text")
        }
        dates: dict[str, dt.date] = {}
        for d_el in children(step, REG_NS, "procedural-step-date"):
            d = parse_date(
                path_text(d_el, REG_NS, "date"),
                field=f"procedural-step-date {d_el.get('step-date-type')}",
                source=source,
            )
            if d:
                dates[d_el.get("step-date-type") or ""] = d
        primary = next(
            (dates[k] for k in _PRIMARY_STEP_DATES if k in dates), next(iter(dates.values()), None)
        )
        params: dict[str, Any] = {"phase": step.get("procedure-step-phase"), "dates": dates, "texts": texts}
        if "YEAR" in texts:
            params["renewal_year"] = parse_int(texts["YEAR"], field="YEAR", source=source)
        if "DATE_OF_REPLY" in dates:
            params["reply_date"] = dates["DATE_OF_REPLY"]
        tl = child(step, REG_NS, "time-limit")
        if tl is not None and text(tl):
            params["time_limit"] = parse_int(text(tl), field="time-limit", source=source)
            params["time_limit_unit"] = tl.get("time-limit-unit")
            if (tl.get("time-limit-unit") or "").lower() == "months":
                params["period_months"] = params["time_limit"]
        raw.append((step.get("id"), code, primary, texts.get("STEP_DESCRIPTION", ""), params))
    fallback = content_discriminators((c, d, t, sorted(p["texts"].items())) for _, c, d, t, p in raw)
    return tuple(
        Event(
            office=office,
            source=EventSource.PROCEDURAL_STEP,
            code=c,
            date=d,
            text=t,
            discriminator=i or fb,
            params=p,
        )
        for (i, c, d, t, p), fb in zip(raw, fallback, strict=True)
    )


def parse_register(body: bytes | str) -> list[RegisterDocument]:
    """Every ``register-document`` in a register response (one per number; several for a POST).

    The events and procedural-steps constituents come without ``bibliographic-data``: their
    ``RegisterDocument.biblio`` is ``None`` and the caller knows the number it asked for (``query`` also
    says it, e.g. ``publication=EP2400812``).
    """
    source = f"{SRC} register"
    root = _root(body, source=source)
    _require_ops_root(root, source=source)
    docs = list(root.iter(f"{{{REG_NS}}}register-document"))
    if not docs:
        raise ParseError("no reg:register-document in register response", source=source)
    query = path_text(root, OPS_NS, "register-search", "query") or None
    out = []
    for doc in docs:
        has_biblio = child(doc, REG_NS, "bibliographic-data") is not None
        biblio = _register_biblio(doc, source=source) if has_biblio else None
        office = biblio.office if biblio else "EP"
        statuses = biblio.statuses if biblio else _statuses(doc, source=source)
        out.append(
            RegisterDocument(
                biblio=biblio,
                events=_register_events(doc, office, source=source),
                procedural_steps=_procedural_steps(doc, office, source=source),
                date_produced=parse_date(doc.get("date-produced"), field="date-produced", source=source),
                statuses=statuses,
                query=query,
            )
        )
    return out


def parse_register_biblio(body: bytes | str) -> Biblio:
    doc = parse_register(body)[0]
    if doc.biblio is None:
        raise ParseError(
            "register response has no bibliographic-data (biblio constituent missing)", source=SRC
        )
    return doc.biblio


def parse_register_events(body: bytes | str) -> list[Event]:
    return list(parse_register(body)[0].events)


def parse_procedural_steps(body: bytes | str) -> list[Event]:
    return list(parse_register(body)[0].procedural_steps)


def _require_ops_root(root: etree._Element, *, source: str) -> None:
    if root.tag != f"{{{OPS_NS}}}world-patent-data":
        if local(root) in ("fault", "error"):
            fault = _fault_from(root)
            raise ParseError(f"OPS returned an error body: {fault.code} {fault.message}", source=source)
        raise ParseError(
            f"unexpected root element {root.tag!r}, expected ops:world-patent-data", source=source
        )


def _range(el: etree._Element | None, *, source: str) -> tuple[int | None, int | None]:
    r = child(el, OPS_NS, "range")
    if r is None:
        return None, None
    return parse_int(r.get("begin"), field="range@begin", source=source), parse_int(
        r.get("end"), field="range@end", source=source
    )


def parse_register_search(body: bytes | str) -> SearchPage:
    source = f"{SRC} register search"
    root = _root(body, source=source)
    _require_ops_root(root, source=source)
    rs = child(root, OPS_NS, "register-search")
    if rs is None:
        raise ParseError("no ops:register-search element", source=source)
    total = parse_int(rs.get("total-result-count"), field="total-result-count", source=source)
    if total is None:
        raise ParseError("register-search without total-result-count", source=source)
    begin, end = _range(rs, source=source)
    items = tuple(_register_biblio(d, source=source) for d in rs.iter(f"{{{REG_NS}}}register-document"))
    return SearchPage(
        total=total,
        range_begin=begin,
        range_end=end,
        query=path_text(rs, OPS_NS, "query") or None,
        items=items,
    )


# --- exchange documents: published data, family, legal ----------------------------------------------------


def _exch_ids(ref: etree._Element | None, *, source: str) -> list[DocumentRef]:
    out = []
    for d in children(ref, EXCH_NS, "document-id"):
        number = path_text(d, EXCH_NS, "doc-number")
        if not number:
            continue
        id_type = d.get("document-id-type")
        country = path_text(d, EXCH_NS, "country")
        if not country and id_type == "epodoc" and re.match(r"^[A-Z]{2}", number):
            country = number[:2]
        out.append(
            DocumentRef(
                country=country,
                number=number,
                kind=path_text(d, EXCH_NS, "kind").strip() or None,
                date=parse_date(path_text(d, EXCH_NS, "date"), field="document-id/date", source=source),
                number_type=id_type,
            )
        )
    return out


def _pick(ids: list[DocumentRef], *types: str) -> DocumentRef | None:
    for t in types:
        for i in ids:
            if i.number_type == t:
                return i
    return ids[0] if ids else None


_EPODOC_NAME = re.compile(r"^(.*?)\s*\[([A-Z]{2})\]\s*$")


def _exch_parties(
    parties: etree._Element | None, group: str, item: str, role: str, *, source: str
) -> tuple[Party, ...]:
    entries = children(child(parties, EXCH_NS, group), EXCH_NS, item)
    # OPS lists parties twice: data-format "epodoc" (one per party, "NAME [CC]") and "original" (as printed
    # on each publication, so A1 and B1 spellings repeat). epodoc is the de-duplicated list.
    epodoc = [e for e in entries if e.get("data-format") == "epodoc"]
    out = []
    for e in epodoc or entries:
        name = " ".join(text(e).split()).rstrip(", ")
        country = None
        m = _EPODOC_NAME.match(name)
        if m:
            name, country = m.group(1).rstrip(", "), m.group(2)
        if name:
            seq = parse_int(e.get("sequence"), field="sequence", source=source)
            out.append(Party(name=name, role=role, country=country, sequence=seq))
    return tuple(out)


def _exchange_biblio(doc: etree._Element, *, source: str) -> Biblio:
    bib = child(doc, EXCH_NS, "bibliographic-data")
    if bib is None:
        raise ParseError("exchange-document without bibliographic-data", source=source)
    pub_ids = _exch_ids(child(bib, EXCH_NS, "publication-reference"), source=source)
    app_ids = _exch_ids(child(bib, EXCH_NS, "application-reference"), source=source)
    pub = _pick(pub_ids, "docdb")
    app = _pick(app_ids, "docdb", "original")
    if app is None:
        raise ParseError("exchange-document without application-reference", source=source)
    country = doc.get("country") or app.country
    filing_date = next((i.date for i in app_ids if i.date), None)
    pub_date = next((i.date for i in pub_ids if i.date), None)
    original = _pick([i for i in app_ids if i.number_type == "original"], "original")
    priority = []
    own = {re.sub(r"\D", "", f"{i.number}") for i in app_ids if i.number_type == "epodoc"}
    for pc in children(child(bib, EXCH_NS, "priority-claims"), EXCH_NS, "priority-claim"):
        ids = _exch_ids(pc, source=source)
        # With no priority, published-data lists the application itself as its "priority" (EP2400812A1:
        # EP20100167109). A matter claiming priority from itself would move every priority-based date.
        if any(i.number_type == "epodoc" and re.sub(r"\D", "", i.number) in own for i in ids):
            continue
        ref = _pick(ids, "docdb", "epodoc", "original")
        if ref is not None:
            priority.append(
                PriorityClaim(
                    country=ref.country,
                    number=ref.number,
                    date=ref.date,
                    kind=pc.get("kind"),
                    sequence=parse_int(pc.get("sequence"), field="sequence", source=source),
                )
            )
    titles = {t.get("lang") or "": text(t) for t in children(bib, EXCH_NS, "invention-title") if text(t)}
    parties = child(bib, EXCH_NS, "parties")
    kind = doc.get("kind") or (pub.kind if pub else None)
    number = doc.get("doc-number") or (pub.number if pub else "")
    is_grant = (kind or "").startswith("B")
    if country == "WO":
        # A WO document's application-reference is the PCT application, written by the receiving office:
        # docdb US/2008086599/W, epodoc WO2008US86599, original US2008/086599. All read as one number.
        candidates = [f"{i.country or ''}{i.number}" for i in app_ids if i.number_type == "docdb"]
        candidates += [i.number for i in app_ids if i.number_type in ("epodoc", "original")]
        pct = next((n for n in (normalized_number("WO", c) for c in candidates) if n), None)
        app_number, app_normalized = pct or app.number, pct
    else:
        pct = None
        app_number = app.number
        app_normalized = normalized_number(country, original.number if original else app.number)
    return Biblio(
        office=country,
        source="epo-published-data",
        application_number=app_number,
        application_number_normalized=app_normalized,
        pct_application_number=app.number if pct else None,
        pct_application_normalized=pct,
        filing_date=filing_date,
        publication_number=f"{country}{number}" if number and not is_grant else None,
        publication_date=pub_date if not is_grant else None,
        kind=kind,
        publications=tuple(i for i in pub_ids if i.number_type == "docdb") or tuple(pub_ids),
        grant_number=f"{country}{number}" if is_grant else None,
        grant_date=pub_date if is_grant else None,
        title=titles.get("en") or next(iter(titles.values()), None),
        titles=titles,
        applicants=_exch_parties(parties, "applicants", "applicant", "applicant", source=source),
        inventors=_exch_parties(parties, "inventors", "inventor", "inventor", source=source),
        priority_claims=tuple(priority),
        family_id=doc.get("family-id"),
    )


def parse_published_biblio(body: bytes | str) -> list[Biblio]:
    """One Biblio per ``exchange-document`` (an epodoc request can return A1 and B1 together)."""
    source = f"{SRC} published-data"
    root = _root(body, source=source)
    _require_ops_root(root, source=source)
    search = child(root, OPS_NS, "biblio-search")
    if search is not None:
        # A search page names documents without their data; docketing from it would create empty matters.
        raise ParseError(
            f"this is a published-data search page ({search.get('total-result-count') or '?'} hits), not a "
            "document's bibliographic data: nothing to docket from it", source=source, category=OUT_OF_SCOPE,
        )
    docs = [d for d in root.iter(f"{{{EXCH_NS}}}exchange-document") if d.get("status") != "not found"]
    if not docs:
        raise ParseError("no exchange-document in published-data response", source=source)
    return [_exchange_biblio(d, source=source) for d in docs]


def _family_member(fm: etree._Element, *, source: str) -> FamilyMember:
    pub = _pick(_exch_ids(child(fm, EXCH_NS, "publication-reference"), source=source), "docdb")
    if pub is None:
        raise ParseError("family-member without publication-reference", source=source)
    app = _pick(_exch_ids(child(fm, EXCH_NS, "application-reference"), source=source), "docdb")
    claims = []
    for pc in children(fm, EXCH_NS, "priority-claim"):
        ref = _pick(_exch_ids(pc, source=source), "docdb", "epodoc")
        if ref is not None:
            indicator = path_text(pc, EXCH_NS, "priority-active-indicator")
            claims.append(
                PriorityClaim(
                    country=ref.country,
                    number=ref.number,
                    date=ref.date,
                    kind=pc.get("kind"),
                    sequence=parse_int(pc.get("sequence"), field="sequence", source=source),
                    active={"YES": True, "NO": False}.get(indicator),
                )
            )
    return FamilyMember(
        publication=pub, application=app, priority_claims=tuple(claims), family_id=fm.get("family-id")
    )


def parse_family(body: bytes | str) -> Family:
    source = f"{SRC} family"
    root = _root(body, source=source)
    _require_ops_root(root, source=source)
    pf = child(root, OPS_NS, "patent-family")
    if pf is None:
        raise ParseError("no ops:patent-family element", source=source)
    members = tuple(_family_member(fm, source=source) for fm in children(pf, OPS_NS, "family-member"))
    family_ids = {m.family_id for m in members if m.family_id}
    return Family(
        family_id=next(iter(family_ids)) if len(family_ids) == 1 else None,
        total=parse_int(pf.get("total-result-count"), field="total-result-count", source=source),
        members=members,
    )


_L_FIELD = re.compile(r"^L\d{3}EP$")
_ORIGINAL_CODE = re.compile(r"ORIGINAL CODE:\s*(\S+)")


def parse_inpadoc_legal(body: bytes | str) -> list[Event]:
    """INPADOC legal events of every family member in a ``legal`` response, in document order."""
    source = f"{SRC} legal"
    root = _root(body, source=source)
    _require_ops_root(root, source=source)
    pf = child(root, OPS_NS, "patent-family")
    if pf is None:
        raise ParseError("no ops:patent-family element in legal response", source=source)
    out: list[Event] = []
    for fm in children(pf, OPS_NS, "family-member"):
        pub = _pick(_exch_ids(child(fm, EXCH_NS, "publication-reference"), source=source), "docdb")
        out += _member_legal_events(fm, pub, source=source)
    return out


def parse_family_members(body: bytes | str) -> list[FamilyMember]:
    """``family/…[/biblio][,legal]``: every member with its own exchange-documents and INPADOC events.

    Each member's data stays on that member: a family answer holds other offices' applications, and
    their events are theirs, not the requested application's.
    """
    source = f"{SRC} family"
    root = _root(body, source=source)
    _require_ops_root(root, source=source)
    pf = child(root, OPS_NS, "patent-family")
    if pf is None:
        raise ParseError("no ops:patent-family element in family response", source=source)
    out = []
    for fm in children(pf, OPS_NS, "family-member"):
        member = _family_member(fm, source=source)
        biblios = tuple(_exchange_biblio(d, source=source) for d in children(fm, EXCH_NS, "exchange-document")
                        if d.get("status") != "not found")
        events = tuple(_member_legal_events(fm, member.publication, source=source))
        out.append(replace(member, biblio=biblios, events=events))
    return out


def _member_legal_events(fm: etree._Element, pub: DocumentRef | None, *, source: str) -> list[Event]:
    """The ``ops:legal`` events of one family member; discriminators from content, within the member."""
    raw = []
    for legal in children(fm, OPS_NS, "legal"):
        code = legal.get("code")
        if code is None or not code.strip():
            raise ParseError("ops:legal without @code", source=source)
        fields: dict[str, str] = {}
        descs: dict[str, str] = {}
        for el in legal.iter(f"{{{OPS_NS}}}*"):
            name = local(el)
            if _L_FIELD.match(name) and len(el) == 0:
                fields[name] = raw_text(el).strip()
                if el.get("desc"):
                    descs[name] = el.get("desc")
        date = parse_date(
            fields.get("L007EP"),
            field=f"legal {code.strip()} L007EP (gazette date)",
            source=source,
            required=True,
        )
        params: dict[str, Any] = {
            "desc": legal.get("desc") or "",
            "infl": legal.get("infl"),
            "publication": pub.text if pub else None,
            "document_number": fields.get("L003EP") or None,
            "effective_date": parse_date(fields.get("L525EP"), field="L525EP", source=source),
            "ref_country": fields.get("L501EP") or None,
            "ref_code": fields.get("L502EP") or None,
            "free_text": fields.get("L510EP") or None,
            "payment_date": parse_date(fields.get("L518EP"), field="L518EP", source=source),
            "fee_year": parse_int(fields.get("L520EP"), field="L520EP", source=source),
            "designated_states": tuple(fields.get("L507EP", "").split()),
            "validation_states": tuple(fields.get("L524EP", "").split()),
            "owner": fields.get("L509EP") or None,
            "opponent": fields.get("L519EP") or None,
            "fields": fields,
            "field_names": descs,
        }
        m = _ORIGINAL_CODE.search(fields.get("L510EP", ""))
        params["original_code"] = m.group(1) if m else None
        office = fields.get("L001EP") or (pub.country if pub else "")
        if (fields.get("L004EP") or "").strip() == "W":
            # DOCDB writes a PCT application as its receiving office's country with kind W (recorded in
            # family WO2009085664: US / 2008086599 / W): the event is the international application's.
            office = "WO"
        text_ = legal.get("desc") or ""
        # L018EP/L019EP are exchange timestamps: they change when INPADOC re-sends an unchanged event.
        stable = tuple(sorted((k, v) for k, v in fields.items() if k not in ("L018EP", "L019EP")))
        raw.append((office, code, date, text_, params, (code, date, stable)))
    discs = content_discriminators(r[5] for r in raw)
    return [
        Event(office=o, source=EventSource.INPADOC, code=c, date=d, text=t, discriminator=disc, params=p)
        for (o, c, d, t, p, _), disc in zip(raw, discs, strict=True)
    ]


def parse_number_service(body: bytes | str) -> tuple[DocumentRef, DocumentRef]:
    """``number-service``: the (input, output) document-ids of an ``ops:standardization``.

    E.g. original ``PCT/GB02/04635`` → docdb ``GB 0204635 W``: the office's own statement that two
    written forms are one application.
    """
    source = f"{SRC} number-service"
    root = _root(body, source=source)
    _require_ops_root(root, source=source)
    std = next(root.iter(f"{{{OPS_NS}}}standardization"), None)
    if std is None:
        raise ParseError("no ops:standardization element", source=source)
    refs = []
    for side in ("input", "output"):
        wrapper = child(std, OPS_NS, side)
        refs_el = [el for el in (wrapper if wrapper is not None else []) if isinstance(el.tag, str)]
        ids = [i for el in refs_el for i in _exch_ids(el, source=source)]
        if not ids:
            raise ParseError(f"ops:standardization without an {side} document-id", source=source)
        refs.append(ids[0])
    return refs[0], refs[1]


def parse_published_search(body: bytes | str) -> SearchPage:
    """``published-data/search``: ``ops:biblio-search`` with ``ops:search-result/ops:publication-reference``.

    Recorded: tests/fixtures/offices/epo/published-data-search-*.xml.
    """
    source = f"{SRC} published-data search"
    root = _root(body, source=source)
    _require_ops_root(root, source=source)
    bs = child(root, OPS_NS, "biblio-search")
    if bs is None:
        raise ParseError("no ops:biblio-search element", source=source)
    total = parse_int(bs.get("total-result-count"), field="total-result-count", source=source)
    if total is None:
        raise ParseError("biblio-search without total-result-count", source=source)
    begin, end = _range(bs, source=source)
    pubs = []
    result = child(bs, OPS_NS, "search-result")
    for ref in children(result, OPS_NS, "publication-reference"):
        picked = _pick(_exch_ids(ref, source=source), "docdb")
        if picked is not None:
            pubs.append(picked)
    # With the biblio constituent (search/biblio) each hit is a whole exchange-document instead.
    items = tuple(
        _exchange_biblio(d, source=source)
        for d in (result.iter(f"{{{EXCH_NS}}}exchange-document") if result is not None else [])
        if d.get("status") != "not found"
    )
    pubs += [p for b in items for p in b.publications[:1]]
    query = path_text(bs, OPS_NS, "query") or None
    return SearchPage(
        total=total, range_begin=begin, range_end=end, query=query, items=items, publications=tuple(pubs)
    )


# --- errors, token, headers -------------------------------------------------------------------------------


def _fault_from(root: etree._Element) -> OpsFault:
    def field(name: str) -> str:
        for el in root:
            if local(el) == name:
                return text(el)
        return ""

    return OpsFault(
        code=field("code"),
        message=field("message"),
        description=field("description"),
        more_info=field("moreInfo"),
    )


def parse_ops_fault(body: bytes | str) -> OpsFault:
    """``<fault xmlns="http://ops.epo.org">`` (OPS) or ``<error>`` (API gateway: 400/401/403) → OpsFault."""
    source = f"{SRC} fault"
    root = _root(body, source=source)
    if local(root) not in ("fault", "error"):
        raise ParseError(f"not an OPS fault body (root {root.tag!r})", source=source)
    fault = _fault_from(root)
    if not fault.code and not fault.message:
        raise ParseError("OPS fault body without code or message", source=source)
    return fault


def ops_no_data(body: bytes | str) -> OpsFault | None:
    """The OPS fault that says "no data" (``SERVER.EntityNotFound``, e.g. "No results found"), else None.

    Such a body is the office's answer, not a broken document: it must never be filed as a schema error.
    """
    try:
        fault = parse_ops_fault(body)
    except ParseError:
        return None
    return fault if fault.is_not_found else None


def parse_ops_token(body: bytes | str) -> OpsTokenResponse:
    source = f"{SRC} accesstoken"
    data = load_json(body, source=source)
    if not isinstance(data, dict):
        raise ParseError("token response is not a JSON object", source=source)
    token = str(data.get("access_token") or "").strip()
    if not token:
        raise ParseError("token response without access_token", source=source)
    expires_in = parse_int(data.get("expires_in"), field="expires_in", source=source)
    if expires_in is None:
        raise ParseError("token response without expires_in", source=source)
    issued_ms = parse_int(data.get("issued_at"), field="issued_at", source=source)
    return OpsTokenResponse(
        access_token=token,
        expires_in=expires_in,
        token_type=str(data.get("token_type") or ""),
        issued_at=dt.datetime.fromtimestamp(issued_ms / 1000, tz=dt.UTC) if issued_ms else None,
        status=data.get("status"),
    )


_THROTTLE = re.compile(r"^\s*([A-Za-z]+)\s*\((.*)\)\s*$")
_THROTTLE_SERVICE = re.compile(r"^\s*([\w-]+)\s*=\s*([A-Za-z]+)\s*:\s*(\d+)\s*$")


def parse_throttling_control(value: str) -> ThrottlingControl:
    """``busy (images=green:100, inpadoc=green:45, other=green:1000, retrieval=green:100, search=…)``."""
    source = f"{SRC} X-Throttling-Control"
    m = _THROTTLE.match(value or "")
    if not m:
        raise ParseError(f"unreadable X-Throttling-Control {value!r}", category=MALFORMED, source=source)
    services = {}
    for part in m.group(2).split(","):
        if not part.strip():
            continue
        sm = _THROTTLE_SERVICE.match(part)
        if not sm:
            raise ParseError(
                f"unreadable service entry {part!r} in X-Throttling-Control",
                category=MALFORMED,
                source=source,
            )
        services[sm.group(1).lower()] = ThrottleService(
            color=sm.group(2).lower(), limit_per_minute=int(sm.group(3))
        )
    return ThrottlingControl(state=m.group(1).lower(), services=services)


def parse_quota_headers(headers: Mapping[str, str]) -> OpsQuotaHeaders:
    h = {k.lower(): v for k, v in headers.items()}
    source = f"{SRC} headers"
    throttle = h.get("x-throttling-control")
    return OpsQuotaHeaders(
        throttling=parse_throttling_control(throttle) if throttle else None,
        individual_quota_per_hour_used=parse_int(
            h.get("x-individualquotaperhour-used"), field="X-IndividualQuotaPerHour-Used", source=source
        ),
        registered_quota_per_week_used=parse_int(
            h.get("x-registeredquotaperweek-used"), field="X-RegisteredQuotaPerWeek-Used", source=source
        ),
        rejection_reason=(h.get("x-rejection-reason") or "").strip() or None,
        retry_after_seconds=parse_int(h.get("retry-after"), field="Retry-After", source=source),
    )


__all__ = [
    "parse_family",
    "parse_inpadoc_legal",
    "parse_ops_fault",
    "parse_ops_token",
    "parse_procedural_steps",
    "parse_published_biblio",
    "parse_published_search",
    "parse_quota_headers",
    "parse_register",
    "parse_register_biblio",
    "parse_register_events",
    "parse_register_search",
    "parse_throttling_control",
    "normalize_register_pct",
]
