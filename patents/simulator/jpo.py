"""JPO Patent Information Retrieval API (ip-data.jpo.go.jp), as a client sees it.

- ``POST /auth/token``: password grant (``username``/``password``) and refresh_token grant; access tokens
  live ``jpo_access_lifetime`` s (3600), refresh tokens ``jpo_refresh_lifetime`` s (28800). Wrong
  credentials → 401, an expired refresh token → 400 ``invalid_grant`` (Keycloak's answers).
- ``GET /api/patent/v1/{app_progress|app_progress_simple|registration_info|priority_right_app_info|
  divisional_app_info}/{n}`` and ``/case_number_reference/{application|publication|registration}/{n}``.
- Always HTTP 200 with ``result.statusCode``: 100 ok, 107 no data, 203 daily cap reached, 204 bad
  parameter, 210 invalid/expired token, 303 too many requests (more than ``jpo_concurrency`` at once or
  more than ``jpo_per_minute`` in 60 s), 999 unexpected error; ``remainAccessCount`` is the endpoint's
  remaining daily count for the user. Daily caps are per (user, endpoint) and reset at midnight
  Asia/Tokyo; ``JpoState.clock`` can be replaced in tests to cross midnight.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from patents.simulator.config import JPO_PASSWORD, JPO_USERNAME, SimulatorConfig
from patents.simulator.http import ConcurrencyGate, Request, Response, SlidingWindow, json_response
from patents.simulator.portfolio import SyntheticMatter, SyntheticPortfolio, add_months

PREFIXES = ("/auth/token", "/api/patent/v1/")
JST = timezone(timedelta(hours=9), "JST")  # Japan has no daylight saving time

ENDPOINTS = (
    "app_progress",
    "app_progress_simple",
    "registration_info",
    "priority_right_app_info",
    "divisional_app_info",
    "case_number_reference",
)

MESSAGES = {
    "100": "",
    "107": "該当するデータがありません。",
    "203": "1日のアクセス上限を超過しました。",
    "204": "パラメーターの入力された値に問題があります。",
    "210": "無効なトークンです。",
    "303": "アクセスが集中しています。しばらく時間をおいてから再度アクセスしてください。",
    "999": "想定外のエラーが発生しました。",
}

# event kind → [(documentCode, documentDescription, documentSeparator, availabilityFlag)]
JP_DOCUMENTS: dict[str, list[tuple[str, str, str, str]]] = {
    "filing": [
        ("A63", "要約書", "Y", "1"),
        ("A63", "特許願", "S", "1"),
        ("A63", "請求の範囲", "L", "1"),
        ("A63", "明細書", "M", "1"),
        ("A63", "図面", "Z", "1"),
    ],
    "exam_request": [("A621", "出願審査請求書", "S", "1")],
    "search_report": [("A971007", "検索報告書", "C", "1")],
    "jp_oa": [("A131", "拒絶理由通知書", "K", "1")],
    "jp_opinion": [("A53", "意見書", "S", "1")],
    "jp_amendment": [("A523", "手続補正書", "S", "1")],
    "jp_decision_grant": [("A01", "特許査定", "K", "1")],
    "jp_registration_fee": [("A61", "登録料納付", " ", "0")],
    "jp_decision_refusal": [("A02", "拒絶査定", "K", "1")],
}
JP_REGISTRATION_DOCUMENTS = {
    "jp_decision_grant": ("A01", "特許査定"),
    "jp_registration_fee": ("R100", "特許料納付書"),
    "jp_certificate": ("R150", "特許証"),
}
JP_TITLES = {
    "battery electrode": "電池電極",
    "optical sensor": "光学センサ",
    "robotic gripper": "ロボットグリッパ",
    "wind turbine blade": "風力タービンブレード",
    "antibody formulation": "抗体製剤",
    "semiconductor package": "半導体パッケージ",
    "heat exchanger": "熱交換器",
    "wireless mesh network": "無線メッシュネットワーク",
    "drug delivery device": "薬物送達装置",
    "power converter": "電力変換装置",
    "seed coating": "種子コーティング",
    "image encoder": "画像符号化装置",
    "hydrogen electrolyser": "水素電解装置",
    "surgical stapler": "外科用ステープラ",
}


class JpoState:
    def __init__(self, config: SimulatorConfig, portfolio: SyntheticPortfolio, stats) -> None:
        self.config = config
        self.portfolio = portfolio
        self.stats = stats
        self.lock = threading.Lock()
        self.users = {JPO_USERNAME: JPO_PASSWORD}
        self.access: dict[str, tuple[str, float]] = {}
        self.refresh: dict[str, tuple[str, float]] = {}
        self.minute: dict[str, SlidingWindow] = {}
        self.daily: dict[tuple[str, str, date], int] = {}
        self.gate = ConcurrencyGate()
        self.clock = lambda: datetime.now(UTC)

    def reset(self) -> None:
        with self.lock:
            self.minute.clear()
            self.daily.clear()
        self.gate = ConcurrencyGate()

    def jst_today(self) -> date:
        return self.clock().astimezone(JST).date()


def _result(code: str, remain: int | str = "", data: dict | None = None) -> Response:
    payload = {
        "result": {
            "statusCode": code,
            "errorMessage": MESSAGES.get(code, ""),
            "remainAccessCount": str(remain),
            "data": data if data is not None else {},
        }
    }
    return json_response(200, payload, indent=1)


def handle(state: JpoState, req: Request, fault: str | None) -> Response:
    if req.path.rstrip("/") == "/auth/token":
        return _token(state, req)
    user = _user_for(state, req)
    if user is None or fault == "expired_token":
        if user is not None:
            _revoke(state, req)
        state.stats.incr("jpo.status.210")
        return _result("210")
    parts = req.path[len("/api/patent/v1/") :].strip("/").split("/")
    endpoint = parts[0]
    if endpoint not in ENDPOINTS:
        return json_response(404, {"message": "Not Found"})
    cfg = state.config
    now = time.monotonic()
    with state.lock:
        window = state.minute.setdefault(user, SlidingWindow(60.0))
        too_fast = window.count(now) >= cfg.limits.jpo_per_minute
    if fault == "throttle" or too_fast or not state.gate.enter(user, cfg.limits.jpo_concurrency):
        state.stats.incr("jpo.status.303")
        state.stats.incr("jpo.rejected.per_minute" if too_fast else "jpo.rejected.concurrent")
        return _result("303")
    try:
        with state.lock:
            window.add(now)
        if cfg.jpo_processing_seconds:
            time.sleep(cfg.jpo_processing_seconds)
        cap = cfg.limits.jpo_daily.get(endpoint, 0)
        key = (user, endpoint, state.jst_today())
        with state.lock:
            used = state.daily.get(key, 0)
            if used >= cap or fault == "quota":
                state.stats.incr("jpo.status.203")
                return _result("203", 0)
            state.daily[key] = used + 1
            remain = cap - used - 1
        if fault == "overloaded":
            return json_response(503, {"message": "Service Unavailable"})
        if fault == "server_error":
            return _result("999", remain)
        code, data = _route(state, endpoint, parts[1:])
        state.stats.incr(f"jpo.status.{code}")
        return _result(code, remain, data)
    finally:
        state.gate.leave(user)


def _token(state: JpoState, req: Request) -> Response:
    form = {k: v[0] for k, v in req.form().items()}
    grant = form.get("grant_type", "")
    lim = state.config.limits
    now = time.monotonic()
    if grant == "password":
        user = form.get("username", "")
        if not user or state.users.get(user) != form.get("password"):
            state.stats.incr("jpo.auth.rejected")
            return json_response(401, {"error": "invalid_grant", "error_description": "Invalid user credentials"})
    elif grant == "refresh_token":
        with state.lock:
            entry = state.refresh.pop(form.get("refresh_token", ""), None)
        if entry is None or entry[1] <= now:
            state.stats.incr("jpo.auth.refresh_rejected")
            return json_response(400, {"error": "invalid_grant", "error_description": "Token is not active"})
        user = entry[0]
    else:
        return json_response(400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant_type"})
    access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    with state.lock:
        state.access[access] = (user, now + lim.jpo_access_lifetime)
        state.refresh[refresh] = (user, now + lim.jpo_refresh_lifetime)
    state.stats.incr(f"jpo.auth.{grant}")
    return json_response(
        200,
        {
            "access_token": access,
            "expires_in": lim.jpo_access_lifetime,
            "refresh_expires_in": lim.jpo_refresh_lifetime,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "id_token": secrets.token_urlsafe(16),
            "not-before-policy": 0,
            "session_state": secrets.token_hex(8),
            "scope": "openid profile",
        },
        indent=1,
    )


def _user_for(state: JpoState, req: Request) -> str | None:
    auth = req.header("authorization")
    if not auth.lower().startswith("bearer "):
        return None
    with state.lock:
        entry = state.access.get(auth[7:].strip())
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]


def _revoke(state: JpoState, req: Request) -> None:
    with state.lock:
        state.access.pop(req.header("authorization")[7:].strip(), None)


def _route(state: JpoState, endpoint: str, args: list[str]) -> tuple[str, dict]:
    if endpoint == "case_number_reference":
        if len(args) != 2 or args[0] not in ("application", "publication", "registration"):
            return "204", {}
        kind, number = args
    else:
        if len(args) != 1:
            return "204", {}
        kind, number = "application", args[0]
    number = re.sub(r"[\s\-]", "", number)
    if not number.isdigit():
        return "204", {}
    m = _find(state.portfolio, kind, number)
    if m is None:
        return "107", {}
    if endpoint == "registration_info":
        return ("100", registration_info(m, state.portfolio.today)) if m.grant_number else ("107", {})
    builders = {
        "app_progress": lambda: app_progress(m, simple=False),
        "app_progress_simple": lambda: app_progress(m, simple=True),
        "priority_right_app_info": lambda: {"applicationNumber": _app(m), "priorityRightInformation": []},
        "divisional_app_info": lambda: {
            "applicationNumber": _app(m),
            "parentApplicationInformation": {},
            "divisionalApplicationInformation": [],
        },
        "case_number_reference": lambda: case_numbers(m),
    }
    return "100", builders[endpoint]()


def _find(portfolio: SyntheticPortfolio, kind: str, number: str) -> SyntheticMatter | None:
    candidates = {"application": [number], "publication": [f"JP{number}"], "registration": [number]}[kind]
    for c in candidates:
        m = portfolio.lookup(c, office="JP")
        if m is None:
            continue
        if kind == "application" and _app(m) == number:
            return m
        if kind == "publication" and m.publication_number == f"JP{number}":
            return m
        if kind == "registration" and m.grant_number == number:
            return m
    return None


def _app(m: SyntheticMatter) -> str:
    return m.application_number.replace("-", "")


def _d8(d: date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def _era_publication(m: SyntheticMatter) -> str:
    # 特開 numbers in the Reiwa era form JPO uses: "5" + era year (2 digits) + serial, e.g. 503090037
    if not m.publication_date:
        return ""
    return f"5{m.publication_date.year - 2018:02d}{m.publication_number[-6:]}"


def _title(m: SyntheticMatter) -> str:
    subject = next((jp for en, jp in JP_TITLES.items() if m.title.lower().startswith(en)), "装置")
    return f"{subject}及びその製造方法"


# Long because: builds the JPO app_progress document field by field, in the office's order.
def app_progress(m: SyntheticMatter, *, simple: bool) -> dict:
    reg = m.last("jp_registration")
    data: dict[str, Any] = {
        "applicationNumber": _app(m),
        "inventionTitle": _title(m),
        "applicantAttorney": [
            {
                "applicantAttorneyCd": f"{m.index % 10**9:09d}",
                "repeatNumber": "1",
                "name": m.applicant,
                "applicantAttorneyClass": "1",
            },
            {
                "applicantAttorneyCd": f"1{(m.index * 7) % 10**8:08d}",
                "repeatNumber": "2",
                "name": m.agent,
                "applicantAttorneyClass": "2",
            },
        ],
        "filingDate": _d8(m.filing_date),
        "publicationNumber": _era_publication(m),
        "ADPublicationNumber": m.publication_number[2:] if m.publication_number else "",
        "nationalPublicationNumber": "",
        "ADNationalPublicationNumber": "",
        "publicationDate": _d8(m.publication_date),
        "registrationNumber": m.grant_number,
        "registrationDate": _d8(reg.date if reg else None),
        "internationalApplicationNumber": "",
        "internationalPublicationNumber": "",
        "internationalPublicationDate": "",
        "erasureIdentifier": "00",
        "expireDate": _d8(add_months(m.filing_date, 240)) if m.grant_number else "",
        "disappearanceDate": "",
    }
    if not simple:
        data["priorityRightInformation"] = []
        data["parentApplicationInformation"] = {}
        data["divisionalApplicationInformation"] = []
    docs = []
    n = 0
    for e in m.events:
        for code, desc, sep, available in JP_DOCUMENTS.get(e.kind, []):
            n += 1
            docs.append(
                {
                    "legalDate": _d8(e.date),
                    "irirFlg": "0",
                    "availabilityFlag": available,
                    "documentCode": code,
                    "documentDescription": desc,
                    "documentNumber": f"5{(m.index * 131 + n) % 10**10:010d}" if available == "1" else "BBBBBBBBBBB",
                    "versionNumber": "0001" if available == "1" else "0000",
                    "documentSeparator": sep,
                    "numberOfPages": "0",
                    "sizeOfDocument": str(1000 + (m.index * 97 + n * 13) % 9000),
                }
            )
    info = [{"numberType": "01", "number": _app(m), "documentList": docs}]
    if m.publication_number:
        info.append({"numberType": "02", "number": _era_publication(m), "documentList": []})
    if m.grant_number:
        reg_docs = []
        for e in m.events:
            if e.kind in JP_REGISTRATION_DOCUMENTS:
                code, desc = JP_REGISTRATION_DOCUMENTS[e.kind]
                reg_docs.append(
                    {
                        "legalDate": _d8(e.date),
                        "irirFlg": "0",
                        "availabilityFlag": "0",
                        "documentCode": code,
                        "documentDescription": desc,
                        "documentNumber": "99999999999",
                        "versionNumber": "0000",
                        "documentSeparator": " ",
                        "numberOfPages": "0",
                        "sizeOfDocument": "0",
                    }
                )
        info.append({"numberType": "06", "number": m.grant_number, "documentList": reg_docs})
    data["bibliographyInformation"] = info
    return data


def registration_info(m: SyntheticMatter, today: date) -> dict:
    reg = m.last("jp_registration")
    grant = m.last("jp_decision_grant")
    reg_date = reg.date if reg else m.grant_date
    assert reg_date is not None  # asked for registered matters only, which have a registration date
    # years 1-3 are paid with registration; year k (k ≥ 4) falls due on the (k-1)th anniversary
    last_paid = 3
    while add_months(reg_date, 12 * last_paid) <= today:
        last_paid += 1
    # one matter in five has let the latest annuity slide into the six-month grace period
    if m.index % 5 == 0 and last_paid > 3 and (today - add_months(reg_date, 12 * (last_paid - 1))).days < 180:
        last_paid -= 1
    # one in seven never paid the first annuity (year 4): once its six-month late-payment period is over the
    # right is extinguished, retroactively at the due date (Art. 112(4)). No recorded answer of an extinguished
    # right is at hand: the fields are the recorded ones, the identifier value "01" is an assumption.
    erasure, gone = "00", None
    first_due = add_months(reg_date, 36)
    if m.index % 7 == 3 and add_months(first_due, 6) <= today:
        last_paid, erasure, gone = 3, "01", first_due
    return {
        "applicationNumber": _app(m),
        "filingDate": _d8(m.filing_date),
        "registrationNumber": m.grant_number,
        "registrationDate": _d8(reg_date),
        "decisionDate": _d8(grant.date if grant else None),
        "appealTrialDecisiondDate": "",
        "rightPersonInformation": [{"rightPersonCd": f"{m.index % 10**9:09d}", "rightPersonName": m.applicant}],
        "inventionTitle": _title(m),
        "numberOfClaims": f"{3 + m.index % 18:03d}",
        "expireDate": _d8(add_months(m.filing_date, 240)),
        "nextPensionPaymentDate": _d8(add_months(reg_date, 12 * last_paid)),
        "lastPaymentYearly": f"{last_paid:02d}",
        "erasureIdentifier": erasure,
        "disappearanceDate": _d8(gone),
        "updateDate": _d8((add_months(gone, 7) if gone else reg_date) + timedelta(days=16)),
    }


def case_numbers(m: SyntheticMatter) -> dict:
    return {
        "applicationNumber": _app(m),
        "publicationNumber": m.publication_number[2:] if m.publication_number else "",
        "nationalPublicationNumber": "",
        "registrationNumber": m.grant_number,
        "internationalPublicationNumber": "",
    }
