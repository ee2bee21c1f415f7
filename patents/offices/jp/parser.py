"""JPO Patent Information Retrieval API (``ip-data.jpo.go.jp/api/patent/v1/…``) bodies → dataclasses.

Every answer is HTTP 200 with ``{"result": {"statusCode": "100", "errorMessage": "", "remainAccessCount":
"787", "data": {…}}}``. The parsers return a :class:`JpoResult`: the typed :class:`JpoStatus` (the client
maps it to errors: 100 ok, 107 no data — not an error, 203 daily cap reached, 210 invalid token, 303 too
many concurrent requests, others) and the data (``None`` unless the status is 100). ``remainAccessCount``
is the API's own count of what is left today for this endpoint; the client corrects its counter with it.

``app_progress`` / ``app_progress_simple`` (``data``):
- ``applicationNumber`` (10 digits, year + serial), ``filingDate`` (YYYYMMDD), ``inventionTitle``,
  ``applicantAttorney[]`` (``applicantAttorneyClass`` "1" applicant, "2" attorney; ``applicantAttorneyCd``
  is the JPO person code), ``publicationNumber`` (era form, e.g. 503090037) and ``ADPublicationNumber``
  (Western year, 2021090037), ``registrationNumber``/``registrationDate``, ``expireDate`` (end of term),
  ``erasureIdentifier``/``disappearanceDate`` (right extinguished), ``international*`` (PCT),
  ``priorityRightInformation[]`` (full version only).
- ``bibliographyInformation[]``: one entry per number (``numberType`` 01 application, 02 publication,
  06 registration …) each with ``documentList[]``: ``documentCode`` (A63 filing, A621 examination request,
  A131 notice of reasons for refusal, A53 written opinion, A523 amendment, A01 decision to grant, R100
  registration fee …), ``legalDate``, ``documentDescription`` (Japanese), ``documentNumber``,
  ``documentSeparator``, ``availabilityFlag`` → Event with source ``jpo-progress``; discriminator =
  ``numberType:documentNumber:separator`` (the same document can be listed under several numbers — e.g.
  A01 under the application and the registration number — and both entries are kept).

``registration_info``: ``expireDate``, ``nextPensionPaymentDate`` (next annuity due), ``lastPaymentYearly``
(last year paid), ``rightPersonInformation[]``, ``numberOfClaims`` → JpoRegistration.
``priority_right_app_info`` → PriorityClaim list (Paris and domestic priority).
``divisional_app_info`` → JpoDivisionalInfo (raw parent/children entries; no populated sample recorded).
``case_number_reference`` → JpoCaseNumbers. ``/auth/token`` → JpoTokenResponse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from patents.parsers._util import as_list, load_json, normalized_number, parse_date, parse_int, s
from patents.parsers.errors import OUT_OF_SCOPE, ParseError
from patents.parsers.types import Biblio, Event, EventSource, Party, PriorityClaim

SRC = "jpo"

T = TypeVar("T")

OK = "100"
NO_DATA = "107"
DAILY_LIMIT = "203"
INVALID_TOKEN = "210"
BUSY = "303"

# From the JPO API specification (特許情報取得APIの利用方法). Codes not listed are still returned as-is.
STATUS_MESSAGES = {
    "100": "OK",
    "107": "no data for this number",
    "108": "no document body available",
    "111": "number not covered by the service",
    "203": "daily access limit reached",
    "204": "invalid parameter value",
    "210": "invalid access token",
    "212": "invalid credentials",
    "301": "invalid URL",
    "302": "timeout while processing",
    "303": "too many concurrent requests",
    "400": "invalid request",
    "999": "unexpected error",
}


@dataclass(frozen=True)
class JpoStatus:
    code: str
    message: str  # errorMessage as sent (Japanese), or the English meaning when blank
    remain_access_count: int | None

    @property
    def is_ok(self) -> bool:
        return self.code == OK

    @property
    def is_no_data(self) -> bool:
        return self.code == NO_DATA

    @property
    def is_daily_limit(self) -> bool:
        return self.code == DAILY_LIMIT

    @property
    def is_invalid_token(self) -> bool:
        return self.code == INVALID_TOKEN

    @property
    def is_busy(self) -> bool:
        return self.code == BUSY

    @property
    def meaning(self) -> str:
        return STATUS_MESSAGES.get(self.code, "unknown status code")


@dataclass(frozen=True)
class JpoResult(Generic[T]):
    status: JpoStatus
    data: T | None  # None unless status.is_ok


@dataclass(frozen=True)
class JpoProgress:
    biblio: Biblio
    events: tuple[Event, ...]


@dataclass(frozen=True)
class JpoRegistration:
    application_number: str
    registration_number: str | None
    registration_date: dt.date | None
    filing_date: dt.date | None
    decision_date: dt.date | None  # decision to grant
    expiry_date: dt.date | None  # expireDate: end of the patent term
    next_payment_date: dt.date | None  # nextPensionPaymentDate: next annuity due
    last_paid_year: int | None  # lastPaymentYearly
    number_of_claims: int | None
    right_holders: tuple[Party, ...]
    erasure_identifier: str | None  # "00" = right subsists
    disappearance_date: dt.date | None  # right extinguished on
    appeal_decision_date: dt.date | None
    update_date: dt.date | None
    title: str | None


@dataclass(frozen=True)
class JpoCaseNumbers:
    application_number: str
    publication_number: str | None
    national_publication_number: str | None
    registration_number: str | None
    international_publication_number: str | None


@dataclass(frozen=True)
class JpoDivisionalInfo:
    application_number: str
    parent: dict[str, Any] | None  # parentApplicationInformation as sent ({} → None)
    children: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # divisionalApplicationInformation


@dataclass(frozen=True)
class JpoTokenResponse:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int  # seconds (3600)
    refresh_expires_in: int | None  # seconds (28800)
    token_type: str
    scope: str | None = None


def _envelope(body: bytes | str, *, source: str) -> tuple[JpoStatus, dict[str, Any] | None]:
    data = load_json(body, source=source)
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict) or result.get("statusCode") in (None, ""):
        raise ParseError("no result.statusCode in JPO response", source=source)
    code = s(result.get("statusCode"))
    status = JpoStatus(
        code=code,
        message=s(result.get("errorMessage")) or STATUS_MESSAGES.get(code, ""),
        remain_access_count=parse_int(
            result.get("remainAccessCount"), field="remainAccessCount", source=source
        ),
    )
    if not status.is_ok:
        return status, None
    payload = result.get("data")
    if not isinstance(payload, dict) or not payload:
        raise ParseError("statusCode 100 without data", source=source)
    return status, payload


def _app_number(data: dict[str, Any], *, source: str) -> str:
    number = s(data.get("applicationNumber"))
    if not number:
        raise ParseError("data without applicationNumber", source=source)
    return number


def _priority(data: dict[str, Any], *, source: str) -> tuple[PriorityClaim, ...]:
    out = []
    for i, p in enumerate(as_list(data.get("priorityRightInformation")), start=1):
        if not isinstance(p, dict):
            continue
        if s(p.get("parisPriorityApplicationNumber")):
            out.append(
                PriorityClaim(
                    country=s(p.get("parisPriorityCountryCd")),
                    number=s(p.get("parisPriorityApplicationNumber")),
                    date=parse_date(p.get("parisPriorityDate"), field="parisPriorityDate", source=source),
                    kind="paris",
                    sequence=i,
                )
            )
        national = s(p.get("nationalPriorityApplicationNumber")) or s(
            p.get("nationalPriorityInternationalApplicationNumber")
        )
        if national:
            out.append(
                PriorityClaim(
                    country="JP",
                    number=national,
                    date=parse_date(
                        p.get("nationalPriorityDate"), field="nationalPriorityDate", source=source
                    ),
                    kind="domestic",
                    sequence=i,
                )
            )
    return tuple(out)


# Keys only the design / trademark app_progress answers carry (recorded: design-app_progress-2020015234,
# trademark-app_progress-2024123456). The body itself says what right it is about, whatever was asked.
_DESIGN_KEYS = ("designArticle", "designClass", "principalDesignApplicationNumber")
_TRADEMARK_KEYS = ("trademarkForDisplay", "goodsServiceInformation", "viennaClass", "transliteration")

# Answers of the JPO lookup endpoints, recognised by their own keys: they name numbers or people but hold
# no case file, so fed as a progress file they must not create or change a matter.
_LOOKUPS = (
    ("patentDoc", "cited documents (cite_doc_info)"),
    ("nonPatentDoc", "cited documents (cite_doc_info)"),
    ("applicantAttorneyName", "applicant/attorney code lookup (applicant_attorney_cd)"),
    ("applicantAttorney", "applicant/attorney name lookup (applicant_attorney)"),
    ("nextPensionPaymentDate", "registration information (registration_info)"),
    ("rightPersonInformation", "registration information (registration_info)"),
    ("divisionalApplicationInformation", "divisional application information (divisional_app_info)"),
    ("priorityRightInformation", "priority right information (priority_right_app_info)"),
    ("registrationNumber", "case number reference (case_number_reference)"),
    ("publicationNumber", "case number reference (case_number_reference)"),
)


def right_of(data: dict[str, Any]) -> str:
    """"design", "trademark" or "patent", from the keys the answer carries."""
    if any(k in data for k in _TRADEMARK_KEYS):
        return "trademark"
    if any(k in data for k in _DESIGN_KEYS):
        return "design"
    return "patent"


def _require_progress(data: dict[str, Any], *, source: str) -> None:
    # Every app_progress / app_progress_simple answer has bibliographyInformation (empty list or not).
    if "bibliographyInformation" in data:
        return
    what = next((label for key, label in _LOOKUPS if key in data), "another JPO endpoint")
    raise ParseError(
        f"this is a JPO {what} answer, not a case file (app_progress): nothing to docket from it",
        source=source, category=OUT_OF_SCOPE,
    )


# Long because: reads each field of JPO's app_progress document, in the office's order.
def _progress(data: dict[str, Any], *, source: str) -> JpoProgress:
    _require_progress(data, source=source)
    number = _app_number(data, source=source)
    applicants: list[Party] = []
    reps: list[Party] = []
    for p in as_list(data.get("applicantAttorney")):
        if not isinstance(p, dict) or not s(p.get("name")):
            continue
        party_class = s(p.get("applicantAttorneyClass"))
        party = Party(
            name=s(p.get("name")),
            role="applicant" if party_class == "1" else "representative",
            sequence=parse_int(p.get("repeatNumber"), field="repeatNumber", source=source),
            office_id=s(p.get("applicantAttorneyCd")) or None,
        )
        (applicants if party_class == "1" else reps).append(party)
    raw = []
    # A document we cannot read may be the office action that starts a deadline: quarantine, never skip.
    for block in as_list(data.get("bibliographyInformation")):
        if not isinstance(block, dict):
            raise ParseError("bibliographyInformation entry is not an object", source=source)
        number_type, block_number = s(block.get("numberType")), s(block.get("number"))
        for doc in as_list(block.get("documentList")):
            if not isinstance(doc, dict):
                raise ParseError(f"documentList entry under {block_number} is not an object", source=source)
            code = doc.get("documentCode")
            if code is None or not str(code).strip():
                raise ParseError(
                    f"documentList entry without documentCode under {block_number}", source=source
                )
            date = parse_date(
                doc.get("legalDate"), field=f"legalDate of {code}", source=source, required=True
            )
            base = f"{number_type}:{s(doc.get('documentNumber'))}:{s(doc.get('documentSeparator')) or '-'}"
            params = {
                "number_type": number_type,
                "number": block_number,
                "document_number": s(doc.get("documentNumber")),
                "document_separator": doc.get("documentSeparator"),
                "version": s(doc.get("versionNumber")),
                "available": s(doc.get("availabilityFlag")) == "1",
                "pages": parse_int(doc.get("numberOfPages"), field="numberOfPages", source=source),
            }
            raw.append((str(code), date, s(doc.get("documentDescription")), base, params))
    seen: dict[tuple[str, Any, str], int] = {}
    events = []
    for code, date, text, base, params in raw:
        k = (code, date, base)
        seen[k] = seen.get(k, 0) + 1
        disc = base if seen[k] == 1 else f"{base}#{seen[k]}"
        events.append(
            Event(
                office="JP",
                source=EventSource.JPO_PROGRESS,
                code=code,
                date=date,
                text=text,
                discriminator=disc,
                params=params,
            )
        )
    title = s(data.get("inventionTitle")) or s(data.get("designArticle")) or s(data.get("trademarkForDisplay")) or None
    pub = s(data.get("ADPublicationNumber")) or s(data.get("publicationNumber")) or None
    nat_pub = s(data.get("ADNationalPublicationNumber")) or s(data.get("nationalPublicationNumber")) or None
    dates = {}
    for key in ("disappearanceDate", "expireDate", "nationalPublicationDate"):
        d = parse_date(data.get(key), field=key, source=source)
        if d:
            dates[key] = d
    biblio = Biblio(
        office="JP",
        source="jpo",
        application_number=number,
        application_number_normalized=normalized_number("JP", number),
        filing_date=parse_date(data.get("filingDate"), field="filingDate", source=source),
        publication_number=pub or nat_pub,
        publication_date=parse_date(data.get("publicationDate"), field="publicationDate", source=source),
        grant_number=s(data.get("registrationNumber")) or None,
        grant_date=parse_date(data.get("registrationDate"), field="registrationDate", source=source),
        title=title,
        titles={"ja": title} if title else {},
        applicants=tuple(applicants),
        representatives=tuple(reps),
        priority_claims=_priority(data, source=source),
        pct_application_number=s(data.get("internationalApplicationNumber")) or None,
        pct_publication_number=s(data.get("internationalPublicationNumber")) or None,
        pct_publication_date=parse_date(
            data.get("internationalPublicationDate"), field="internationalPublicationDate", source=source
        ),
        expiry_date=parse_date(data.get("expireDate"), field="expireDate", source=source),
        dates=dates,
        right=right_of(data),
        extra={
            k: data[k]
            for k in ("publicationNumber", "nationalPublicationNumber", "erasureIdentifier")
            if data.get(k) not in (None, "")
        },
    )
    return JpoProgress(biblio=biblio, events=tuple(events))


def parse_app_progress(body: bytes | str) -> JpoResult[JpoProgress]:
    """``app_progress`` and ``app_progress_simple`` (same shape; the simple one lacks priority/divisional)."""
    source = f"{SRC} app_progress"
    status, data = _envelope(body, source=source)
    return JpoResult(status=status, data=_progress(data, source=source) if data is not None else None)


def parse_registration_info(body: bytes | str) -> JpoResult[JpoRegistration]:
    source = f"{SRC} registration_info"
    status, data = _envelope(body, source=source)
    if data is None:
        return JpoResult(status=status, data=None)

    def d(key: str) -> dt.date | None:
        return parse_date(data.get(key), field=key, source=source)

    reg = JpoRegistration(
        application_number=_app_number(data, source=source),
        registration_number=s(data.get("registrationNumber")) or None,
        registration_date=d("registrationDate"),
        filing_date=d("filingDate"),
        decision_date=d("decisionDate"),
        expiry_date=d("expireDate"),
        next_payment_date=d("nextPensionPaymentDate"),
        last_paid_year=parse_int(data.get("lastPaymentYearly"), field="lastPaymentYearly", source=source),
        number_of_claims=parse_int(data.get("numberOfClaims"), field="numberOfClaims", source=source),
        right_holders=tuple(
            Party(
                name=s(p.get("rightPersonName")),
                role="owner",
                office_id=s(p.get("rightPersonCd")) or None,
                sequence=i,
            )
            for i, p in enumerate(as_list(data.get("rightPersonInformation")), start=1)
            if isinstance(p, dict) and s(p.get("rightPersonName"))
        ),
        erasure_identifier=s(data.get("erasureIdentifier")) or None,
        disappearance_date=d("disappearanceDate"),
        # The API spells it "appealTrialDecisiondDate"; accept the corrected spelling too.
        appeal_decision_date=parse_date(
            data.get("appealTrialDecisiondDate") or data.get("appealTrialDecisionDate"),
            field="appealTrialDecisiondDate",
            source=source,
        ),
        update_date=d("updateDate"),
        title=s(data.get("inventionTitle")) or None,
    )
    return JpoResult(status=status, data=reg)


def parse_priority_info(body: bytes | str) -> JpoResult[tuple[PriorityClaim, ...]]:
    source = f"{SRC} priority_right_app_info"
    status, data = _envelope(body, source=source)
    if data is None:
        return JpoResult(status=status, data=None)
    _app_number(data, source=source)
    return JpoResult(status=status, data=_priority(data, source=source))


def parse_divisional_info(body: bytes | str) -> JpoResult[JpoDivisionalInfo]:
    source = f"{SRC} divisional_app_info"
    status, data = _envelope(body, source=source)
    if data is None:
        return JpoResult(status=status, data=None)
    parent = data.get("parentApplicationInformation")
    return JpoResult(
        status=status,
        data=JpoDivisionalInfo(
            application_number=_app_number(data, source=source),
            parent=parent if isinstance(parent, dict) and parent else None,
            children=tuple(
                c for c in as_list(data.get("divisionalApplicationInformation")) if isinstance(c, dict)
            ),
        ),
    )


def parse_case_number_reference(body: bytes | str) -> JpoResult[JpoCaseNumbers]:
    source = f"{SRC} case_number_reference"
    status, data = _envelope(body, source=source)
    if data is None:
        return JpoResult(status=status, data=None)
    return JpoResult(
        status=status,
        data=JpoCaseNumbers(
            application_number=_app_number(data, source=source),
            publication_number=s(data.get("publicationNumber")) or None,
            national_publication_number=s(data.get("nationalPublicationNumber")) or None,
            registration_number=s(data.get("registrationNumber")) or None,
            international_publication_number=s(data.get("internationalPublicationNumber")) or None,
        ),
    )


def parse_jpo_status(body: bytes | str) -> JpoStatus:
    """Only the envelope status (for any endpoint, whatever its data)."""
    status, _ = _envelope(body, source=f"{SRC} envelope")
    return status


def parse_jpo_token(body: bytes | str) -> JpoTokenResponse:
    source = f"{SRC} token"
    data = load_json(body, source=source)
    if not isinstance(data, dict):
        raise ParseError("token response is not a JSON object", source=source)
    token = s(data.get("access_token"))
    expires_in = parse_int(data.get("expires_in"), field="expires_in", source=source)
    if not token or expires_in is None:
        raise ParseError("token response without access_token / expires_in", source=source)
    return JpoTokenResponse(
        access_token=token,
        refresh_token=s(data.get("refresh_token")),
        expires_in=expires_in,
        refresh_expires_in=parse_int(
            data.get("refresh_expires_in"), field="refresh_expires_in", source=source
        ),
        token_type=s(data.get("token_type")),
        scope=s(data.get("scope")) or None,
    )
