"""USPTO Open Data Portal (``api.uspto.gov/api/v1/patent/…``) and legacy PEDS bodies → dataclasses.

ODP production (``/applications/{n}``, ``/transactions``, ``/continuity``, ``/documents``, ``/adjustment``,
``/foreign-priority``, ``/applications/search``): ``{"count": N, "patentFileWrapperDataBag": [ {…} ],
"requestIdentifier": …}``; each wrapper has ``applicationNumberText`` and the parts the endpoint returns.

- ``applicationMetaData``: ``applicationStatusCode`` (int, e.g. 150) + ``applicationStatusDescriptionText``
  ("Patented Case") + ``applicationStatusDate`` → Biblio.status_*; ``filingDate``; ``applicationTypeCode``
  (UTL, DES, PLT, PROV …) → application_type; ``firstInventorToFileIndicator`` ("Y"/"N") →
  first_inventor_to_file; ``earliestPublicationNumber``/``earliestPublicationDate`` → publication_*;
  ``patentNumber``/``grantDate`` → grant_*; ``entityStatusData.businessEntityStatusCategory`` ("Regular
  Undiscounted", "Small", "Micro") → entity_status; ``inventionTitle``; ``inventorBag``; ``applicantBag``;
  customer number, art unit, examiner, docket number → ``extra``.
- ``eventDataBag[]``: ``eventCode`` (e.g. CTNF, NOA "MN/=.", "BIG." — kept as written), ``eventDate``,
  ``eventDescriptionText`` → Event with source ``odp-transaction``; discriminator = ordinal among entries
  with the same code and date (identical entries happen and are all kept).
- ``parentContinuityBag[]`` / ``childContinuityBag[]``: ``claimParentageTypeCode`` (CON, DIV, CIP, PRO,
  NST …) with its description, both application numbers, the other application's filing date, status and
  patent number → ContinuityLink. The parent bag holds the whole chain (grandparents included).
- ``foreignPriorityBag[]``: ``ipOfficeName``, ``applicationNumberText``, ``filingDate`` → PriorityClaim
  (country code left empty: ODP gives the office *name*).
- ``documentBag[]`` (``/documents``, top-level ``documentBag``): ``documentCode``, ``officialDate`` (ISO
  datetime with offset; the calendar date as written is kept), ``documentIdentifier``, direction, download
  options → OdpDocument.
- ``patentTermAdjustmentData`` → PatentTermAdjustment (total and A/B/C delays in days).
- Errors: ``{"code": 404, "message": "Not Found", "detailedMessage": …}`` or ``{"code": 400, "error": "Bad
  Request", "errorDetails": …}`` → OdpError.

Beta ODP (May 2024): ``{"count", "patentBag": [ {flat fields} ]}`` → Biblio with source ``odp-beta``.
Legacy PEDS: ``queryResults.searchResponse.response.docs[]`` with ``transactions[]`` (``recordDate``,
``code``, ``description``) → Event with source ``peds-transaction``; ``appStatus``/``appStatusDate``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from patents.numbers import office_code_from_name
from patents.parsers._util import (
    as_list,
    load_json,
    normalized_number,
    obj,
    ordinal_discriminators,
    parse_bool,
    parse_date,
    parse_int,
    s,
)
from patents.parsers.errors import ParseError
from patents.parsers.types import Biblio, ContinuityLink, Event, EventSource, Party, PriorityClaim, SearchPage

SRC = "uspto-odp"


@dataclass(frozen=True)
class OdpDocument:
    application_number: str
    document_code: str  # as written: CTNF, NOA, PETDEC, "PA.." …
    official_date: dt.date
    identifier: str
    description: str
    direction: str | None  # INCOMING / OUTGOING / INTERNAL
    page_count: int | None
    downloads: dict[str, str] = field(default_factory=dict)  # mime type (PDF, XML, MS_WORD …) → URL


@dataclass(frozen=True)
class PatentTermAdjustment:
    total_days: int | None
    a_delay_days: int | None
    b_delay_days: int | None
    c_delay_days: int | None
    overlapping_days: int | None
    applicant_delay_days: int | None
    history_count: int = 0


@dataclass(frozen=True)
class OdpApplication:
    """One ``patentFileWrapperDataBag`` entry: whatever parts the endpoint returned."""

    application_number: str
    biblio: Biblio | None  # None when the response has no applicationMetaData (e.g. /transactions)
    events: tuple[Event, ...] = ()
    continuity: tuple[ContinuityLink, ...] = ()
    foreign_priority: tuple[PriorityClaim, ...] = ()
    adjustment: PatentTermAdjustment | None = None


@dataclass(frozen=True)
class OdpError:
    status: int | None
    message: str
    detail: str
    request_id: str | None


@dataclass(frozen=True)
class OdpStatusCodes:
    total: int
    codes: dict[str, str]  # applicationStatusCode (as a string) → description


def _root(body: bytes | str, *, source: str) -> dict[str, Any]:
    data = load_json(body, source=source)
    if not isinstance(data, dict):
        raise ParseError("response is not a JSON object", source=source)
    if "patentFileWrapperDataBag" not in data and "documentBag" not in data and _looks_like_error(data):
        err = _error_from(data)
        raise ParseError(
            f"ODP returned an error body: {err.status} {err.message} {err.detail}".strip(), source=source
        )
    return data


def _wrappers(data: dict[str, Any], *, source: str) -> list[dict[str, Any]]:
    bag = data.get("patentFileWrapperDataBag")
    if bag is None:
        raise ParseError("no patentFileWrapperDataBag in response", source=source)
    wrappers = [w for w in as_list(bag) if isinstance(w, dict)]
    if not wrappers:
        raise ParseError("patentFileWrapperDataBag is empty", source=source)
    return wrappers


def _person(entry: dict[str, Any]) -> str:
    parts = [s(entry.get(k)) for k in ("firstName", "middleName", "lastName")]
    return " ".join(p for p in parts if p)


def _events(bag: Any, *, source: str, event_source: str = EventSource.ODP_TRANSACTION) -> tuple[Event, ...]:
    raw = []
    for e in as_list(bag):
        if not isinstance(e, dict):
            raise ParseError("eventDataBag entry is not an object", source=source)
        code = e.get("eventCode")
        if code is None or not str(code).strip():
            raise ParseError(f"transaction without eventCode: {e!r}", source=source)
        date = parse_date(e.get("eventDate"), field=f"eventDate of {code}", source=source, required=True)
        raw.append((str(code), date, s(e.get("eventDescriptionText"))))
    discs = ordinal_discriminators((c, d) for c, d, _ in raw)
    return tuple(
        Event(office="US", source=event_source, code=c, date=d, text=t, discriminator=n,
              params=maintenance_fee_params(c))
        for (c, d, t), n in zip(raw, discs, strict=True)
    )


# USPTO maintenance fee payment codes: M<entity>55<n> = "Payment of Maintenance Fee, <4th|8th|12th> Year,
# <Large|Small|Micro> Entity" (entity 1 large, 2 small, 3 micro; n 1/2/3). The year is the instance of the
# maintenance fee it pays (due 3.5 / 7.5 / 11.5 years after grant, 35 U.S.C. 41(b)(1)).
_MAINTENANCE_FEE = re.compile(r"M[123]55([123])")
_MAINTENANCE_YEAR = {"1": "3.5", "2": "7.5", "3": "11.5"}


def maintenance_fee_params(code: str) -> dict[str, Any]:
    m = _MAINTENANCE_FEE.fullmatch(code.strip())
    return {"year": _MAINTENANCE_YEAR[m.group(1)]} if m else {}


def _continuity(wrapper: dict[str, Any], *, source: str) -> tuple[ContinuityLink, ...]:
    out = []
    for relation, other in (("parent", "parent"), ("child", "child")):
        for c in as_list(wrapper.get(f"{relation}ContinuityBag")):
            if not isinstance(c, dict):
                continue
            parent, child = s(c.get("parentApplicationNumberText")), s(c.get("childApplicationNumberText"))
            if not parent or not child:
                raise ParseError(
                    f"{relation}ContinuityBag entry without both application numbers", source=source
                )
            status_code = c.get(f"{other}ApplicationStatusCode")
            out.append(
                ContinuityLink(
                    relation=relation,
                    relation_code=s(c.get("claimParentageTypeCode")),
                    relation_text=s(c.get("claimParentageTypeCodeDescriptionText"))
                    or s(c.get("claimParentageTypeCodeDescription")),
                    parent_number=parent,
                    child_number=child,
                    filing_date=parse_date(
                        c.get(f"{other}ApplicationFilingDate"),
                        field=f"{other}ApplicationFilingDate",
                        source=source,
                    ),
                    status_code=None if status_code is None else str(status_code),
                    status_text=s(c.get(f"{other}ApplicationStatusDescriptionText")) or None,
                    patent_number=s(c.get(f"{other}PatentNumber")) or None,
                    first_inventor_to_file=parse_bool(c.get("firstInventorToFileIndicator")),
                )
            )
    return tuple(out)


def _foreign_priority(wrapper: dict[str, Any], *, source: str) -> tuple[PriorityClaim, ...]:
    out = []
    for i, p in enumerate(as_list(wrapper.get("foreignPriorityBag")), start=1):
        if not isinstance(p, dict):
            continue
        # Production ODP names the office ("CHINA"), the 2024 beta wrote countryName; only some
        # records carry a code. A name not in the table leaves country empty and office_name set: the
        # claim is kept for a person to read, never dropped or given a guessed country.
        name = s(p.get("ipOfficeName")) or s(p.get("countryName")) or None
        out.append(
            PriorityClaim(
                country=s(p.get("countryCode")).upper() or office_code_from_name(name) or "",
                number=s(p.get("applicationNumberText")) or s(p.get("priorityNumberText")),
                date=parse_date(p.get("filingDate"), field="foreignPriorityBag.filingDate", source=source),
                kind="foreign",
                sequence=i,
                office_name=name,
            )
        )
    return tuple(out)


def _adjustment(data: Any, *, source: str) -> PatentTermAdjustment | None:
    if not isinstance(data, dict):
        return None

    def n(key: str) -> int | None:
        return parse_int(data.get(key), field=f"patentTermAdjustmentData.{key}", source=source)

    return PatentTermAdjustment(
        total_days=n("adjustmentTotalQuantity"),
        a_delay_days=n("aDelayQuantity"),
        b_delay_days=n("bDelayQuantity"),
        c_delay_days=n("cDelayQuantity"),
        overlapping_days=n("overlappingDayQuantity"),
        applicant_delay_days=n("applicantDayDelayQuantity"),
        history_count=len(as_list(data.get("patentTermAdjustmentHistoryDataBag"))),
    )


# Long because: reads each ODP meta-data field, in the office's order.
def _biblio(wrapper: dict[str, Any], meta: dict[str, Any], *, source: str, feed: str = "odp") -> Biblio:
    number = s(wrapper.get("applicationNumberText") or meta.get("applicationNumberText"))
    if not number:
        raise ParseError("application without applicationNumberText", source=source)
    status_code = meta.get("applicationStatusCode")
    applicants = []
    for i, a in enumerate(as_list(meta.get("applicantBag")), start=1):
        if isinstance(a, dict) and s(a.get("applicantNameText")):
            addr = next((x for x in as_list(a.get("correspondenceAddressBag")) if isinstance(x, dict)), {})
            applicants.append(
                Party(
                    name=s(a.get("applicantNameText")),
                    role="applicant",
                    country=s(addr.get("countryCode")) or None,
                    sequence=i,
                )
            )
    if not applicants and s(meta.get("firstApplicantName")):
        applicants.append(Party(name=s(meta.get("firstApplicantName")), role="applicant", sequence=1))
    inventors = [
        Party(
            name=s(x.get("inventorNameText")) or _person(x),
            role="inventor",
            country=s(x.get("countryCode")) or None,
            sequence=i,
        )
        for i, x in enumerate(as_list(meta.get("inventorBag")), start=1)
        if isinstance(x, dict) and (s(x.get("inventorNameText")) or _person(x))
    ]
    reps: list[Party] = []
    attorney = obj(wrapper.get("recordAttorney"))
    seen = set()
    for x in as_list(attorney.get("powerOfAttorneyBag")) + as_list(attorney.get("attorneyBag")):
        if not isinstance(x, dict) or s(x.get("activeIndicator")).upper() not in ("", "ACTIVE"):
            continue
        reg = s(x.get("registrationNumber")) or None
        if (reg, _person(x)) in seen or not _person(x):
            continue
        seen.add((reg, _person(x)))
        reps.append(Party(name=_person(x), role="representative", office_id=reg, sequence=len(reps) + 1))
    entity = obj(meta.get("entityStatusData"))
    title = s(meta.get("inventionTitle")) or None
    dates = {}
    for key in ("effectiveFilingDate", "earliestPublicationDate", "applicationStatusDate", "grantDate"):
        d = parse_date(meta.get(key), field=key, source=source)
        if d:
            dates[key] = d
    extra = {
        key: meta[key]
        for key in (
            "customerNumber",
            "groupArtUnitNumber",
            "examinerNameText",
            "docketNumber",
            "applicationConfirmationNumber",
            "applicationTypeCategory",
            "applicationTypeLabelName",
            "nationalStageIndicator",
            "cpcClassificationBag",
            "publicationCategoryBag",
        )
        if meta.get(key) not in (None, "", [])
    }
    if entity.get("smallEntityStatusIndicator") is not None:
        extra["smallEntityStatusIndicator"] = parse_bool(entity.get("smallEntityStatusIndicator"))
    if wrapper.get("lastIngestionDateTime"):
        extra["lastIngestionDateTime"] = wrapper["lastIngestionDateTime"]
    pta = _adjustment(wrapper.get("patentTermAdjustmentData"), source=source)
    if pta is not None:
        extra["pta_total_days"] = pta.total_days
    pub_number = s(meta.get("earliestPublicationNumber")) or None
    return Biblio(
        office="US",
        source=feed,
        application_number=number,
        application_number_normalized=normalized_number("US", number),
        filing_date=parse_date(meta.get("filingDate"), field="filingDate", source=source),
        publication_number=pub_number,
        publication_date=parse_date(
            meta.get("earliestPublicationDate"), field="earliestPublicationDate", source=source
        ),
        grant_number=s(meta.get("patentNumber")) or None,
        grant_date=parse_date(meta.get("grantDate"), field="grantDate", source=source),
        status_code=None if status_code is None or status_code == "" else str(status_code),
        status_text=s(meta.get("applicationStatusDescriptionText")) or None,
        status_date=parse_date(
            meta.get("applicationStatusDate"), field="applicationStatusDate", source=source
        ),
        title=title,
        titles={"en": title} if title else {},
        applicants=tuple(applicants),
        inventors=tuple(inventors),
        representatives=tuple(reps),
        priority_claims=_foreign_priority(wrapper, source=source),
        application_type=s(meta.get("applicationTypeCode")) or None,
        entity_status=s(
            entity.get("businessEntityStatusCategory") or meta.get("businessEntityStatusCategory")
        )
        or None,
        first_inventor_to_file=parse_bool(meta.get("firstInventorToFileIndicator")),
        continuity=_continuity(wrapper, source=source),
        dates=dates,
        extra=extra,
    )


def _application(wrapper: dict[str, Any], *, source: str) -> OdpApplication:
    number = s(wrapper.get("applicationNumberText"))
    meta = wrapper.get("applicationMetaData")
    if not number and isinstance(meta, dict):
        number = s(meta.get("applicationNumberText"))
    if not number:
        raise ParseError("patentFileWrapperDataBag entry without applicationNumberText", source=source)
    return OdpApplication(
        application_number=number,
        biblio=_biblio(wrapper, meta, source=source) if isinstance(meta, dict) else None,
        events=_events(wrapper.get("eventDataBag"), source=source),
        continuity=_continuity(wrapper, source=source),
        foreign_priority=_foreign_priority(wrapper, source=source),
        adjustment=_adjustment(wrapper.get("patentTermAdjustmentData"), source=source),
    )


def parse_odp_response(body: bytes | str) -> list[OdpApplication]:
    """Every wrapper of any ``patentFileWrapperDataBag`` response (application, transactions, …)."""
    source = f"{SRC} application"
    data = _root(body, source=source)
    return [_application(w, source=source) for w in _wrappers(data, source=source)]


def parse_odp_application(body: bytes | str) -> OdpApplication:
    """``GET /applications/{n}`` (or ``/meta-data``): the single application, with biblio."""
    app = parse_odp_response(body)[0]
    if app.biblio is None:
        raise ParseError("application response without applicationMetaData", source=f"{SRC} application")
    return app


def parse_odp_transactions(body: bytes | str) -> list[Event]:
    return list(parse_odp_response(body)[0].events)


def parse_odp_continuity(body: bytes | str) -> list[ContinuityLink]:
    return list(parse_odp_response(body)[0].continuity)


def parse_odp_foreign_priority(body: bytes | str) -> list[PriorityClaim]:
    return list(parse_odp_response(body)[0].foreign_priority)


def parse_odp_adjustment(body: bytes | str) -> PatentTermAdjustment:
    pta = parse_odp_response(body)[0].adjustment
    if pta is None:
        raise ParseError("adjustment response without patentTermAdjustmentData", source=f"{SRC} adjustment")
    return pta


def parse_odp_documents(body: bytes | str) -> list[OdpDocument]:
    source = f"{SRC} documents"
    data = _root(body, source=source)
    if "documentBag" not in data:
        raise ParseError("no documentBag in documents response", source=source)
    out = []
    for d in as_list(data.get("documentBag")):
        if not isinstance(d, dict):
            raise ParseError("documentBag entry is not an object", source=source)
        code = s(d.get("documentCode"))
        if not code:
            raise ParseError(f"document without documentCode: {d.get('documentIdentifier')!r}", source=source)
        downloads = {}
        pages = None
        for opt in as_list(d.get("downloadOptionBag")):
            if isinstance(opt, dict) and opt.get("mimeTypeIdentifier"):
                downloads[s(opt["mimeTypeIdentifier"])] = s(opt.get("downloadUrl"))
                if pages is None and opt.get("pageTotalQuantity") is not None:
                    pages = parse_int(opt.get("pageTotalQuantity"), field="pageTotalQuantity", source=source)
        out.append(
            OdpDocument(
                application_number=s(d.get("applicationNumberText")),
                document_code=code,
                official_date=parse_date(
                    d.get("officialDate"), field=f"officialDate of {code}", source=source, required=True
                ),  # type: ignore[arg-type]
                identifier=s(d.get("documentIdentifier")),
                description=s(d.get("documentCodeDescriptionText")),
                direction=s(d.get("directionCategory")) or None,
                page_count=pages,
                downloads=downloads,
            )
        )
    return out


def parse_odp_search(body: bytes | str) -> SearchPage:
    """``/applications/search``: ``count`` (all hits) and this page's wrappers. count 0 → empty page."""
    source = f"{SRC} search"
    data = _root(body, source=source)
    total = parse_int(data.get("count"), field="count", source=source)
    if total is None:
        raise ParseError("search response without count", source=source)
    items = []
    for w in as_list(data.get("patentFileWrapperDataBag")):
        if isinstance(w, dict):
            meta = w.get("applicationMetaData")
            items.append(_biblio(w, meta if isinstance(meta, dict) else {}, source=source))
    return SearchPage(total=total, range_begin=None, range_end=None, query=None, items=tuple(items))


def parse_odp_status_codes(body: bytes | str) -> OdpStatusCodes:
    source = f"{SRC} status-codes"
    data = _root(body, source=source)
    total = parse_int(data.get("count"), field="count", source=source)
    codes = {
        str(c.get("applicationStatusCode")): s(c.get("applicationStatusDescriptionText"))
        for c in as_list(data.get("statusCodeBag"))
        if isinstance(c, dict) and c.get("applicationStatusCode") is not None
    }
    if total is None:
        raise ParseError("status-codes response without count", source=source)
    return OdpStatusCodes(total=total, codes=codes)


def _looks_like_error(data: dict[str, Any]) -> bool:
    return any(k in data for k in ("error", "errorDetails", "detailedMessage")) or (
        "message" in data and "count" not in data
    )


def _error_from(data: dict[str, Any]) -> OdpError:
    status = data.get("code") if "code" in data else data.get("status")
    try:
        status = int(status) if status is not None else None
    except (TypeError, ValueError):
        status = None
    return OdpError(
        status=status,
        message=s(data.get("message") or data.get("error")),
        detail=s(data.get("detailedMessage") or data.get("errorDetails") or data.get("errorDetail")),
        request_id=s(data.get("requestIdentifier")) or None,
    )


def odp_no_data(body: bytes | str) -> OdpError | None:
    """The ODP error body of a 404 "no matching records" (the office has nothing), else None."""
    try:
        data = load_json(body, source=f"{SRC} error")
    except ParseError:
        return None
    if not isinstance(data, dict) or "patentFileWrapperDataBag" in data or not _looks_like_error(data):
        return None
    err = _error_from(data)
    return err if err.status == 404 else None


def parse_odp_error(body: bytes | str) -> OdpError:
    """Both ODP error shapes: ``code/message/detailedMessage`` and ``code/error/errorDetails``."""
    source = f"{SRC} error"
    data = load_json(body, source=source)
    if not isinstance(data, dict) or not _looks_like_error(data):
        raise ParseError("not an ODP error body", source=source)
    err = _error_from(data)
    if not err.message and not err.detail:
        raise ParseError("ODP error body without message", source=source)
    return err


def parse_odp_beta_foreign_priority(body: bytes | str) -> list[PriorityClaim]:
    """The May-2024 beta ``/foreign-priority``: ``patentBag[0].foreignPriorityBag`` (``countryName``)."""
    source = f"{SRC} beta foreign-priority"
    data = _root(body, source=source)
    bag = [x for x in as_list(data.get("patentBag")) if isinstance(x, dict)]
    if not bag:
        raise ParseError("no patentBag entry in beta foreign-priority response", source=source)
    return list(_foreign_priority(bag[0], source=source))


def parse_odp_beta_continuity(body: bytes | str) -> list[ContinuityLink]:
    """The May-2024 beta ``/continuity``: ``patentBag[0].continuityBag.{parent,child}ContinuityBag``."""
    source = f"{SRC} beta continuity"
    data = _root(body, source=source)
    bag = [x for x in as_list(data.get("patentBag")) if isinstance(x, dict)]
    if not bag:
        raise ParseError("no patentBag entry in beta continuity response", source=source)
    return list(_continuity(obj(bag[0].get("continuityBag")), source=source))


def parse_odp_beta_application(body: bytes | str) -> Biblio:
    """The May-2024 beta ``/application-data`` shape: ``patentBag[0]`` with flat metadata fields."""
    source = f"{SRC} beta application-data"
    data = _root(body, source=source)
    bag = [x for x in as_list(data.get("patentBag")) if isinstance(x, dict)]
    if not bag:
        raise ParseError("no patentBag entry in beta application-data response", source=source)
    return _biblio(bag[0], bag[0], source=source, feed="odp-beta")


# --- legacy PEDS --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PedsApplication:
    biblio: Biblio
    events: tuple[Event, ...]


_PEDS_RELATIONS = (
    ("provisional", "PRO"),
    ("continuation in part", "CIP"),
    ("continuation-in-part", "CIP"),
    ("continuation", "CON"),
    ("division", "DIV"),
    ("national stage", "NST"),
)


def _peds_relation(description: str) -> str:
    low = description.lower()
    return next((code for needle, code in _PEDS_RELATIONS if needle in low), "")


# Long because: the legacy PEDS record, field by field.
def parse_peds(body: bytes | str) -> list[PedsApplication]:
    source = "uspto-peds"
    data = load_json(body, source=source)
    try:
        docs = data["queryResults"]["searchResponse"]["response"]["docs"]
    except (KeyError, TypeError):
        raise ParseError(
            "no queryResults.searchResponse.response.docs in PEDS response", source=source
        ) from None
    out = []
    for doc in as_list(docs):
        if not isinstance(doc, dict):
            continue
        number = s(doc.get("applId") or doc.get("applIdStr"))
        if not number:
            raise ParseError("PEDS document without applId", source=source)
        raw = []
        for t in as_list(doc.get("transactions")):
            code = s(t.get("code")) if isinstance(t, dict) else ""
            if not code:
                raise ParseError(f"PEDS transaction without code: {t!r}", source=source)
            date = parse_date(
                t.get("recordDate"), field=f"recordDate of {code}", source=source, required=True
            )
            raw.append((str(t.get("code")), date, s(t.get("description"))))
        discs = ordinal_discriminators((c, d) for c, d, _ in raw)
        events = tuple(
            Event(office="US", source=EventSource.PEDS_TRANSACTION, code=c, date=d, text=t, discriminator=n)
            for (c, d, t), n in zip(raw, discs, strict=True)
        )
        inventors = tuple(
            Party(
                name=" ".join(p for p in (s(i.get("nameLineTwo")), s(i.get("nameLineOne"))) if p),
                role="inventor",
                country=re.sub(r"[()]", "", s(i.get("country"))) or None,
                sequence=parse_int(i.get("rankNo"), field="rankNo", source=source),
            )
            for i in as_list(doc.get("inventors"))
            if isinstance(i, dict) and (s(i.get("nameLineOne")) or s(i.get("nameLineTwo")))
        )
        continuity = tuple(
            ContinuityLink(
                relation="parent",
                relation_code=_peds_relation(s(c.get("applicationStatusDescription"))),
                relation_text=s(c.get("applicationStatusDescription")),
                parent_number=s(c.get("claimApplicationNumberText")),
                child_number=s(c.get("applicationNumberText")),
                filing_date=parse_date(
                    c.get("filingDate"), field="parentContinuity.filingDate", source=source
                ),
                status_code=None,
                status_text=s(c.get("applicationStatus")) or None,
                patent_number=s(c.get("patentNumberText")) or None,
            )
            for c in as_list(doc.get("parentContinuity"))
            if isinstance(c, dict)
        )
        title = s(doc.get("patentTitle")) or None
        biblio = Biblio(
            office="US",
            source="peds",
            application_number=number,
            application_number_normalized=normalized_number("US", number),
            filing_date=parse_date(doc.get("appFilingDate"), field="appFilingDate", source=source),
            publication_number=s(doc.get("appEarlyPubNumber")) or None,
            publication_date=parse_date(doc.get("appEarlyPubDate"), field="appEarlyPubDate", source=source),
            grant_number=s(doc.get("patentNumber")) or None,
            grant_date=parse_date(doc.get("patentIssueDate"), field="patentIssueDate", source=source),
            status_text=s(doc.get("appStatus")) or None,
            status_date=parse_date(doc.get("appStatusDate"), field="appStatusDate", source=source),
            title=title,
            titles={"en": title} if title else {},
            inventors=inventors,
            application_type=s(doc.get("appType")) or None,
            entity_status=s(doc.get("appEntityStatus")) or None,
            first_inventor_to_file=parse_bool(doc.get("firstInventorFile")),
            continuity=continuity,
            extra={
                k: doc[k]
                for k in (
                    "appCustNumber",
                    "appGrpArtNumber",
                    "appExamName",
                    "appAttrDockNumber",
                    "totalPtoDays",
                )
                if doc.get(k) not in (None, "")
            },
        )
        out.append(PedsApplication(biblio=biblio, events=events))
    return out
