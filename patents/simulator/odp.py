"""USPTO Open Data Portal (api.uspto.gov/api/v1/patent/…), as a client sees it.

- ``X-API-KEY`` required; a missing or unknown key → 403.
- One request in flight per key: a second concurrent request → 429 with ``Retry-After`` (seconds).
- ``GET /applications/{n}`` and ``/meta-data``, ``/transactions``, ``/continuity``, ``/documents``,
  ``/foreign-priority``, ``/adjustment``; ``GET /status-codes``; search with ``GET
  /applications/search?q=…&filters=…&rangeFilters=…&offset=…&limit=…`` or ``POST`` with the JSON body
  (``q``, ``filters``, ``rangeFilters``, ``pagination``, ``sort``). Bodies use the production bag shapes
  (``patentFileWrapperDataBag``, ``eventDataBag``, ``parentContinuityBag`` …).
- Unknown application or no search hit → 404 in the recorded shape ``{"code": 404, "message": "Not
  Found", "detailedMessage": "No matching records found, …"}``. A page larger than ``odp_max_limit`` → 413.
  Other errors use the ``{"code", "error", "errorDetails"}`` shape of the production documentation (no
  capture exists), so clients meet both shapes.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from patents.simulator.config import ODP_API_KEY, SimulatorConfig
from patents.simulator.http import ConcurrencyGate, Request, Response, json_response
from patents.simulator.portfolio import (
    US_STATUS,
    Event,
    MatterHeader,
    SyntheticMatter,
    SyntheticPortfolio,
    normalize_key,
)

PREFIX = "/api/v1/patent/"

NOT_FOUND_DETAIL = "No matching records found, refine your search criteria and try again"

# kind → [(eventCode, eventDescriptionText, day offset)], newest-last; codes as the USPTO writes them
US_EVENTS: dict[str, list[tuple[str, str, int]]] = {
    "filing": [
        ("IEXX", "Initial Exam Team nn", 0),
        ("BIG.", "Entity Status Set To Undiscounted (Initial Default Setting or Status Change)", 0),
    ],
    "filing_receipt": [("FLRCPT.O", "Filing Receipt", 0), ("EML_NTF", "Email Notification", 0)],
    "docketed": [
        ("OIPE", "Application Dispatched from OIPE", 0),
        ("DOCK", "Case Docketed to Examiner in GAU", 3),
    ],
    "pgpub": [("PG-ISSUE", "PG-Pub Issue Notification", 0)],
    "ctrs": [("CTRS", "Restriction/Election Requirement", -2), ("MCTRS", "Mail Restriction Requirement", 0)],
    "response_restriction": [("ELC.", "Response to Election / Restriction Filed", 0)],
    "ctnf": [
        ("CTNF", "Non-Final Rejection", -2),
        ("MCTNF", "Mail Non-Final Rejection", 0),
        ("EML_NTF", "Email Notification", 0),
    ],
    "response_nonfinal": [("A...", "Response after Non-Final Action", 0)],
    "ctfr": [
        ("CTFR", "Final Rejection", -2),
        ("MCTFR", "Mail Final Rejection (PTOL - 326)", 0),
        ("EML_NTF", "Email Notification", 0),
    ],
    "rce": [("RCEX", "Request for Continued Examination (RCE)", 0)],
    "noa": [
        ("N/=.", "Notice of Allowance Data Verification Completed", -3),
        ("MN/=.", "Mail Notice of Allowance", 0),
        ("EML_NTF", "Email Notification", 0),
    ],
    "issue_fee_paid": [("IFEE", "Issue Fee Payment Received", 0), ("N084", "Issue Fee Payment Verified", 0)],
    "issue_notification": [("WPIR", "Issue Notification Mailed", 0)],
    "patent_granted": [
        ("PTAC", "Patent Issue Date Used in PTA Calculation", 0),
        ("EPG/", "Recordation of Patent eGrant", 0),
    ],
    "abandonment": [
        ("ABN2", "Aband. for Failure to Respond to O. A.", -1),
        ("MABN2", "Mail Abandonment for Failure to Respond to Office Action", 0),
    ],
}

# kind → (documentCode, description, direction)
US_DOCUMENTS: dict[str, list[tuple[str, str, str]]] = {
    "filing": [
        ("SPEC", "Specification", "INCOMING"),
        ("CLM", "Claims", "INCOMING"),
        ("ABST", "Abstract", "INCOMING"),
        ("ADS", "Application Data Sheet", "INCOMING"),
    ],
    "filing_receipt": [("APP.FILE.REC", "Filing Receipt", "OUTGOING")],
    "ctrs": [("CTRS", "Requirement for Restriction/Election", "OUTGOING")],
    "response_restriction": [("ELC.", "Response to Election / Restriction Filed", "INCOMING")],
    "ctnf": [("CTNF", "Non-Final Rejection", "OUTGOING")],
    "response_nonfinal": [
        ("REM", "Applicant Arguments/Remarks Made in an Amendment", "INCOMING"),
        ("CLM", "Claims", "INCOMING"),
    ],
    "ctfr": [("CTFR", "Final Rejection", "OUTGOING")],
    "rce": [("RCEX", "Request for Continued Examination (RCE)", "INCOMING")],
    "noa": [("NOA", "Notice of Allowance and Fees Due (PTOL-85)", "OUTGOING")],
    "issue_fee_paid": [("IFEE", "Issue Fee Payment (PTO-85B)", "INCOMING")],
    "issue_notification": [("ISSUE.NTF", "Issue Notification", "OUTGOING")],
    "abandonment": [("ABN", "Notice of Abandonment", "OUTGOING")],
}

STATUS_CODES = sorted({code: text for code, text in US_STATUS.values()}.items())


class OdpState:
    def __init__(self, config: SimulatorConfig, portfolio: SyntheticPortfolio, stats) -> None:
        self.config = config
        self.portfolio = portfolio
        self.stats = stats
        self.gate = ConcurrencyGate()
        self.api_keys = {ODP_API_KEY}

    def reset(self) -> None:
        self.gate = ConcurrencyGate()


def _request_id() -> str:
    return str(uuid.uuid4())


def error(status: int, error_text: str, details: str) -> Response:
    return json_response(
        status,
        {"code": status, "error": error_text, "errorDetails": details, "requestIdentifier": _request_id()},
    )


def not_found() -> Response:
    return json_response(
        404,
        {
            "code": 404,
            "message": "Not Found",
            "detailedMessage": NOT_FOUND_DETAIL,
            "requestIdentifier": _request_id(),
        },
    )


def handle(state: OdpState, req: Request, fault: str | None) -> Response:
    key = req.header("x-api-key")
    if key not in state.api_keys:
        state.stats.incr("odp.rejected.api_key")
        return error(403, "Forbidden", "Missing or invalid API key (X-API-KEY)")
    limits = state.config.limits
    if fault in ("throttle", "quota") or not state.gate.enter(key, limits.odp_concurrency):
        state.stats.incr("odp.rejected.429")
        resp = error(429, "Too Many Requests", "Only one request at a time is allowed per API key")
        resp.set_header("Retry-After", str(limits.odp_retry_after))
        return resp
    try:
        if state.config.odp_processing_seconds:
            time.sleep(state.config.odp_processing_seconds)
        if fault == "overloaded":
            return error(503, "Service Unavailable", "The service is temporarily unavailable")
        if fault == "server_error":
            return error(500, "Internal Server Error", "An unexpected error occurred")
        return _route(state, req)
    finally:
        state.gate.leave(key)


def _route(state: OdpState, req: Request) -> Response:
    rest = req.path[len(PREFIX) :].strip("/")
    if rest == "status-codes":
        bag = [{"applicationStatusCode": c, "applicationStatusDescriptionText": t} for c, t in STATUS_CODES]
        return json_response(200, {"count": len(bag), "statusCodeBag": bag, "requestIdentifier": _request_id()})
    if rest == "applications/search":
        return _search(state, req)
    m = re.fullmatch(
        r"applications/([^/]+)(?:/(meta-data|transactions|continuity|documents|foreign-priority|"
        r"adjustment|attorney|assignment))?",
        rest,
    )
    if not m:
        return error(400, "Bad Request", f"Unsupported path {req.path}")
    matter = state.portfolio.lookup(m.group(1), office="US")
    if matter is None:
        return not_found()
    part = m.group(2) or ""
    number = normalize_key(matter.application_number)
    if part == "documents":
        docs = documents_bag(matter)
        return json_response(200, {"count": len(docs), "documentBag": docs})
    wrapper = full_wrapper(matter) if part == "" else {"applicationNumberText": number}
    if part == "meta-data":
        wrapper["applicationMetaData"] = application_metadata(matter)
    elif part == "transactions":
        wrapper["eventDataBag"] = event_bag(matter)
    elif part == "continuity":
        wrapper["parentContinuityBag"] = parent_continuity(matter)
        wrapper["childContinuityBag"] = []
    elif part == "foreign-priority":
        wrapper["foreignPriorityBag"] = foreign_priority(matter)
    elif part == "adjustment":
        wrapper["patentTermAdjustmentData"] = adjustment(matter)
    elif part in ("attorney", "assignment"):
        wrapper["recordAttorney" if part == "attorney" else "assignmentBag"] = (
            record_attorney(matter) if part == "attorney" else []
        )
    return json_response(200, {"count": 1, "patentFileWrapperDataBag": [wrapper], "requestIdentifier": _request_id()})


# Documents -----------------------------------------------------------------------------------------
def _us_events(m: SyntheticMatter) -> list[tuple[date, str, str, Event]]:
    out = []
    for e in m.events:
        for code, text, offset in US_EVENTS.get(e.kind, []):
            out.append((e.date + timedelta(days=offset), code, text, e))
    return out


def event_bag(m: SyntheticMatter) -> list[dict]:
    rows = sorted(_us_events(m), key=lambda r: r[0], reverse=True)  # newest first, as ODP serves them
    return [{"eventCode": c, "eventDescriptionText": t, "eventDate": d.isoformat()} for d, c, t, _ in rows]


def _digits(m: SyntheticMatter) -> str:
    return normalize_key(m.application_number)


def _h(m: SyntheticMatter, salt: str, mod: int) -> int:
    return int(hashlib.sha256(f"{m.index}:{salt}".encode()).hexdigest()[:8], 16) % mod


def application_metadata(m: SyntheticMatter) -> dict:
    status_text, status_code = m.status, int(m.status_code)
    last_status_event = m.events[-1].date if m.events else m.filing_date
    meta: dict = {
        "firstInventorToFileIndicator": "Y" if m.filing_date.year >= 2013 else "N",
        "applicationStatusCode": status_code,
        "applicationTypeCode": "UTL",
        "entityStatusData": {
            "smallEntityStatusIndicator": False,
            "businessEntityStatusCategory": "Regular Undiscounted",
        },
        "filingDate": m.filing_date.isoformat(),
        "uspcSymbolText": "429/144",
        "nationalStageIndicator": False,
        "firstInventorName": " ".join(reversed(m.inventors[0].split(", "))) if m.inventors else "",
        "cpcClassificationBag": ["H01M  50/46", "H01M  10/052"],
        "effectiveFilingDate": (m.priorities[0].date if m.priorities else m.filing_date).isoformat(),
        "applicationTypeLabelName": "Utility",
        "applicationStatusDate": last_status_event.isoformat(),
        "class": "429",
        "applicationTypeCategory": "REGULAR",
        "inventorBag": [
            {
                "firstName": inv.split(", ")[-1],
                "lastName": inv.split(", ")[0],
                "countryCode": m.applicant_country,
                "inventorNameText": " ".join(reversed(inv.split(", "))),
                "correspondenceAddressBag": [
                    {
                        "cityName": m.applicant_address[1],
                        "countryCode": m.applicant_country,
                        "nameLineOneText": inv,
                        "postalAddressCategory": "residence",
                    }
                ],
            }
            for inv in m.inventors
        ],
        "applicationStatusDescriptionText": status_text,
        "applicantBag": [
            {
                "applicantNameText": m.applicant,
                "correspondenceAddressBag": [
                    {
                        "cityName": m.applicant_address[1],
                        "countryCode": m.applicant_country,
                        "postalAddressCategory": "postal",
                    }
                ],
            }
        ],
        "firstApplicantName": m.applicant,
        "customerNumber": 20000 + _h(m, "customer", 9000),
        "groupArtUnitNumber": str(1600 + _h(m, "gau", 1200)),
        "inventionTitle": m.title.upper(),
        "applicationConfirmationNumber": 1000 + _h(m, "confirm", 8999),
        "examinerNameText": ("DOVE, TRACY MAE", "NGUYEN, LINH", "OKAFOR, EMEKA", "SMITH, JORDAN")[_h(m, "ex", 4)],
        "subclass": "144",
        "docketNumber": f"DKT-{m.index:06d}US",
    }
    categories = []
    if m.publication_number and m.publication_date:
        seq = m.publication_number[-7:]
        meta["publicationDateBag"] = [m.publication_date.isoformat()]
        meta["publicationSequenceNumberBag"] = [seq]
        meta["earliestPublicationDate"] = m.publication_date.isoformat()
        meta["earliestPublicationNumber"] = f"{m.publication_number}A1"
        categories.append("Pre-Grant Publications - PGPub")
    if m.grant_number and m.grant_date:
        meta["patentNumber"] = m.grant_number[2:]
        meta["grantDate"] = m.grant_date.isoformat()
        categories.insert(0, "Granted/Issued")
    if categories:
        meta["publicationCategoryBag"] = categories
    return meta


def parent_continuity(m: SyntheticMatter) -> list[dict]:
    bag = []
    if m.parent_application_number:
        parent_filing = m.filing_date - timedelta(days=400 + _h(m, "parent", 600))
        bag.append(
            {
                "parentApplicationStatusCode": 150,
                "firstInventorToFileIndicator": True,
                "claimParentageTypeCode": m.parent_relation_code or "CON",
                "claimParentageTypeCodeDescriptionText": CONTINUITY_TEXTS[m.parent_relation_code or "CON"],
                "parentApplicationStatusDescriptionText": "Patented Case",
                "parentApplicationNumberText": m.parent_application_number,
                "parentApplicationFilingDate": parent_filing.isoformat(),
                "childApplicationNumberText": _digits(m),
                "parentPatentNumber": str(11000000 + _h(m, "ppat", 900000)),
            }
        )
        bag += grandparent_continuity(m, parent_filing)
    for pr in m.priorities:
        if pr.kind == "provisional":
            bag.append(
                {
                    "parentApplicationStatusCode": 159,
                    "claimParentageTypeCode": "PRO",
                    "claimParentageTypeCodeDescriptionText": "Claims priority from a provisional application",
                    "parentApplicationStatusDescriptionText": "Provisional Application Expired",
                    "parentApplicationNumberText": pr.number,
                    "parentApplicationFilingDate": pr.date.isoformat(),
                    "childApplicationNumberText": _digits(m),
                }
            )
    return bag


# claimParentageTypeCodeDescriptionText as ODP writes it (recorded: odp-continuity-17248024.json).
CONTINUITY_TEXTS = {
    "CON": "is a Continuation of",
    "DIV": "is a Division of",
    "CIP": "is a Continuation in-part of",
}


def grandparent_continuity(m: SyntheticMatter, parent_filing: date) -> list[dict]:
    """ODP's parent bag holds the whole chain: the parent's own parent, linked to the parent, not to ``m``."""
    if not m.grandparent_application_number:
        return []
    return [{
        "parentApplicationStatusCode": 250,
        "firstInventorToFileIndicator": False,
        "claimParentageTypeCode": "CON",
        "claimParentageTypeCodeDescriptionText": CONTINUITY_TEXTS["CON"],
        "parentApplicationStatusDescriptionText": (
            "Patent Expired Due to NonPayment of Maintenance Fees Under 37 CFR 1.362"
        ),
        "parentApplicationNumberText": m.grandparent_application_number,
        "parentApplicationFilingDate": (parent_filing - timedelta(days=700)).isoformat(),
        "childApplicationNumberText": m.parent_application_number,
        "parentPatentNumber": str(10000000 + _h(m, "gpat", 900000)),
    }]


OFFICE_NAMES = {
    "DE": "GERMANY",
    "JP": "JAPAN",
    "GB": "UNITED KINGDOM",
    "FR": "FRANCE",
    "CH": "SWITZERLAND",
    "NO": "NORWAY",
    "NL": "NETHERLANDS",
    "FI": "FINLAND",
    "IT": "ITALY",
    "EP": "EUROPEAN PATENT OFFICE",
}


def foreign_priority(m: SyntheticMatter) -> list[dict]:
    return [
        {
            "ipOfficeName": OFFICE_NAMES.get(p.country, p.country),
            "filingDate": p.date.isoformat(),
            "applicationNumberText": p.number,
        }
        for p in m.priorities
        if p.kind == "foreign"
    ]


def adjustment(m: SyntheticMatter) -> dict:
    a_delay = _h(m, "pta", 400) if m.grant_number else 0
    return {
        "applicantDayDelayQuantity": 0,
        "overlappingDayQuantity": 0,
        "ipOfficeAdjustmentDelayQuantity": 0,
        "cDelayQuantity": 0,
        "adjustmentTotalQuantity": a_delay,
        "bDelayQuantity": 0,
        "nonOverlappingDayDelayQuantity": a_delay,
        "aDelayQuantity": a_delay,
        "patentTermAdjustmentHistoryDataBag": [],
    }


def record_attorney(m: SyntheticMatter) -> dict:
    return {
        "customerNumberCorrespondenceData": {
            "patronIdentifier": 20000 + _h(m, "customer", 9000),
            "powerOfAttorneyAddressBag": [{"nameLineOneText": m.agent, "countryCode": "US"}],
        },
        "powerOfAttorneyBag": [],
        "attorneyBag": [],
    }


def full_wrapper(m: SyntheticMatter) -> dict:
    w: dict = {
        "eventDataBag": event_bag(m),
        "applicationMetaData": application_metadata(m),
        "parentContinuityBag": parent_continuity(m),
        "patentTermAdjustmentData": adjustment(m),
    }
    if m.publication_number and m.publication_date:
        y = m.publication_date
        w["pgpubDocumentMetaData"] = {
            "productIdentifier": "APPXML",
            "zipFileName": f"ipa{y:%y%m%d}.zip",
            "fileCreateDateTime": f"{y.isoformat()}T23:02:09",
            "xmlFileName": f"{_digits(m)}_{m.publication_number[2:]}.xml",
            "fileLocationURI": f"https://api.uspto.gov/api/v1/datasets/products/files/APPXML-SPLT/{y.year}/"
            f"ipa{y:%y%m%d}/{_digits(m)}_{m.publication_number[2:]}.xml",
        }
    if m.grant_number and m.grant_date:
        g = m.grant_date
        w["grantDocumentMetaData"] = {
            "productIdentifier": "PTGRXML",
            "zipFileName": f"ipg{g:%y%m%d}.zip",
            "fileCreateDateTime": f"{g.isoformat()}T17:04:44",
            "xmlFileName": f"{_digits(m)}_{m.grant_number[2:]}.xml",
            "fileLocationURI": f"https://api.uspto.gov/api/v1/datasets/products/files/PTGRXML-SPLT/{g.year}/"
            f"ipg{g:%y%m%d}/{_digits(m)}_{m.grant_number[2:]}.xml",
        }
    w["lastIngestionDateTime"] = f"{m.events[-1].date.isoformat() if m.events else m.filing_date}T13:00:02"
    w["recordAttorney"] = record_attorney(m)
    w["applicationNumberText"] = _digits(m)
    w["correspondenceAddressBag"] = [
        {"nameLineOneText": m.agent.upper(), "countryCode": "US", "countryName": "UNITED STATES"}
    ]
    return w


def documents_bag(m: SyntheticMatter) -> list[dict]:
    out = []
    n = 0
    for e in reversed(m.events):
        for code, desc, direction in US_DOCUMENTS.get(e.kind, []):
            n += 1
            ident = f"L{hashlib.sha256(f'{m.index}:{e.kind}:{e.date}:{code}'.encode()).hexdigest()[:10].upper()}X"
            out.append(
                {
                    "applicationNumberText": _digits(m),
                    "officialDate": f"{e.date.isoformat()}T00:00:00.000-0500",
                    "documentIdentifier": ident,
                    "documentCode": code,
                    "documentCodeDescriptionText": desc,
                    "directionCategory": direction,
                    "downloadOptionBag": [
                        {
                            "mimeTypeIdentifier": "PDF",
                            "downloadUrl": f"https://api.uspto.gov/api/v1/download/applications/{_digits(m)}/{ident}.pdf",
                            "pageTotalQuantity": 1 + n % 12,
                        }
                    ],
                }
            )
    return out


# Search ------------------------------------------------------------------------------------------------
def _flat_values(obj, path: list[str]) -> list:
    if not path:
        return obj if isinstance(obj, list) else [obj]
    if isinstance(obj, list):
        return [v for item in obj for v in _flat_values(item, path)]
    if isinstance(obj, dict) and path[0] in obj:
        return _flat_values(obj[path[0]], path[1:])
    return []


class _Unknown(Exception):  # noqa: N818 - a signal, not an error
    """A header wrapper cannot answer this field; the full wrapper must be generated to decide."""


HEADER_FIELDS = {
    "applicationMetaData.firstApplicantName",
    "applicationMetaData.inventionTitle",
    "applicationMetaData.applicantBag.applicantNameText",
    "applicationMetaData.inventorBag.inventorNameText",
}


def header_wrapper(h: MatterHeader) -> dict:
    """The fields of ``full_wrapper`` a header can give, with the same values."""
    return {
        "_partial": True,
        "applicationMetaData": {
            "firstApplicantName": h.applicant,
            "inventionTitle": h.title.upper(),
            "applicantBag": [{"applicantNameText": h.applicant}],
            "inventorBag": [{"inventorNameText": " ".join(reversed(inv.split(", ")))} for inv in h.inventors],
        },
    }


def _sort_key(field: str) -> Callable[[dict], str]:
    """Sort by the first value of ``field`` ("" when the record has none)."""
    return lambda wrapper: (_values(wrapper, field) or [""])[0]


def _values(wrapper: dict, field: str) -> list[str]:
    path = field.split(".")
    if wrapper.get("_partial"):
        full = field if path[0] == "applicationMetaData" or len(path) > 1 else f"applicationMetaData.{field}"
        if full not in HEADER_FIELDS:
            raise _Unknown(field)
    found = _flat_values(wrapper, path)
    if not found and len(path) == 1:  # a bare field name means "anywhere in applicationMetaData"
        found = _flat_values(wrapper.get("applicationMetaData", {}), path)
    return [str(v) for v in found]


def _match_term(wrapper: dict, term: str) -> bool | None:
    term = term.strip()
    if ":" in term:
        field, _, value = term.partition(":")
        value = value.strip().strip('"').lower()
        try:
            values = [v.lower() for v in _values(wrapper, field.strip())]
        except _Unknown:
            return None
        if value.endswith("*"):
            return any(v.startswith(value[:-1]) for v in values)
        return any(value == v or value in v.split() or (len(value) > 3 and value in v) for v in values)
    word = term.strip('"').lower()
    meta = wrapper.get("applicationMetaData", {})
    hay = " ".join(
        str(v)
        for v in (
            meta.get("inventionTitle"),
            meta.get("firstApplicantName"),
            wrapper.get("applicationNumberText"),
        )
    ).lower()
    if word in hay:
        return True
    return None if wrapper.get("_partial") else False  # the number is not in a header


def _query_predicate(q: str):
    """Lucene-like ``field:value`` terms joined by AND / OR; three-valued on header wrappers."""
    if not q or q.strip() in ("*", "*:*"):
        return lambda w: True
    ors = [part for part in re.split(r"\s+OR\s+", q.strip())]

    def pred(w) -> bool | None:
        alternatives = []
        for part in ors:
            results = [_match_term(w, t) for t in re.split(r"\s+AND\s+", part) if t.strip()]
            alternatives.append(False if False in results else (None if None in results else True))
        return True if True in alternatives else (None if None in alternatives else False)

    return pred


def _passes_filters(w: dict, spec: dict) -> bool | None:
    try:
        for name, values in spec["filters"]:
            if not {v.lower() for v in _values(w, name)} & {v.lower() for v in values}:
                return False
        for name, lo, hi in spec["ranges"]:
            if not any((not lo or v >= lo) and (not hi or v <= hi) for v in _values(w, name)):
                return False
    except _Unknown:
        return None
    return True


def _parse_search(req: Request) -> dict:
    if req.method == "POST":
        body = req.json() or {}
        pagination = body.get("pagination") or {}
        return {
            "q": body.get("q", ""),
            "filters": [
                (
                    f["name"],
                    [str(v) for v in (f.get("value") if isinstance(f.get("value"), list) else [f.get("value")])],
                )
                for f in body.get("filters", [])
            ],
            "ranges": [
                (r["field"], str(r.get("valueFrom", "")), str(r.get("valueTo", "")))
                for r in body.get("rangeFilters", [])
            ],
            "offset": int(pagination.get("offset", 0)),
            "limit": int(pagination.get("limit", 25)),
            "sort": [(s["field"], s.get("order", "asc")) for s in body.get("sort", [])],
        }
    filters, ranges = [], []
    for f in req.query.get("filters", []):
        name, _, values = f.partition(" ")
        filters.append((name, [v.strip() for v in values.split(",") if v.strip()]))
    for r in req.query.get("rangeFilters", []):
        name, _, span = r.partition(" ")
        lo, _, hi = span.partition(":")
        ranges.append((name, lo.strip(), hi.strip()))
    sort = []
    if req.arg("sort"):
        field, _, order = req.arg("sort").partition(" ")
        sort.append((field, order or "asc"))
    return {
        "q": req.arg("q"),
        "filters": filters,
        "ranges": ranges,
        "offset": int(req.arg("offset", "0") or 0),
        "limit": int(req.arg("limit", "25") or 25),
        "sort": sort,
    }


def _search(state: OdpState, req: Request) -> Response:
    try:
        spec = _parse_search(req)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return error(400, "Bad Request", f"Invalid search request: {exc}")
    if spec["limit"] > state.config.limits.odp_max_limit:
        return error(
            413,
            "Payload Too Large",
            f"Requested page of {spec['limit']} results is too large; the maximum limit is "
            f"{state.config.limits.odp_max_limit}",
        )
    pred = _query_predicate(spec["q"])
    candidates = state.portfolio.headers()
    exact = re.fullmatch(r'\s*applicationNumberText:"?(\d{8})"?\s*', spec["q"] or "")
    if exact:  # the common "find this application" search: no scan
        found = state.portfolio.lookup(exact.group(1), office="US")
        candidates = [state.portfolio.header(found.index)] if found else []
    hits = []
    for h in candidates:
        if h.office != "US":
            continue
        partial = header_wrapper(h)
        if pred(partial) is False or _passes_filters(partial, spec) is False:
            continue
        w = full_wrapper(state.portfolio.matter(h.index))
        if pred(w) and _passes_filters(w, spec):
            hits.append(w)
    for field, order in reversed(spec["sort"]):
        hits.sort(key=_sort_key(field), reverse=order.lower() == "desc")
    if not hits:
        return not_found()
    page = hits[spec["offset"] : spec["offset"] + spec["limit"]]
    return json_response(
        200, {"count": len(hits), "patentFileWrapperDataBag": page, "requestIdentifier": _request_id()}
    )
