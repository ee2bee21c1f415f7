"""USPTO Open Data Portal (api.uspto.gov): patent file wrapper data and search.

The key (USPTO_ODP_API_KEY) goes in ``X-API-KEY``. ODP allows **one request in flight per key**: the shared
throttle holds a lease on ``("uspto", "*")`` for the duration of each request, across all workers and
machines (a lease with an expiry, so a crashed worker cannot hold it). A 429 blocks the key for at least
``max(Retry-After, 5 s)``. A 413 (answer too large) makes the search iterator ask for smaller pages.

Error bodies come in two shapes, both read: ``{"error": …, "errorDetails": …}`` and
``{"code": 404, "message": "Not Found", "detailedMessage": "No matching records found…"}``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from patents.clients.base import BaseClient, OfficeResponse, retry_after_seconds
from patents.clients.errors import (
    AuthError,
    BadResponse,
    NotFound,
    RateLimited,
    TooLarge,
    TransientError,
)
from patents.numbers import InvalidNumber, normalize_application_number

log = logging.getLogger(__name__)

API = "/api/v1/patent/applications"
SERVICE = "*"
MIN_RATE_LIMIT_WAIT = 5.0
MAX_PAGE = 100
APPLICATION_PARTS = (
    "meta-data",
    "adjustment",
    "assignment",
    "attorney",
    "continuity",
    "foreign-priority",
    "transactions",
    "documents",
    "associated-documents",
)


def application_number(raw: str) -> str:
    """What users type → ODP's applicationNumberText: ``16/123,456`` → ``16123456``; ``PCT/US2020/012345`` →
    ``PCTUS2020012345`` (ODP writes international applications without separators)."""
    try:
        normalized = normalize_application_number("US", raw)
    except InvalidNumber as exc:
        raise ValueError(str(exc)) from None
    return normalized.replace("/", "")


class UsptoOdpClient(BaseClient):
    office = "uspto"

    def __init__(self, *, api_key: str, base_url: str = "https://api.uspto.gov", **kwargs) -> None:
        super().__init__(base_url=base_url, **kwargs)
        if not api_key:
            raise AuthError("USPTO ODP needs an API key (USPTO_ODP_API_KEY)", office=self.office)
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"<UsptoOdpClient {self.base_url}>"

    def request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> OfficeResponse:
        url = f"{self.base_url}{path}"
        headers = {"X-API-KEY": self._api_key, "Accept": "application/json"}
        response = self._send(
            method,
            url,
            endpoint=endpoint,
            service=SERVICE,
            params=params,
            headers=headers,
            json_body=json_body,
        )
        return self._check(response)

    def _check(self, r: OfficeResponse) -> OfficeResponse:
        if r.status == 200:
            return r
        message = _error_message(r.body)
        if r.status == 404:
            raise NotFound(
                f"{r.endpoint}: {message or 'no matching records'}",
                office=self.office,
                status=404,
                response=r,
            )
        if r.status == 429:
            wait = max(retry_after_seconds(r.headers) or 0.0, MIN_RATE_LIMIT_WAIT)
            self.throttle.block(self.office, SERVICE, seconds=wait, reason="RateLimited: USPTO ODP answered 429")
            raise RateLimited(
                f"{r.endpoint}: too many requests for this key",
                office=self.office,
                status=429,
                retry_after=wait,
                response=r,
            )
        if r.status == 413:
            raise TooLarge(f"{r.endpoint}: answer too large ({message})", office=self.office, status=413, response=r)
        if r.status in (401, 403):
            raise AuthError(
                f"{r.endpoint}: {message or 'API key rejected'}",
                office=self.office,
                status=r.status,
                response=r,
            )
        if r.status >= 500:
            raise TransientError(
                f"{r.endpoint}: server error {message}".strip(),
                office=self.office,
                status=r.status,
                retry_after=retry_after_seconds(r.headers),
                response=r,
            )
        raise BadResponse(f"{r.endpoint}: {message or 'rejected'}", office=self.office, status=r.status, response=r)

    # --- application data -----------------------------------------------------------------------------------

    def application(self, number: str) -> OfficeResponse:
        """The whole file wrapper record (meta-data, events, continuity, PTA, attorney, …)."""
        n = application_number(number)
        return self.request("GET", f"{API}/{quote(n)}", endpoint="applications")

    def application_part(self, number: str, part: str) -> OfficeResponse:
        if part not in APPLICATION_PARTS:
            raise ValueError(f"part must be one of {APPLICATION_PARTS}")
        n = application_number(number)
        return self.request("GET", f"{API}/{quote(n)}/{part}", endpoint=f"applications/{part}")

    def meta_data(self, number: str) -> OfficeResponse:
        return self.application_part(number, "meta-data")

    def transactions(self, number: str) -> OfficeResponse:
        """The prosecution history: eventCode, eventDescriptionText, eventDate."""
        return self.application_part(number, "transactions")

    def continuity(self, number: str) -> OfficeResponse:
        return self.application_part(number, "continuity")

    def documents(self, number: str) -> OfficeResponse:
        return self.application_part(number, "documents")

    def foreign_priority(self, number: str) -> OfficeResponse:
        return self.application_part(number, "foreign-priority")

    # --- search ---------------------------------------------------------------------------------------------

    def search(
        self,
        q: str | None = None,
        *,
        filters: Sequence[Mapping[str, Any]] = (),
        range_filters: Sequence[Mapping[str, Any]] = (),
        sort: Sequence[Mapping[str, str]] = (),
        fields: Sequence[str] = (),
        offset: int = 0,
        limit: int = 25,
        method: str | None = None,
    ) -> OfficeResponse:
        """One page. GET for a plain ``q``; POST (JSON) with filters, range filters or sort."""
        if limit < 1 or offset < 0:
            raise ValueError("limit must be ≥ 1 and offset ≥ 0")
        use_post = method == "POST" or (method is None and (filters or range_filters or sort or fields))
        if use_post:
            body: dict[str, Any] = {"pagination": {"offset": offset, "limit": limit}}
            if q:
                body["q"] = q
            if filters:
                body["filters"] = [dict(f) for f in filters]
            if range_filters:
                body["rangeFilters"] = [dict(f) for f in range_filters]
            if sort:
                body["sort"] = [dict(s) for s in sort]
            if fields:
                body["fields"] = list(fields)
            return self.request("POST", f"{API}/search", endpoint="applications/search", json_body=body)
        params = {"q": q, "offset": offset, "limit": limit}
        return self.request("GET", f"{API}/search", endpoint="applications/search", params=params)

    def iter_search(
        self, q: str | None = None, *, page_size: int = 25, max_results: int | None = None, **criteria: Any
    ) -> Iterator[OfficeResponse]:
        """Every page of a search, in order. A 413 halves the page size and asks again; no hits: nothing."""
        limit = max(1, min(page_size, MAX_PAGE))
        offset, total = 0, None
        while total is None or offset < total:
            if max_results is not None:
                if offset >= max_results:
                    return
                limit = min(limit, max_results - offset)
            try:
                response = self.search(q, offset=offset, limit=limit, **criteria)
            except TooLarge:
                if limit == 1:
                    raise
                limit = max(1, limit // 2)
                log.info("ODP 413: retrying with pages of %d", limit)
                continue
            except NotFound:
                return
            data = response.json()
            count = data.get("count") if isinstance(data, dict) else None
            if not isinstance(count, int):
                raise BadResponse("search answer without a count", office=self.office, status=200, response=response)
            bag = data.get("patentFileWrapperDataBag") or []
            yield response
            total = count
            if not bag:
                return
            offset += len(bag)


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace").strip()
    if not isinstance(data, dict):
        return ""
    parts = [data.get("error"), data.get("errorDetails"), data.get("message"), data.get("detailedMessage")]
    return " — ".join(str(p) for p in parts if p)
