"""EPO Open Patent Services 3.2, as a client sees it: auth, throttling, fair use, paths, bodies, errors.

What is enforced, per client (the consumer key behind the token):

- Per-minute limits per service (images, inpadoc, other, retrieval, search) over a sliding 60 s window.
  The service of a path follows python-epo-ops-client's table (family/legal → inpadoc, published-data →
  retrieval, published-data/search → search, everything else incl. register and number-service → other).
  Each answer carries ``X-Throttling-Control: <idle|busy|overloaded> (images=green:200, …)`` where a
  service is green below 50 % of its limit used, yellow below 75 %, red up to 100 %; the request after
  that is rejected: HTTP 403, ``X-Rejection-Reason: ThrottlingControlQuota``, the service shown as
  ``black:0`` and ``Retry-After`` in **milliseconds** (as python-epo-ops-client reads it) until the
  window frees a slot.
- Fair use: bytes served per rolling hour and week, reported in ``X-IndividualQuotaPerHour-Used`` and
  ``X-RegisteredQuotaPerWeek-Used``; past the quota → 403 with ``X-Rejection-Reason:
  IndividualQuotaPerHour`` / ``RegisteredQuotaPerWeek`` and the real fair-use body.
- Tokens expire after ``ops_token_lifetime`` seconds → HTTP 400 with the real ``invalid_access_token``
  body and ``WWW-Authenticate`` header (OPS does not answer 401 for that).
- Unknown numbers → 404 ``<fault xmlns="http://ops.epo.org"><code>SERVER.EntityNotFound</code>…``.

``Accept: application/json`` returns the BadgerFish JSON form (single child → object, several → array).
"""

# XML templates read best on one line each; long literal lines are deliberate here.
# ruff: noqa: E501

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from patents.simulator import ops_documents as docs
from patents.simulator.config import OPS_KEY, OPS_SECRET, OPS_SERVICES, SimulatorConfig
from patents.simulator.http import Request, Response, SlidingWindow, http_date
from patents.simulator.portfolio import MatterHeader, SyntheticMatter, SyntheticPortfolio, normalize_key

PREFIX = "/3.2/"

INVALID_TOKEN_BODY = (
    "<error><code>400</code><message>invalid_access_token</message><description>Access token is invalid"
    "</description>\n\t\t\t\t</error>\n\t\t\t"
)
INVALID_TOKEN_WWW_AUTH = (
    'Bearer realm="null",error="invalid_token",error_description="oauth.v2.InvalidAccessToken: Invalid access token"'
)
INVALID_CLIENT_BODY = "<error><code>401</code><message>ClientId is Invalid</message>\n\t\t\t</error>\n\t\t"
FAIR_USE_BODY = (
    "<error><code>403</code><message>This request has been rejected due to the violation of Fair Use "
    "policy</message><moreInfo>http://www.epo.org/searching/free/espacenet/fair-use.html</moreInfo>"
    "\n\t\t\t\t</error>\n\t\t\t"
)
NOT_FOUND_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?><fault xmlns="http://ops.epo.org"><code>SERVER.EntityNotFound'
    "</code><message>No results found</message></fault>"
)
# No real 5xx/503 body has been recorded (see office-samples/SOURCES.md); these follow the fault shape.
SERVER_ERROR_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?><fault xmlns="http://ops.epo.org"><code>SERVER.InternalError'
    "</code><message>An internal error occurred</message></fault>"
)
OVERLOADED_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?><fault xmlns="http://ops.epo.org"><code>SERVER.ServiceUnavailable'
    "</code><message>The system is overloaded, please try again later</message></fault>"
)
BAD_REQUEST_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?><fault xmlns="http://ops.epo.org"><code>CLIENT.InvalidQuery'
    "</code><message>{message}</message></fault>"
)

_BASE_HEADERS = [
    ("Access-Control-Allow-Headers", "Authorization"),
    ("Access-Control-Allow-Methods", "POST"),
    ("Access-Control-Allow-Origin", "*"),
]

REGISTER_CONSTITUENTS = ("biblio", "events", "procedural-steps", "upp")
PUBLISHED_ENDPOINTS = ("biblio", "abstract", "full-cycle", "claims", "description", "fulltext", "equivalents")


def service_for_path(path: str) -> str:
    """The throttling service of a rest-services path (python-epo-ops-client's table, most specific first)."""
    for pattern, service in (
        ("classification/cpc/media", "images"),
        ("family", "inpadoc"),
        ("legal", "inpadoc"),
        ("published-data/images", "images"),
        ("published-data/search", "search"),
        ("published-data", "retrieval"),
    ):
        if f"rest-services/{pattern}" in path:
            return service
    return "other"


@dataclass
class _ClientUsage:
    minute: dict[str, SlidingWindow]
    hour: SlidingWindow
    week: SlidingWindow


@dataclass
class _Token:
    client_id: str
    expires_at: float


class OpsState:
    def __init__(self, config: SimulatorConfig, portfolio: SyntheticPortfolio, stats) -> None:
        self.config = config
        self.portfolio = portfolio
        self.stats = stats
        self.lock = threading.Lock()
        self.tokens: dict[str, _Token] = {}
        self.usage: dict[str, _ClientUsage] = {}
        self.clients = {OPS_KEY: OPS_SECRET}

    def reset(self) -> None:
        with self.lock:
            self.usage.clear()

    # -- limits --------------------------------------------------------------------------------------
    def _usage(self, client: str) -> _ClientUsage:
        u = self.usage.get(client)
        if u is None:
            u = _ClientUsage(
                {s: SlidingWindow(60.0) for s in OPS_SERVICES},
                SlidingWindow(3600.0),
                SlidingWindow(7 * 86400.0),
            )
            self.usage[client] = u
        return u

    def system_state(self, now: float) -> str:
        state = self.config.ops_system_state
        if state != "auto":
            return state
        worst = 0.0
        for u in self.usage.values():
            for s in OPS_SERVICES:
                worst = max(worst, u.minute[s].count(now) / max(1, self.config.limits.ops_limit(s)))
        return "idle" if worst < 0.5 else "busy" if worst < 0.9 else "overloaded"

    def effective_limit(self, service: str, state: str) -> int:
        limits = self.config.limits
        factor = {"busy": limits.ops_busy_factor, "overloaded": limits.ops_overloaded_factor}.get(state, 1.0)
        return max(1, int(limits.ops_limit(service) * factor))

    def throttling_header(self, client: str, now: float, black: str | None = None) -> str:
        u = self._usage(client)
        state = self.system_state(now)
        parts = []
        for s in OPS_SERVICES:
            limit = self.effective_limit(s, state)
            if s == black:
                parts.append(f"{s}=black:0")
                continue
            frac = u.minute[s].count(now) / limit
            colour = "green" if frac <= 0.5 else "yellow" if frac <= 0.75 else "red"
            parts.append(f"{s}={colour}:{limit}")
        return f"{state} ({', '.join(parts)})"

    # -- tokens --------------------------------------------------------------------------------------
    def issue_token(self, client_id: str) -> tuple[str, int]:
        lifetime = self.config.limits.ops_token_lifetime
        token = secrets.token_urlsafe(21)
        with self.lock:
            self.tokens[token] = _Token(client_id, time.monotonic() + lifetime)
        return token, lifetime

    def client_for(self, req: Request) -> str | None:
        auth = req.header("authorization")
        if not auth.lower().startswith("bearer "):
            return None
        token = auth[7:].strip()
        with self.lock:
            tok = self.tokens.get(token)
            if tok is None or tok.expires_at <= time.monotonic():
                self.tokens.pop(token, None)
                return None
            return tok.client_id

    def revoke(self, req: Request) -> None:
        token = req.header("authorization")[7:].strip()
        with self.lock:
            self.tokens.pop(token, None)


# ---------------------------------------------------------------------------------------------------
def _xml_response(
    state: OpsState, req: Request, client: str, service: str, status: int, body: str, now: float
) -> Response:
    data = body.encode("utf-8")
    content_type = "application/xml;charset=utf-8"
    if "application/json" in req.header("accept") and status == 200:
        data = json.dumps(to_badgerfish(data), ensure_ascii=False).encode("utf-8")
        content_type = "application/json;charset=utf-8"
    with state.lock:
        u = state._usage(client)
        u.hour.add(now, len(data))
        u.week.add(now, len(data))
        hour_used, week_used = u.hour.weight(now), u.week.weight(now)
        throttle = state.throttling_header(client, now)
    elapsed = max(1, int((time.monotonic() - req.received_at) * 1000))
    headers = [
        *_BASE_HEADERS,
        ("Cache-Control", "no-cache"),
        ("Content-Type", content_type),
        ("Date", http_date()),
        ("Pragma", "no-cache"),
        ("Server", "Apache"),
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
        ("Vary", "Accept"),
        ("X-API", "ops-v3.2"),
        ("X-Elapsed-Time", str(elapsed)),
        ("X-IndividualQuotaPerHour-Used", str(hour_used)),
        ("X-RegisteredQuotaPerWeek-Used", str(week_used)),
        ("X-Throttling-Control", throttle),
    ]
    return Response(status, data, headers)


def _plain(status: int, body: str, headers: list[tuple[str, str]], content_type: str = "application/xml"):
    return Response(
        status,
        body.encode("utf-8"),
        [*_BASE_HEADERS, ("Content-Type", content_type), ("Date", http_date()), *headers],
    )


def invalid_token() -> Response:
    return _plain(400, INVALID_TOKEN_BODY, [("WWW-Authenticate", INVALID_TOKEN_WWW_AUTH)])


def handle(state: OpsState, req: Request, fault: str | None) -> Response:
    path = req.path
    if path.rstrip("/") == "/3.2/auth/accesstoken":
        return _token(state, req)
    if not path.startswith("/3.2/rest-services/"):
        return _plain(404, NOT_FOUND_BODY, [])
    client = state.client_for(req)
    if client is None:
        state.stats.incr("ops.invalid_token")
        return invalid_token()
    service = service_for_path(path)
    now = time.monotonic()
    limits = state.config.limits
    if fault == "expired_token":
        state.revoke(req)
        return invalid_token()
    with state.lock:
        u = state._usage(client)
        reason = None
        if u.hour.weight(now) >= limits.ops_hourly_bytes or fault == "quota":
            reason = "IndividualQuotaPerHour"
        elif u.week.weight(now) >= limits.ops_weekly_bytes:
            reason = "RegisteredQuotaPerWeek"
        if reason:
            state.stats.incr(f"ops.rejected.{reason}")
            return _plain(403, FAIR_USE_BODY, [("X-Rejection-Reason", reason)], "text/xml")
        window = u.minute[service]
        limit = state.effective_limit(service, state.system_state(now))
        if window.count(now) >= limit or fault == "throttle":
            retry_ms = max(limits.ops_retry_after_floor_ms, int(window.free_in(now) * 1000) + 1)
            header = state.throttling_header(client, now, black=service)
            state.stats.incr("ops.rejected.ThrottlingControlQuota")
            return _plain(
                403,
                FAIR_USE_BODY,
                [
                    ("X-Rejection-Reason", "ThrottlingControlQuota"),
                    ("Retry-After", str(retry_ms)),
                    ("X-Throttling-Control", header),
                ],
                "text/xml",
            )
        window.add(now)
    if fault == "overloaded":
        with state.lock:
            header = state.throttling_header(client, now).replace(state.system_state(now), "overloaded", 1)
        return _plain(503, OVERLOADED_BODY, [("X-Throttling-Control", header), ("Retry-After", "10")])
    if fault == "server_error":
        return _plain(500, SERVER_ERROR_BODY, [])
    try:
        status, body = _route(state, req)
    except _BadRequest as exc:
        return _plain(400, BAD_REQUEST_BODY.format(message=docs.escape(str(exc))), [])
    if status == 404:
        # OPS counts a 404 like any answer: it carries the throttling and quota headers (2016 recording)
        return _xml_response(state, req, client, service, 404, NOT_FOUND_BODY, now)
    return _xml_response(state, req, client, service, status, body, now)


def _token(state: OpsState, req: Request) -> Response:
    auth = req.header("authorization")
    client_id = secret = ""
    if auth.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            client_id = ""
    grant = req.form().get("grant_type", [""])[0]
    if req.method != "POST" or state.clients.get(client_id) != secret or not client_id:
        state.stats.incr("ops.auth.rejected")
        return Response(
            401,
            INVALID_CLIENT_BODY.encode(),
            [
                *_BASE_HEADERS,
                ("Content-Type", "application/xml"),
                ("Date", http_date()),
                ("Server", "Apigee Router"),
                ("WWW-Authenticate", "Basic"),
            ],
        )
    if grant != "client_credentials":
        body = json.dumps({"ErrorCode": "invalid_request", "Error": "Unsupported grant type : " + grant})
        return Response(400, body.encode(), [("Content-Type", "application/json")])
    token, lifetime = state.issue_token(client_id)
    state.stats.incr("ops.auth.issued")
    payload = {
        "refresh_token_expires_in": "0",
        "api_product_list": "[ops31-prod]",
        "api_product_list_json": ["ops31-prod"],
        "organization_name": "epo",
        "developer.email": "simulator@example.invalid",
        "token_type": "BearerToken",
        "issued_at": str(int(time.time() * 1000)),
        "client_id": client_id,
        "access_token": token,
        "application_name": "docketapp-simulator",
        "scope": "core",
        "expires_in": str(lifetime),
        "refresh_count": "0",
        "status": "approved",
    }
    # Apigee pretty-prints with " : " separators, as in the recorded response
    body = json.dumps(payload, indent=2, separators=(",", " : "))
    return Response(
        200,
        body.encode(),
        [*_BASE_HEADERS, ("Content-Type", "application/json;charset=UTF-8"), ("Date", http_date())],
    )


class _BadRequest(ValueError):
    pass


@dataclass
class _Input:
    raw: str
    country: str
    number: str
    kind: str
    fmt: str

    @property
    def lookup_key(self) -> str:
        return f"{self.country}{self.number}"


def parse_input(raw: str, fmt: str) -> _Input:
    """'(EP).(2400812).(A1)', 'EP.2400812.A1', 'EP2400812', '(EP2400812).(A1)' → parts."""
    text = unquote(raw).strip()
    parts = [p.strip("() ") for p in re.split(r"\)\.\(|\.", text) if p.strip("() ")]
    if not parts:
        raise _BadRequest("empty input")
    if fmt == "docdb":
        if len(parts) < 3 and not re.match(r"^[A-Z]{2}\d", parts[0]):
            raise _BadRequest(f"docdb input needs country, number and kind: {raw}")
        if len(parts) >= 3:
            return _Input(raw, parts[0].upper(), parts[1], parts[2].upper(), fmt)
        return _Input(raw, parts[0][:2].upper(), parts[0][2:], parts[1].upper() if len(parts) > 1 else "", fmt)
    if fmt == "epodoc":
        first = parts[0].upper()
        kind = parts[1].upper() if len(parts) > 1 and re.match(r"^[A-Z]\d?$", parts[1].upper()) else ""
        return _Input(raw, first[:2], first[2:], kind, fmt)
    # original: (JP).(2006-147056).(A).(20060526) or (PCT/GB02/04635).(19970829)
    if len(parts) >= 2 and re.fullmatch(r"[A-Z]{2}", parts[0].upper()):
        return _Input(raw, parts[0].upper(), parts[1], parts[2].upper() if len(parts) > 2 else "", fmt)
    return _Input(raw, "", parts[0], "", fmt)


def _find(state: OpsState, item: _Input, ref_type: str) -> SyntheticMatter | None:
    key = normalize_key(item.lookup_key)
    m = state.portfolio.lookup(key)
    if m is None and item.kind:
        m = state.portfolio.lookup(key + item.kind)
    if m is None and item.fmt == "original":
        m = state.portfolio.lookup(item.number)
    if m is None:
        return None
    if ref_type == "publication" and not any(normalize_key(f"{c}{n}") == key for c, n, _, _ in docs.publications(m)):
        return None
    if ref_type == "application" and key not in m.keys:
        return None
    return m


def _numbers(req: Request, inline: str | None) -> list[str]:
    if inline:
        return [inline]
    body = req.body.decode("utf-8", "replace")
    # one number per line (what OPS documents and python-epo-ops-client sends); commas belong to numbers
    return [line.strip() for line in body.splitlines() if line.strip()]


# Long because: OPS's URL table, one branch per service path it answers.
def _route(state: OpsState, req: Request) -> tuple[int, str]:
    segs = [s for s in req.raw_path.split("?", 1)[0][len("/3.2/rest-services/") :].split("/") if s]
    if not segs:
        return 404, ""
    service = segs[0]
    if service == "register" and len(segs) >= 2 and segs[1] == "search":
        return _register_search(state, req)
    if service == "published-data" and len(segs) >= 2 and segs[1] == "search":
        return _published_search(state, req, segs[2:])
    if service not in ("register", "legal", "published-data", "family", "number-service") or len(segs) < 3:
        return 404, ""
    ref_type, fmt, rest = segs[1], segs[2], segs[3:]
    if ref_type not in ("publication", "application", "priority") or fmt not in (
        "epodoc",
        "docdb",
        "original",
    ):
        raise _BadRequest(f"unsupported reference {ref_type}/{fmt}")
    today = state.portfolio.today
    if service == "register":
        if fmt == "original":
            raise _BadRequest("register accepts epodoc or docdb input")
        inline, constituents = _split_rest(req, rest, REGISTER_CONSTITUENTS, "biblio")
        found = []
        for raw in _numbers(req, inline):
            item = parse_input(raw, fmt)
            m = _find(state, item, ref_type)
            if m is not None and docs.is_in_register(m):
                found.append((item, m))
        if not found:
            return 404, ""
        body = docs.register_search_wrapper(
            " or ".join(f"{ref_type}={normalize_key(i.lookup_key)}" for i, _ in found)
            if len(found) > 1
            else f"{ref_type}={normalize_key(found[0][0].lookup_key)}",
            [docs.register_document(m, constituents, today) for _, m in found],
            len(found),
            1,
            len(found),
        )
        return 200, body
    if service == "legal":
        inline = rest[0] if rest else None
        items = [(parse_input(r, fmt), None) for r in _numbers(req, inline)]
        out = []
        for item, _ in items:
            m = _find(state, item, ref_type)
            if m is not None:
                out.append(docs.legal_document(m, _requested_docdb(item, m)))
        if not out:
            return 404, ""
        return 200, out[0] if len(out) == 1 else _merge_exchange(out)
    if service == "family":
        inline = rest[0] if rest else None
        constituents = rest[1].split(",") if len(rest) > 1 else []
        if inline is None and req.method == "POST":
            inline_numbers = _numbers(req, None)
            inline = inline_numbers[0] if inline_numbers else None
            constituents = rest[0].split(",") if rest else []
        if not inline:
            return 404, ""
        item = parse_input(inline, fmt)
        m = _find(state, item, ref_type)
        if m is None:
            return 404, ""
        return 200, docs.family_document(m, _requested_docdb(item, m), constituents)
    if service == "number-service":
        if len(rest) == 2:
            inline, out_fmt = rest
        elif len(rest) == 1:
            inline, out_fmt = None, rest[0]
        else:
            raise _BadRequest("number-service needs an output format")
        numbers = _numbers(req, inline)
        if not numbers:
            return 404, ""
        item = parse_input(numbers[0], fmt)
        m = _find(state, item, "any")
        if m is None:
            return 404, ""
        if ref_type == "publication" and not docs.publications(m):
            return 404, ""
        return 200, docs.number_service_document(
            m,
            ref_type if ref_type != "priority" else "application",
            fmt,
            out_fmt,
            unquote(numbers[0]).strip("()"),
        )
    # published-data
    inline, endpoint = _split_rest(req, rest, PUBLISHED_ENDPOINTS, "biblio")
    pubs = []
    for raw in _numbers(req, inline):
        item = parse_input(raw, fmt)
        m = _find(state, item, ref_type)
        if m is None:
            continue
        if ref_type != "publication":  # an application (or priority) answers with all its publications
            pubs.append((m, docs.publications(m)))
            continue
        matching = [p for p in docs.publications(m) if normalize_key(p[0] + p[1]) == normalize_key(item.lookup_key)]
        if item.kind:
            matching = [p for p in matching if p[2] == item.kind] or matching
        pubs.append((m, matching or docs.publications(m)[:1]))
    pubs = [(m, p) for m, p in pubs if p]
    if not pubs:
        return 404, ""
    if endpoint[0] in ("claims", "description", "fulltext"):
        m, p = pubs[0]
        if p[0][0] != "EP":
            return 404, ""
        return 200, _fulltext(m, p[0], endpoint[0])
    if len(pubs) == 1:
        return 200, docs.published_biblio_document(pubs[0][0], pubs[0][1])
    return 200, _merge_exchange([docs.published_biblio_document(m, p) for m, p in pubs])


def _split_rest(req: Request, rest: list[str], known: tuple[str, ...], default: str):
    """GET …/{number}/{what} or POST …/{what} (numbers in the body)."""

    def is_known(seg: str) -> bool:
        return all(part in known for part in seg.split(","))

    if not rest:
        return None, [default]
    if len(rest) == 1 and is_known(rest[0]) and req.method == "POST":
        return None, rest[0].split(",")
    if len(rest) >= 2 and is_known(rest[1]):
        return rest[0], rest[1].split(",")
    return rest[0], [default]


def _requested_docdb(item: _Input, m: SyntheticMatter) -> tuple[str, str, str]:
    if item.fmt == "docdb" and item.kind:
        return item.country, item.number, item.kind
    pubs = docs.publications(m)
    for c, n, k, _ in pubs:
        if normalize_key(c + n) == normalize_key(item.lookup_key):
            return c, n, item.kind or k
    if pubs:
        c, n, k, _ = pubs[0]
        return c, n, k
    return docs.application_docdb(m)


def _merge_exchange(documents: list[str]) -> str:
    """Several world-patent-data bodies → one, with the children of each root concatenated."""
    first = documents[0]
    head_end = first.index(">", first.index("<ops:world-patent-data")) + 1
    inner = []
    for d in documents:
        start = d.index(">", d.index("<ops:world-patent-data")) + 1
        inner.append(d[start : d.rindex("</ops:world-patent-data>")])
    return first[:head_end] + "".join(inner) + "</ops:world-patent-data>"


def _fulltext(m: SyntheticMatter, pub, what: str) -> str:
    c, n, k, _ = pub
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><ops:world-patent-data xmlns="http://www.epo.org/fulltext" '
        'xmlns:ops="http://ops.epo.org" xmlns:xlink="http://www.w3.org/1999/xlink"><ftxt:fulltext-documents '
        'xmlns:ftxt="http://www.epo.org/fulltext"><ftxt:fulltext-document system="ops.epo.org" '
        f'fulltext-format="text-only"><bibliographic-data><publication-reference data-format="docdb">'
        f"<document-id><country>{c}</country><doc-number>{n}</doc-number><kind>{k}</kind></document-id>"
        "</publication-reference></bibliographic-data>"
    )
    if what == "claims":
        body += (
            '<claims lang="EN"><claim><claim-text>1. A '
            + docs.escape(m.title.lower())
            + ", as described.</claim-text></claim></claims>"
        )
    else:
        body += '<description lang="EN"><p>' + docs.escape(m.title) + " — synthetic description.</p></description>"
    return body + "</ftxt:fulltext-document></ftxt:fulltext-documents></ops:world-patent-data>"


# Search --------------------------------------------------------------------------------------------
def _range(req: Request, header: str, default_end: int = 25) -> tuple[int, int]:
    raw = req.header(header) or req.header("range") or req.header("x-ops-range") or req.arg("Range")
    if not raw:
        return 1, default_end
    m = re.match(r"^\s*(\d+)\s*-\s*(\d+)\s*$", raw)
    if not m:
        raise _BadRequest(f"invalid range {raw}")
    begin, end = int(m.group(1)), int(m.group(2))
    if begin < 1 or end < begin or end - begin >= 100:
        raise _BadRequest(f"invalid range {raw}: at most 100 results per request")
    return begin, end


def _query(req: Request) -> str:
    q = req.arg("q")
    if not q and req.body:
        q = req.form().get("q", [""])[0]
    if not q:
        raise _BadRequest("missing q")
    return q


def _register_search(state: OpsState, req: Request) -> tuple[int, str]:
    q = _query(req)
    begin, end = _range(req, "range")
    pred = compile_cql(q)
    hits = []
    for h in state.portfolio.headers():
        if h.office != "EP" or pred(h) is False:  # most matters are ruled out on their header alone
            continue
        m = state.portfolio.matter(h.index)
        if docs.is_in_register(m) and pred(m):
            hits.append(m)
    if not hits or begin > len(hits):
        return 404, ""
    page = hits[begin - 1 : end]
    docs_ = [_register_search_doc(m) for m in page]
    return 200, docs.register_search_wrapper(q, docs_, len(hits), begin, begin + len(page) - 1)


def _register_search_doc(m: SyntheticMatter) -> str:
    # search hits carry a reduced biblio (cf. register-search-ti-battery sample): no statuses, no dates
    pub_no = m.grant_number or m.publication_number or m.wo_publication_number
    country = pub_no[:2] if pub_no else "EP"
    pub = docs._docid(country, pub_no[2:], "", m.publication_date) if pub_no else ""
    return (
        '<ns3:register-document produced-by="RO"><ns3:ep-patent-statuses><ns3:ep-patent-status change-date="" '
        'status-code=""/></ns3:ep-patent-statuses><ns3:bibliographic-data>'
        + (f"<ns3:publication-reference>{pub}</ns3:publication-reference>" if pub else "")
        + f'<ns3:classifications-ipcr><ns3:classification-ipcr sequence="CLASSIFICATION_1"><ns3:text>{docs._ipc(m)}'
        "</ns3:text></ns3:classification-ipcr></ns3:classifications-ipcr>"
        + "<ns3:application-reference>"
        + docs._docid("EP", m.ep_application_digits)
        + "</ns3:application-reference>"
        + '<ns3:parties><ns3:applicants><ns3:applicant app-type="applicant" designation="all" sequence="1">'
        + f"<ns3:addressbook><ns3:name>{docs.escape(m.applicant)}</ns3:name><ns3:address><ns3:country/>"
        "</ns3:address></ns3:addressbook></ns3:applicant></ns3:applicants></ns3:parties>"
        + "".join(docs.t("ns3:invention-title", ttl, docs.a(lang=lang)) for lang, ttl in docs.title_languages(m))
        + "</ns3:bibliographic-data></ns3:register-document>"
    )


def _published_search(state: OpsState, req: Request, rest: list[str]) -> tuple[int, str]:
    q = _query(req)
    begin, end = _range(req, "x-ops-range")
    constituents = rest[0].split(",") if rest else []
    pred = compile_cql(q)
    hits = []
    for h in state.portfolio.headers():
        if pred(h) is False:
            continue
        m = state.portfolio.matter(h.index)
        pubs = docs.publications(m)
        if pubs and pred(m):
            hits.append((m, pubs[0]))
    total = len(hits)
    if not hits or begin > min(total, 2000):
        return 404, ""
    page = hits[begin - 1 : end]
    return 200, docs.biblio_search_document(q, total, begin, begin + len(page) - 1, page, constituents)


_CQL_TOKEN = re.compile(
    r'\s*(\(|\)|"[^"]*"|[^\s()=<>]+(?:\s*(?:=|<=|>=|<|>|\s+within\s+|\s+any\s+|\s+all\s+)'
    r'\s*(?:"[^"]*"|[^\s()]+))?)',
    re.IGNORECASE,
)


def compile_cql(query: str):
    """A CQL subset: field=value (pa, in, ti, pn, ap, pd, pr, ic, cpc, num, txt), and/or/not, parentheses,
    pd within "YYYYMMDD YYYYMMDD"; a bare word searches title and applicant."""
    tokens = [t_.strip() for t_ in _CQL_TOKEN.findall(query) if t_.strip()]
    pos = 0

    def term():
        nonlocal pos
        if pos >= len(tokens):
            raise _BadRequest("incomplete query")
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            inner = expr()
            if pos >= len(tokens) or tokens[pos] != ")":
                raise _BadRequest("unbalanced parentheses")
            pos += 1
            return inner
        return _predicate(tok)

    def expr():
        nonlocal pos
        left = term()
        while pos < len(tokens) and tokens[pos].lower() in ("and", "or", "not", "prox"):
            op = tokens[pos].lower()
            pos += 1
            right = term()
            left = _combine(op, left, right)
        return left

    result = expr()
    if pos != len(tokens):
        raise _BadRequest(f"unexpected {tokens[pos]!r}")
    return result


def _combine(op, left, right):
    # Three-valued: a header (MatterHeader) cannot answer every field, so a predicate may return None
    # ("unknown"); searches drop a matter on its header only when the answer is a definite False.
    def both(x):
        return left(x), right(x)

    if op == "or":

        def f(x):
            a, b = both(x)
            return True if (a is True or b is True) else (None if None in (a, b) else False)
    elif op == "not":

        def f(x):
            a, b = both(x)
            return False if (a is False or b is True) else (None if None in (a, b) else True)
    else:

        def f(x):
            a, b = both(x)
            return False if (a is False or b is False) else (None if None in (a, b) else True)

    return f


def _predicate(tok: str):
    m = re.match(r"^([a-z\-]+)\s*(=|<=|>=|<|>|\swithin\s|\sany\s|\sall\s)\s*(.+)$", tok, re.IGNORECASE)
    if not m:
        word = tok.strip('"').lower()
        return lambda x: word in x.title.lower() or word in x.applicant.lower()
    field_, op, value = m.group(1).lower(), m.group(2).strip().lower(), m.group(3).strip().strip('"')
    val = value.lower()
    full = _full_predicate(field_, op, value, val)
    if full is not None:
        return lambda x: None if isinstance(x, MatterHeader) else full(x)
    if field_ in ("pa", "applicant"):
        return lambda x: val in x.applicant.lower()
    if field_ in ("in", "inventor"):
        return lambda x: any(val in i.lower() for i in x.inventors)
    if field_ in ("ti", "title", "ta", "txt", "ab"):
        words = val.split()
        return lambda x: all(w in (x.title + " " + x.applicant).lower() for w in words)
    raise _BadRequest(f"unsupported field {field_!r}")


def _full_predicate(field_: str, op: str, value: str, val: str):
    """Predicates that need the generated matter (numbers, dates, classification); None for header fields."""
    if field_ in ("pn", "publicationnumber", "num", "ap", "applicationnumber", "pr", "prioritynumber"):
        key = normalize_key(value)
        return lambda x: key in x.keys
    if field_ in ("ic", "ipc", "cpc", "cl"):
        return lambda x: docs._ipc(x).lower().startswith(val)
    if field_ in ("pd", "publicationdate"):
        if op == "within":
            lo, _, hi = value.partition(" ")
            lo, hi = lo.strip().replace("-", ""), (hi.strip() or lo).replace("-", "")
            return lambda x: any(
                lo <= docs.d8(p[3])[: len(lo)] and docs.d8(p[3])[: len(hi)] <= hi for p in docs.publications(x)
            )
        v = value.replace("-", "")
        cmp = {
            "=": lambda d: d.startswith(v),
            "<": lambda d: d < v,
            ">": lambda d: d > v,
            "<=": lambda d: d <= v or d.startswith(v),
            ">=": lambda d: d >= v,
        }[op]
        return lambda x: any(cmp(docs.d8(p[3])) for p in docs.publications(x))
    return None


# BadgerFish ----------------------------------------------------------------------------------------
_PREFIXES = {
    docs.NS_OPS: "ops",
    docs.NS_REG: "reg",
    docs.NS_EXCH: "",
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.epo.org/cpcexport": "cpc",
    "http://www.epo.org/cpcdefinition": "cpcdef",
    "http://www.epo.org/fulltext": "ftxt",
}


def _bf_name(tag: str) -> str:
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        prefix = _PREFIXES.get(uri, "")
        return f"{prefix}:{local}" if prefix else local
    return tag


def to_badgerfish(xml: bytes) -> dict:
    """OPS's JSON form: attributes '@name', text '$', one child → object, repeated children → array."""
    root = ET.fromstring(xml)  # noqa: S314 - our own generated document, never external input

    def convert(el) -> dict:
        out: dict = {}
        for k, v in el.attrib.items():
            out["@" + _bf_name(k)] = v
        if el.text and el.text.strip():
            out["$"] = el.text
        for child in el:
            name = _bf_name(child.tag)
            value = convert(child)
            if name in out:
                if not isinstance(out[name], list):
                    out[name] = [out[name]]
                out[name].append(value)
            else:
                out[name] = value
        return out

    body = convert(root)
    body = {"@xmlns": {p or "$": uri for uri, p in _PREFIXES.items() if p != "ftxt"}, **body}
    return {_bf_name(root.tag): body}
