"""EPO Open Patent Services 3.2: register, legal (INPADOC), published data, family, number service, search.

Authentication is OAuth client credentials: a token of ~20 minutes, renewed a minute before it expires and,
once per call, when OPS answers **HTTP 400** ``invalid_access_token`` (OPS never says 401 for an expired
token). Key and secret come from settings (OPS_KEY / OPS_SECRET, i.e. the environment); the token lives only
in this object's memory: it is never logged, never part of a request key, never in a stored payload.

Every answer feeds the shared throttle: ``X-Throttling-Control`` (per-service per-minute limits adopted as
advertised; yellow and red slow us down; black blocks the service until ``Retry-After``, which OPS gives in
milliseconds) and the fair-use byte counters against our weekly budget (OPS_WEEKLY_QUOTA_BYTES).

Inputs: ``reference_type`` is "publication", "application" or "priority"; ``input_format`` "docdb"
(``EP.2400812.A1``, or ``docdb("EP", "2400812", "A1")``) or "epodoc" (``EP2400812``, ``EP13860559``); the
number service also takes "original".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote

import requests

from patents.clients.base import BaseClient, OfficeResponse, ResponseCache, retry_after_seconds
from patents.clients.errors import (
    AuthError,
    BadResponse,
    IndividualQuotaPerHour,
    NotFound,
    QuotaError,
    RegisteredQuotaPerWeek,
    ThrottlingControlQuota,
    TransientError,
)

log = logging.getLogger(__name__)

REFERENCE_TYPES = ("publication", "application", "priority")
INPUT_FORMATS = ("docdb", "epodoc")
REGISTER_CONSTITUENTS = ("biblio", "events", "procedural-steps", "upp")
PUBLISHED_ENDPOINTS = ("biblio", "abstract", "full-cycle", "claims", "description", "fulltext", "equivalents")
FAMILY_CONSTITUENTS = ("biblio", "legal")
# How much a colour slows the bucket. The colour reports how much of the per-minute allowance this key has
# used in the last minute (the simulator: green ≤ 50 %, yellow ≤ 75 %, red above). Pacing at the advertised
# limit keeps us red in steady state; red runs 4 % under it so network jitter between our evenly spaced
# sends and their arrival can never make the office's sliding window count reach the limit.
COLOUR_FACTORS = {"green": 1.0, "yellow": 0.98, "red": 0.96}
# Register and legal status can change any day; keep them at most a minute. Publications do not change.
CACHE_TTL = {
    "register": 60.0,
    "legal": 60.0,
    "published-data": 600.0,
    "family": 600.0,
    "number-service": 3600.0,
}
TOKEN_RENEW_MARGIN = 60.0
# Fair use: refuse before the weekly budget is reached, keeping this much for answers already in flight.
QUOTA_MARGIN_BYTES = 2 * 1024 * 1024
# OPS counts fair use over rolling windows; when our budget is used up we look again after this long.
QUOTA_RECHECK_SECONDS = 3600.0
MAX_RANGE = 100  # OPS serves at most 100 search results per request


def docdb(country: str, number: str, kind: str | None = None, date: str | None = None) -> str:
    """docdb input form: ``EP.2400812.A1`` (the kind is optional for some services)."""
    return ".".join(p for p in (country.upper(), number, (kind or "").upper(), date or "") if p)


def ops_service_for(path: str) -> str:
    """The OPS throttling service a path is counted against (the office's own grouping)."""
    if path.startswith("published-data/images") or path.startswith("classification/cpc/media"):
        return "images"
    if path.startswith("published-data/search"):
        return "search"
    if path.startswith("published-data"):
        return "retrieval"
    if path.startswith(("family", "legal")):
        return "inpadoc"
    return "other"


class _InvalidToken(Exception):
    pass


# X-Rejection-Reason of a fair-use 403 → (error, message); any other reason is a plain QuotaError.
_FAIR_USE_REFUSALS: dict[str, tuple[type[QuotaError], str]] = {
    "IndividualQuotaPerHour": (IndividualQuotaPerHour, "hourly fair-use quota used up"),
    "RegisteredQuotaPerWeek": (RegisteredQuotaPerWeek, "weekly fair-use quota used up"),
}


class EpoOpsClient(BaseClient):
    office = "epo"

    def __init__(
        self,
        *,
        key: str,
        secret: str,
        base_url: str = "https://ops.epo.org/3.2",
        weekly_quota_bytes: int | None = None,
        hourly_quota_bytes: int | None = None,
        cache: bool | ResponseCache = False,
        accept: str = "application/xml",
        **kwargs,
    ) -> None:
        response_cache = (ResponseCache() if cache else None) if isinstance(cache, bool) else cache
        super().__init__(base_url=base_url, cache=response_cache, **kwargs)
        if not key or not secret:
            raise AuthError("OPS key and secret are required (OPS_KEY / OPS_SECRET)", office=self.office)
        self._credentials = (key, secret)
        self.weekly_quota_bytes = weekly_quota_bytes
        self.hourly_quota_bytes = hourly_quota_bytes
        self.accept = accept
        self._token: str | None = None
        self._token_expires = 0.0  # monotonic
        self._token_lock = threading.Lock()
        self._fed: dict[str, tuple[int, str, float]] = {}
        self.token_renewals = 0

    def __repr__(self) -> str:  # never the secret or the token
        return f"<EpoOpsClient {self.base_url}>"

    # --- token ----------------------------------------------------------------------------------------------

    def _access_token(self, *, force: bool = False) -> str:
        with self._token_lock:
            if not force and self._token and time.monotonic() < self._token_expires - TOKEN_RENEW_MARGIN:
                return self._token
            from patents.offices.ep.parser import parse_ops_token
            from patents.parsers.errors import ParseError

            url = f"{self.base_url}/auth/accesstoken"
            try:
                raw = self.session.post(
                    url,
                    data={"grant_type": "client_credentials"},
                    auth=self._credentials,
                    headers={"Accept": "application/json"},
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                raise TransientError(f"token request failed ({exc.__class__.__name__})", office=self.office) from None
            if raw.status_code in (400, 401, 403):
                raise AuthError("OPS rejected the consumer key/secret", office=self.office, status=raw.status_code)
            if raw.status_code >= 500:
                raise TransientError(
                    "token endpoint unavailable",
                    office=self.office,
                    status=raw.status_code,
                    retry_after=retry_after_seconds(raw.headers),
                )
            if raw.status_code != 200:
                raise BadResponse("unexpected token answer", office=self.office, status=raw.status_code)
            try:
                token = parse_ops_token(raw.content)
            except ParseError as exc:
                raise BadResponse(f"unreadable token answer: {exc.reason}", office=self.office, status=200) from None
            self._token = token.access_token
            self._token_expires = time.monotonic() + token.expires_in
            self.token_renewals += 1
            log.info("OPS access token obtained, valid %ss", token.expires_in)
            return self._token

    # --- one call -------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str | None = None,
        params: Mapping[str, str] | None = None,
        data: str | None = None,
        accept: str | None = None,
        cache: bool = True,
    ) -> OfficeResponse:
        """Any rest-services path (``register/application/epodoc/EP13860559/biblio``). Raises typed errors;
        returns the 200 answer. The token is renewed once if OPS says ``invalid_access_token``."""
        url = f"{self.base_url}/rest-services/{path}"
        service = ops_service_for(path)
        endpoint = endpoint or path.split("/", 1)[0]
        ttl = CACHE_TTL.get(path.split("/", 1)[0]) if cache and method == "GET" and self.cache else None
        for attempt in (1, 2):
            token = self._access_token(force=attempt == 2)
            headers = {"Authorization": f"Bearer {token}", "Accept": accept or self.accept}
            if data is not None:
                headers["Content-Type"] = "text/plain"
            response = self._send(
                method,
                url,
                endpoint=endpoint,
                service=service,
                params=params,
                headers=headers,
                data=data,
                cache_ttl=ttl,
            )
            if not response.from_cache:
                self._feed(response)
            try:
                return self._check(response)
            except _InvalidToken:
                if self.cache is not None:
                    self.cache.invalidate(response.request_key)
                if attempt == 2:
                    raise AuthError(
                        "OPS still says invalid_access_token after a fresh token",
                        office=self.office,
                        status=400,
                        response=response,
                    ) from None
                log.info("OPS said invalid_access_token; renewing the token once")
        raise AssertionError("unreachable")

    def _check(self, r: OfficeResponse) -> OfficeResponse:
        if r.status == 200:
            return r
        fault = _fault(r.body)
        code = fault.code if fault else ""
        message = (fault.message if fault else "") or ""
        if r.status == 400 and (
            message == "invalid_access_token" or "invalid_token" in r.headers.get("WWW-Authenticate", "")
        ):
            raise _InvalidToken()
        if r.status == 404:
            raise NotFound(
                f"{r.endpoint}: no data ({code or 'empty body'})",
                office=self.office,
                status=404,
                response=r,
                code=code or "404",
            )
        if r.status == 403:
            reason = r.headers.get("X-Rejection-Reason", "").strip()
            if reason == "ThrottlingControlQuota":
                raise ThrottlingControlQuota(
                    f"{r.service} is black for this key",
                    office=self.office,
                    status=403,
                    retry_after=_ops_retry_after(r.headers) or 60.0,
                    response=r,
                    code=reason,
                )
            if reason:
                error, what = _FAIR_USE_REFUSALS.get(reason, (QuotaError, f"fair use: {reason}"))
                raise error(
                    what,
                    office=self.office,
                    status=403,
                    retry_after=_quota_wait(r.headers),
                    response=r,
                    code=reason,
                )
            raise AuthError(
                f"{r.endpoint}: access forbidden ({message or code})",
                office=self.office,
                status=403,
                response=r,
                code=code,
            )
        if r.status == 401:
            raise AuthError("OPS rejected the credentials", office=self.office, status=401, response=r)
        if r.status >= 500:
            what = "overloaded" if r.status == 503 else "server error"
            raise TransientError(
                f"{r.endpoint}: {what} {code}".strip(),
                office=self.office,
                status=r.status,
                retry_after=retry_after_seconds(r.headers, default=None),
                response=r,
                code=code,
            )
        raise BadResponse(
            f"{r.endpoint}: {code} {message}".strip(),
            office=self.office,
            status=r.status,
            response=r,
            code=code,
        )

    # --- throttle signals -----------------------------------------------------------------------------------

    def _feed(self, r: OfficeResponse) -> None:
        from patents.offices.ep.parser import parse_throttling_control
        from patents.parsers.errors import ParseError

        header = r.headers.get("X-Throttling-Control")
        if header:
            try:
                control = parse_throttling_control(header)
            except ParseError:
                log.warning("unreadable X-Throttling-Control %r", header)
                control = None
            if control is not None:
                now = time.monotonic()
                for service, light in control.services.items():
                    if light.color == "black":
                        self.throttle.block(
                            self.office,
                            service,
                            seconds=_ops_retry_after(r.headers) or 60.0,
                            reason=f"ThrottlingControlQuota: OPS shows {service} black",
                        )
                        self._fed.pop(service, None)
                        continue
                    last = self._fed.get(service)
                    # Another worker may have written the same figures; re-assert them now and then anyway.
                    if last and last[:2] == (light.limit_per_minute, light.color) and now - last[2] < 10.0:
                        continue
                    self.throttle.set_rate(
                        self.office,
                        service,
                        per_minute=light.limit_per_minute,
                        factor=COLOUR_FACTORS.get(light.color, 0.5),
                    )
                    self._fed[service] = (light.limit_per_minute, light.color, now)
        reason = r.headers.get("X-Rejection-Reason", "").strip()
        if r.status == 403 and reason in ("IndividualQuotaPerHour", "RegisteredQuotaPerWeek"):
            self.throttle.block(
                self.office, "*", seconds=_quota_wait(r.headers), reason=f"{reason}: OPS refused for fair use"
            )
        weekly = _int(r.headers.get("X-RegisteredQuotaPerWeek-Used"))
        if self.weekly_quota_bytes and weekly is not None and weekly + QUOTA_MARGIN_BYTES >= self.weekly_quota_bytes:
            self.throttle.block(
                self.office,
                "*",
                seconds=QUOTA_RECHECK_SECONDS,
                reason=(
                    f"RegisteredQuotaPerWeek: {weekly:,} of our weekly budget of {self.weekly_quota_bytes:,} "
                    "bytes used (OPS_WEEKLY_QUOTA_BYTES)"
                ),
            )
        hourly = _int(r.headers.get("X-IndividualQuotaPerHour-Used"))
        if self.hourly_quota_bytes and hourly is not None and hourly + QUOTA_MARGIN_BYTES >= self.hourly_quota_bytes:
            self.throttle.block(
                self.office,
                "*",
                seconds=600.0,
                reason=f"IndividualQuotaPerHour: {hourly:,} of {self.hourly_quota_bytes:,} bytes this hour",
            )

    # --- services -------------------------------------------------------------------------------------------

    @staticmethod
    def _ref(reference_type: str, input_format: str, formats: Iterable[str] = INPUT_FORMATS) -> str:
        if reference_type not in REFERENCE_TYPES:
            raise ValueError(f"reference_type must be one of {REFERENCE_TYPES}, not {reference_type!r}")
        if input_format not in formats:
            raise ValueError(f"input_format must be one of {tuple(formats)}, not {input_format!r}")
        return f"{reference_type}/{input_format}"

    @staticmethod
    def _num(number: str) -> str:
        return quote(number.strip(), safe="().,")

    def register(
        self,
        number: str,
        *,
        reference_type: str = "application",
        input_format: str = "epodoc",
        constituents: Iterable[str] = ("biblio",),
    ) -> OfficeResponse:
        """European Patent Register for one number: biblio, events, procedural-steps (and upp)."""
        what = _constituents(constituents, REGISTER_CONSTITUENTS)
        path = f"register/{self._ref(reference_type, input_format)}/{self._num(number)}/{what}"
        return self.request("GET", path, endpoint=f"register/{what}")

    def register_many(
        self,
        numbers: Iterable[str],
        *,
        reference_type: str = "application",
        input_format: str = "epodoc",
        constituents: Iterable[str] = ("biblio",),
    ) -> OfficeResponse:
        """Several numbers in one POST (OPS allows it for the register; one answer, several documents)."""
        nums = [n.strip() for n in numbers if n.strip()]
        if not nums:
            raise ValueError("register_many needs at least one number")
        if len(nums) > MAX_RANGE:
            raise ValueError(f"OPS takes at most {MAX_RANGE} numbers per POST")
        what = _constituents(constituents, REGISTER_CONSTITUENTS)
        path = f"register/{self._ref(reference_type, input_format)}/{what}"
        return self.request("POST", path, endpoint=f"register/{what}", data="\n".join(nums))

    def legal(self, number: str, *, reference_type: str = "publication", input_format: str = "docdb") -> OfficeResponse:
        """INPADOC legal events (any country) for one publication/application/priority number."""
        path = f"legal/{self._ref(reference_type, input_format)}/{self._num(number)}"
        return self.request("GET", path, endpoint="legal")

    def published_data(
        self,
        number: str,
        *,
        reference_type: str = "publication",
        input_format: str = "docdb",
        endpoint: str = "biblio",
    ) -> OfficeResponse:
        """Published data: biblio (default), abstract, full-cycle, claims, description (EP/WO full text)."""
        if endpoint not in PUBLISHED_ENDPOINTS:
            raise ValueError(f"endpoint must be one of {PUBLISHED_ENDPOINTS}")
        path = f"published-data/{self._ref(reference_type, input_format)}/{self._num(number)}/{endpoint}"
        return self.request("GET", path, endpoint=f"published-data/{endpoint}")

    def published_data_many(
        self,
        numbers: Iterable[str],
        *,
        reference_type: str = "publication",
        input_format: str = "docdb",
        endpoint: str = "biblio",
    ) -> OfficeResponse:
        nums = [n.strip() for n in numbers if n.strip()]
        if not nums or len(nums) > MAX_RANGE:
            raise ValueError(f"published_data_many takes 1..{MAX_RANGE} numbers")
        path = f"published-data/{self._ref(reference_type, input_format)}/{endpoint}"
        return self.request("POST", path, endpoint=f"published-data/{endpoint}", data="\n".join(nums))

    def family(
        self,
        number: str,
        *,
        reference_type: str = "publication",
        input_format: str = "docdb",
        constituents: Iterable[str] = (),
    ) -> OfficeResponse:
        """INPADOC extended family, optionally with the members' biblio and/or legal data."""
        path = f"family/{self._ref(reference_type, input_format)}/{self._num(number)}"
        consts = list(constituents)
        if consts:
            path += "/" + _constituents(consts, FAMILY_CONSTITUENTS)
        return self.request("GET", path, endpoint="family" + ("/" + ",".join(consts) if consts else ""))

    def number_service(
        self,
        number: str,
        *,
        reference_type: str = "application",
        input_format: str = "original",
        output_format: str = "epodoc",
    ) -> OfficeResponse:
        """Convert between original, epodoc and docdb forms (a JP or PCT number as written)."""
        if output_format not in ("original", "epodoc", "docdb"):
            raise ValueError("output_format must be original, epodoc or docdb")
        ref = self._ref(reference_type, input_format, ("original", "epodoc", "docdb"))
        if "/" in number:
            # Numbers like PCT/GB02/04635 cannot be path segments; OPS takes them in a POST body.
            return self.request(
                "POST",
                f"number-service/{ref}/{output_format}",
                endpoint="number-service",
                data=number.strip(),
            )
        return self.request(
            "GET", f"number-service/{ref}/{self._num(number)}/{output_format}", endpoint="number-service"
        )

    def register_search(self, query: str, *, range_begin: int = 1, range_end: int = 25) -> OfficeResponse:
        """One page of a register search (CQL, e.g. ``pa=acme and pd>=2020``)."""
        return self.request(
            "GET",
            "register/search",
            endpoint="register/search",
            params={"q": query, "Range": _range(range_begin, range_end)},
        )

    def iter_register_search(
        self, query: str, *, page_size: int = MAX_RANGE, max_results: int | None = None
    ) -> Iterator[OfficeResponse]:
        """Every page of a register search (raw answers, in order). No hits: yields nothing."""
        from patents.offices.ep.parser import parse_register_search

        yield from self._pages(
            lambda b, e: self.register_search(query, range_begin=b, range_end=e),
            parse_register_search,
            page_size,
            max_results,
        )

    def _pages(self, fetch, parse, page_size, max_results) -> Iterator[OfficeResponse]:
        from patents.parsers.errors import ParseError

        page_size = max(1, min(page_size, MAX_RANGE))
        begin, total = 1, None
        while True:
            end = begin + page_size - 1
            if total is not None:
                end = min(end, total)
            if max_results is not None:
                end = min(end, max_results)
            if end < begin:
                return
            try:
                response = fetch(begin, end)
            except NotFound:
                return  # OPS answers 404 for "no (more) hits"
            try:
                page = parse(response.body)
            except ParseError as exc:
                raise BadResponse(
                    f"{response.endpoint}: unreadable search page ({exc.reason})",
                    office=self.office,
                    status=response.status,
                    response=response,
                ) from None
            yield response
            total = page.total
            last = page.range_end or end
            if last >= total or last < begin:
                return
            begin = last + 1


def _constituents(values: Iterable[str], allowed: tuple[str, ...]) -> str:
    vals = [v.strip() for v in values if v.strip()]
    bad = [v for v in vals if v not in allowed]
    if bad or not vals:
        raise ValueError(f"constituents must be among {allowed}, got {vals}")
    return ",".join(vals)


def _range(begin: int, end: int) -> str:
    if begin < 1 or end < begin or end - begin >= MAX_RANGE:
        raise ValueError(f"OPS ranges are 1-based and at most {MAX_RANGE} long: {begin}-{end}")
    return f"{begin}-{end}"


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def _ops_retry_after(headers: Mapping[str, str]) -> float | None:
    """OPS sends Retry-After with a black light in milliseconds (python-epo-ops-client reads it so too)."""
    ms = _int(headers.get("Retry-After"))
    if ms is None:
        return None
    return max(1.0, ms / 1000.0)


def _quota_wait(headers: Mapping[str, str]) -> float:
    # Fair use counts over rolling windows and OPS does not say when it frees up; look again in a while.
    return retry_after_seconds(headers) or 600.0


def _fault(body: bytes):
    if not body or not body.lstrip().startswith(b"<"):
        return None
    from patents.offices.ep.parser import parse_ops_fault
    from patents.parsers.errors import ParseError

    try:
        return parse_ops_fault(body)
    except ParseError:
        return None
