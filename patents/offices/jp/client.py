"""JPO Patent Information Retrieval API (特許情報取得API, ip-data.jpo.go.jp).

Authentication is a password grant (JPO_USERNAME / JPO_PASSWORD): an access token of 1 h, renewed with
the refresh token (8 h), then a fresh login. The API always answers HTTP 200 with ``result.statusCode``:

=====  =================================================  =====================================
code   meaning (JPO's own text)                           what we raise
=====  =================================================  =====================================
100    正常終了 (OK)                                       — (the response)
107    該当するデータがありません (no data)                 NotFound ("no data", not a failure)
108    該当する書類実体がありません (no document)           NotFound
111    提供対象外の案件番号 (number outside the service)    NotFound
203    1日のアクセス上限を超過 (daily cap reached)          DailyCapReached until midnight JST
204    パラメーター不正 (bad parameter)                     BadResponse
208    該当する書類が多すぎる (too many documents)          BadResponse
210    無効なトークン (invalid token)                       renew once, then AuthError
212    認証情報不正 (bad credentials)                       AuthError
301    処理タイムアウト (timed out)                         TransientError
302    処理タイムアウト (timed out)                         TransientError
303    同時アクセス数超過 (too many concurrent requests)    TransientError, key backs off
999    想定外のエラー (unexpected error)                    TransientError
=====  =================================================  =====================================

Limits: 10 requests a minute per ID and per-endpoint daily caps (configurable; app_progress 400) counted in
the shared throttle, resetting at midnight Asia/Tokyo; ``remainAccessCount`` in each answer corrects our
count. Past the cap the client refuses before sending and says when the cap resets.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from urllib.parse import quote

import requests

from patents.clients.base import BaseClient, OfficeResponse
from patents.clients.errors import (
    AuthError,
    BadResponse,
    DailyCapReached,
    NotFound,
    TransientError,
)
from patents.clients.throttle import TOKYO, next_tokyo_midnight

log = logging.getLogger(__name__)

API = "/api/patent/v1"
ENDPOINTS = (
    "app_progress",
    "app_progress_simple",
    "registration_info",
    "priority_right_app_info",
    "divisional_app_info",
    "case_number_reference",
)
CASE_NUMBER_KINDS = ("application", "publication", "registration")
NO_DATA = {"107", "108", "111"}
TRANSIENT = {"301", "302", "999"}
BAD_REQUEST = {"204", "208"}
CONCURRENCY_BACKOFF = 5.0
TOKEN_MARGIN = 60.0


def jp_application_number(raw: str) -> str:
    """``特願2020-123456`` / ``2020-123456`` / ``JP2020123456`` → ``2020123456``."""
    from patents.numbers import InvalidNumber, normalize_application_number

    try:
        return normalize_application_number("JP", raw)
    except InvalidNumber as exc:
        raise ValueError(str(exc)) from None


class _InvalidToken(Exception):
    pass


class JpoClient(BaseClient):
    office = "jpo"

    def __init__(self, *, username: str, password: str, base_url: str = "https://ip-data.jpo.go.jp", **kwargs):
        super().__init__(base_url=base_url, **kwargs)
        if not username or not password:
            raise AuthError("JPO needs JPO_USERNAME and JPO_PASSWORD", office=self.office)
        self._login = (username, password)
        self._access: str | None = None
        self._access_expires = 0.0
        self._refresh: str | None = None
        self._refresh_expires = 0.0
        self._lock = threading.Lock()
        self.logins = 0
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"<JpoClient {self.base_url}>"

    # --- tokens ---------------------------------------------------------------------------------------------

    def _token(self, *, force: bool = False) -> str:
        with self._lock:
            now = time.monotonic()
            if not force and self._access and now < self._access_expires - TOKEN_MARGIN:
                return self._access
            if self._refresh and now < self._refresh_expires - TOKEN_MARGIN:
                try:
                    self._grant({"grant_type": "refresh_token", "refresh_token": self._refresh})
                    self.refreshes += 1
                    return self._access  # type: ignore[return-value]
                except AuthError:
                    log.info("JPO refresh token refused; logging in again")
            username, password = self._login
            self._grant({"grant_type": "password", "username": username, "password": password})
            self.logins += 1
            return self._access  # type: ignore[return-value]

    def _grant(self, form: dict[str, str]) -> None:
        try:
            raw = self.session.post(
                f"{self.base_url}/auth/token",
                data=form,
                timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise TransientError(f"JPO token request failed ({exc.__class__.__name__})", office=self.office) from None
        if raw.status_code in (400, 401, 403):
            raise AuthError("JPO refused the login or refresh token", office=self.office, status=raw.status_code)
        if raw.status_code != 200:
            raise TransientError("JPO token endpoint unavailable", office=self.office, status=raw.status_code)
        try:
            data = raw.json()
            access = str(data["access_token"])
            expires = float(data.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise BadResponse("unreadable JPO token answer", office=self.office, status=200) from None
        now = time.monotonic()
        self._access, self._access_expires = access, now + expires
        if data.get("refresh_token"):
            self._refresh = str(data["refresh_token"])
            self._refresh_expires = now + float(data.get("refresh_expires_in") or 28800)

    # --- one call -------------------------------------------------------------------------------------------

    def request(self, endpoint: str, *parts: str) -> OfficeResponse:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown JPO endpoint {endpoint!r}")
        url = f"{self.base_url}{API}/{endpoint}/" + "/".join(quote(p) for p in parts)
        for attempt in (1, 2):
            token = self._token(force=attempt == 2)
            response = self._send(
                "GET",
                url,
                endpoint=endpoint,
                service=endpoint,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
            try:
                return self._check(response)
            except _InvalidToken:
                if attempt == 2:
                    raise AuthError(
                        "JPO still says 210 (invalid token) after renewing",
                        office=self.office,
                        response=response,
                        code="210",
                    ) from None
                log.info("JPO statusCode 210: renewing the token once")
        raise AssertionError("unreachable")

    # Long because: the HTTP status first, then one branch per JPO statusCode, each with its own typed error.
    def _check(self, r: OfficeResponse) -> OfficeResponse:
        if r.status == 401:
            raise _InvalidToken()
        if r.status >= 500:
            raise TransientError(f"{r.endpoint}: server error", office=self.office, status=r.status, response=r)
        if r.status != 200:
            raise BadResponse(f"{r.endpoint}: HTTP {r.status}", office=self.office, status=r.status, response=r)
        try:
            result = json.loads(r.body)["result"]
            code = str(result["statusCode"]).strip()
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise BadResponse(
                f"{r.endpoint}: no result.statusCode in the answer",
                office=self.office,
                status=200,
                response=r,
            ) from None
        message = str(result.get("errorMessage") or "")
        self._count(r.endpoint, result.get("remainAccessCount"))
        if code == "100":
            return r
        if code in NO_DATA:
            raise NotFound(
                f"{r.endpoint}: no data ({code} {message})",
                office=self.office,
                status=200,
                response=r,
                code=code,
            )
        if code == "203":
            self.throttle.set_used(
                self.office, r.endpoint, used=self.throttle.limit(self.office, r.endpoint).daily_cap or 10**9
            )
            reset = next_tokyo_midnight(time.time())
            raise DailyCapReached(
                f"{r.endpoint}: daily access cap reached; it resets at "
                f"{dt.datetime.fromtimestamp(reset, TOKYO).isoformat()}",
                office=self.office,
                status=200,
                retry_at=dt.datetime.fromtimestamp(reset, dt.UTC),
                response=r,
                code=code,
            )
        if code == "210":
            raise _InvalidToken()
        if code == "212":
            raise AuthError(
                f"{r.endpoint}: credentials rejected ({message})", office=self.office, response=r, code=code
            )
        if code == "303":
            self.throttle.block(
                self.office,
                "*",
                seconds=CONCURRENCY_BACKOFF,
                reason="TransientError: JPO 303 too many concurrent requests",
            )
            raise TransientError(
                f"{r.endpoint}: too many concurrent requests",
                office=self.office,
                status=200,
                retry_after=CONCURRENCY_BACKOFF,
                response=r,
                code=code,
            )
        if code in TRANSIENT:
            raise TransientError(
                f"{r.endpoint}: {code} {message}",
                office=self.office,
                status=200,
                retry_after=10.0,
                response=r,
                code=code,
            )
        if code in BAD_REQUEST:
            raise BadResponse(
                f"{r.endpoint}: request rejected ({code} {message})",
                office=self.office,
                status=200,
                response=r,
                code=code,
            )
        raise BadResponse(
            f"{r.endpoint}: unknown statusCode {code} {message}",
            office=self.office,
            status=200,
            response=r,
            code=code,
        )

    def _count(self, endpoint: str, remain) -> None:
        cap = self.throttle.limit(self.office, endpoint).daily_cap
        try:
            remaining = int(str(remain).strip())
        except (TypeError, ValueError):
            return
        if cap is not None:
            self.throttle.set_used(self.office, endpoint, used=max(0, cap - remaining))

    # --- endpoints ------------------------------------------------------------------------------------------

    def app_progress(self, number: str) -> OfficeResponse:
        """Examination progress with the document list (bibliographyInformation[].documentList[])."""
        return self.request("app_progress", jp_application_number(number))

    def app_progress_simple(self, number: str) -> OfficeResponse:
        return self.request("app_progress_simple", jp_application_number(number))

    def registration_info(self, number: str) -> OfficeResponse:
        """Registration: expiry, next annuity date, last paid year."""
        return self.request("registration_info", jp_application_number(number))

    def priority_right_app_info(self, number: str) -> OfficeResponse:
        return self.request("priority_right_app_info", jp_application_number(number))

    def divisional_app_info(self, number: str) -> OfficeResponse:
        return self.request("divisional_app_info", jp_application_number(number))

    def case_number_reference(self, kind: str, number: str) -> OfficeResponse:
        """Application ↔ publication ↔ registration numbers; ``kind`` names the number given."""
        if kind not in CASE_NUMBER_KINDS:
            raise ValueError(f"kind must be one of {CASE_NUMBER_KINDS}")
        value = jp_application_number(number) if kind == "application" else number.strip()
        return self.request("case_number_reference", kind, value)
