"""Lens.org patent search (portfolio discovery): ``POST /patent/search`` with the JSON query DSL.

``search`` is one page (``size``/``from``, at most 10,000 results deep). ``iter_search`` walks every
result with scroll: ``scroll: "1m"`` and always the **latest** ``scroll_id`` (Lens changes it every page;
reusing an old one skips or repeats results); HTTP 204 or an empty page ends it.

The bearer token is LENS_TOKEN. Rate limits arrive as ``x-rate-limit-remaining-request-per-minute`` (our
bucket never holds more tokens than that), ``x-rate-limit-retry-after-seconds`` / ``…-millis`` and 429.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from patents.clients.base import BaseClient, OfficeResponse, retry_after_seconds
from patents.clients.errors import AuthError, BadResponse, NotFound, RateLimited, TransientError

log = logging.getLogger(__name__)

SERVICE = "*"
MAX_WINDOW = 10_000
SCROLL = "1m"
GROUPINGS = ("SIMPLE_FAMILY", "EXTENDED_FAMILY")


class LensClient(BaseClient):
    office = "lens"

    def __init__(self, *, token: str, base_url: str = "https://api.lens.org", **kwargs) -> None:
        super().__init__(base_url=base_url, **kwargs)
        if not token:
            raise AuthError("Lens needs an API token (LENS_TOKEN)", office=self.office)
        self._token = token

    def __repr__(self) -> str:
        return f"<LensClient {self.base_url}>"

    def _post(self, body: Mapping[str, Any], endpoint: str) -> OfficeResponse:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        response = self._send(
            "POST",
            f"{self.base_url}/patent/search",
            endpoint=endpoint,
            service=SERVICE,
            headers=headers,
            json_body=dict(body),
        )
        self._feed(response)
        return self._check(response)

    def _feed(self, r: OfficeResponse) -> None:
        remaining = r.headers.get("x-rate-limit-remaining-request-per-minute")
        if remaining is not None and remaining.strip().isdigit():
            self.throttle.drain(self.office, SERVICE, remaining=float(remaining))
            if int(remaining) == 0 and r.status != 429:
                self.throttle.block(
                    self.office,
                    SERVICE,
                    seconds=_lens_wait(r.headers) or 60.0,
                    reason="RateLimited: Lens says no requests left this minute",
                )

    def _check(self, r: OfficeResponse) -> OfficeResponse:
        if r.status in (200, 204):
            return r
        message = _message(r.body)
        if r.status == 429:
            wait = _lens_wait(r.headers) or 60.0
            self.throttle.block(self.office, SERVICE, seconds=wait, reason="RateLimited: Lens answered 429")
            raise RateLimited(
                f"{r.endpoint}: rate limit ({message})",
                office=self.office,
                status=429,
                retry_after=wait,
                response=r,
            )
        if r.status in (401, 403):
            raise AuthError(
                f"{r.endpoint}: {message or 'token rejected'}",
                office=self.office,
                status=r.status,
                response=r,
            )
        if r.status == 404:
            raise NotFound(f"{r.endpoint}: {message or 'not found'}", office=self.office, status=404, response=r)
        if r.status >= 500:
            raise TransientError(
                f"{r.endpoint}: server error {message}".strip(),
                office=self.office,
                status=r.status,
                retry_after=_lens_wait(r.headers),
                response=r,
            )
        raise BadResponse(f"{r.endpoint}: {message or 'rejected'}", office=self.office, status=r.status, response=r)

    @staticmethod
    def _body(
        query: Mapping[str, Any] | str,
        *,
        size: int,
        sort,
        include,
        exclude,
        group_by,
        expand_by,
        extra: Mapping[str, Any],
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"query": query, "size": size}
        if sort:
            body["sort"] = list(sort)
        if include:
            body["include"] = list(include)
        if exclude:
            body["exclude"] = list(exclude)
        for name, value in (("group_by", group_by), ("expand_by", expand_by)):
            if value:
                if value not in GROUPINGS:
                    raise ValueError(f"{name} must be one of {GROUPINGS}")
                body[name] = value
        body.update(extra)
        return body

    def search(
        self,
        query: Mapping[str, Any] | str,
        *,
        size: int = 100,
        from_: int = 0,
        sort: Sequence[Mapping[str, str]] = (),
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        group_by: str | None = None,
        expand_by: str | None = None,
        **extra: Any,
    ) -> OfficeResponse:
        """One page by size/from. Lens serves no deeper than 10,000 this way; use ``iter_search`` beyond."""
        if size < 1 or from_ < 0 or from_ + size > MAX_WINDOW:
            raise ValueError(f"size/from reach at most {MAX_WINDOW} results; use iter_search (scroll) beyond")
        body = self._body(
            query,
            size=size,
            sort=sort,
            include=include,
            exclude=exclude,
            group_by=group_by,
            expand_by=expand_by,
            extra=extra,
        )
        body["from"] = from_
        return self._post(body, "patent/search")

    def iter_search(
        self,
        query: Mapping[str, Any] | str,
        *,
        size: int = 100,
        sort: Sequence[Mapping[str, str]] = (),
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        group_by: str | None = None,
        expand_by: str | None = None,
        max_results: int | None = None,
        **extra: Any,
    ) -> Iterator[OfficeResponse]:
        """Every page through scroll, always continuing from the latest scroll_id. Raw pages, in order."""
        body = self._body(
            query,
            size=size,
            sort=sort,
            include=include,
            exclude=exclude,
            group_by=group_by,
            expand_by=expand_by,
            extra=extra,
        )
        body["scroll"] = SCROLL
        seen = 0
        response = self._post(body, "patent/search")
        while True:
            if response.status == 204 or not response.body.strip():
                return
            data = response.json()
            if not isinstance(data, dict):
                raise BadResponse(
                    "search answer is not an object",
                    office=self.office,
                    status=response.status,
                    response=response,
                )
            page = data.get("data") or []
            if not page:
                return
            yield response
            seen += len(page)
            total = data.get("total")
            if (isinstance(total, int) and seen >= total) or (max_results is not None and seen >= max_results):
                return
            scroll_id = data.get("scroll_id")
            if not scroll_id:
                return  # everything fitted in one page
            # Projection and query are fixed by the first request; a continuation sends only the scroll.
            response = self._post({"scroll_id": scroll_id, "scroll": SCROLL}, "patent/search/scroll")


def _lens_wait(headers: Mapping[str, str]) -> float | None:
    millis = headers.get("x-rate-limit-retry-after-millis")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    seconds = headers.get("x-rate-limit-retry-after-seconds")
    if seconds is not None:
        try:
            return max(0.0, float(seconds))
        except ValueError:
            pass
    return retry_after_seconds(headers)


def _message(body: bytes) -> str:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace").strip()
    if isinstance(data, dict):
        return str(data.get("message") or data.get("error") or data.get("detail") or "")
    return ""
