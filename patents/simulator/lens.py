"""Lens.org patent search API (api.lens.org/patent/search), as a client sees it.

- Bearer token required (``Authorization: Bearer …`` or ``?token=``); otherwise 401.
- ``POST /patent/search`` with the JSON query DSL subset: ``match``, ``match_phrase``, ``term``, ``terms``,
  ``range``, ``bool`` (must/filter/should/must_not), ``query_string`` (``field:value`` with AND/OR/NOT and
  ``[a TO b]``), or a plain string; ``sort``, ``include``/``exclude``, ``size``/``from`` with
  ``from + size ≤ 10000``; ``GET /patent/search?query=…`` as a query string.
- Scroll: ``"scroll": "1m"`` returns a ``scroll_id``; the next page is ``{"scroll_id": …}``; the id
  changes on every page and the old one stops working; after the last page → 204 No Content.
- ``x-rate-limit-remaining-request-per-minute`` on every answer; past ``lens_per_minute`` → 429 with
  ``x-rate-limit-retry-after-seconds`` / ``-millis``.

Records: one per publication of every matter (EP, WO, US, JP), in the shape of Lens's documented sample.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from patents.simulator import ops_documents as docs
from patents.simulator.config import LENS_TOKEN, SimulatorConfig
from patents.simulator.http import Request, Response, SlidingWindow, json_response
from patents.simulator.portfolio import MatterHeader, SyntheticMatter, SyntheticPortfolio, add_months

PREFIXES = ("/patent/search", "/patent/")

ALIASES = {
    "applicant.name": "biblio.parties.applicants.extracted_name.value",
    "inventor.name": "biblio.parties.inventors.extracted_name.value",
    "owner_all.name": "biblio.parties.owners_all.extracted_name.value",
    "title": "biblio.invention_title.text",
    "abstract": "abstract.text",
    "filing_date": "biblio.application_reference.date",
    "application_reference.date": "biblio.application_reference.date",
    "application_reference.doc_number": "biblio.application_reference.doc_number",
    "application_reference.jurisdiction": "biblio.application_reference.jurisdiction",
    "priority_claim.date": "biblio.priority_claims.claims.date",
    "earliest_priority_date": "biblio.priority_claims.earliest_claim.date",
    "classification_ipcr.symbol": "biblio.classifications_ipcr.classifications.symbol",
    "family.simple.id": "families.simple_family.family_id",
}


@dataclass
class _Scroll:
    hits: list[tuple[int, int]]
    position: int
    size: int
    include: list[str] | None
    exclude: list[str] | None
    expires_at: float


class LensState:
    def __init__(self, config: SimulatorConfig, portfolio: SyntheticPortfolio, stats) -> None:
        self.config = config
        self.portfolio = portfolio
        self.stats = stats
        self.lock = threading.Lock()
        self.tokens = {LENS_TOKEN}
        self.minute: dict[str, SlidingWindow] = {}
        self.month_used: dict[str, int] = {}
        self.scrolls: dict[str, _Scroll] = {}

    def reset(self) -> None:
        with self.lock:
            self.minute.clear()
            self.scrolls.clear()


def lens_id(seed: int, m: SyntheticMatter, ordinal: int) -> str:
    digits = str(int(hashlib.sha256(f"{seed}:{m.index}:{ordinal}".encode()).hexdigest(), 16))[:15].rjust(15, "0")
    return "-".join(digits[i : i + 3] for i in range(0, 15, 3))


# Long because: one Lens record, field by field, as the API documents it.
def record(seed: int, m: SyntheticMatter, ordinal: int) -> dict:
    pubs = docs.publications(m)
    country, number, kind, when = pubs[ordinal]
    ac, an, ak = docs.application_docdb(m)
    granted = bool(m.grant_date)
    members = [
        {
            "document_id": {"jurisdiction": c, "doc_number": n, "kind": k, "date": d.isoformat()},
            "lens_id": lens_id(seed, m, i),
        }
        for i, (c, n, k, d) in enumerate(pubs)
    ]
    prios = [
        {
            "jurisdiction": p.country,
            "doc_number": p.number,
            "kind": "A",
            "date": p.date.isoformat(),
            "sequence": str(i),
        }
        for i, p in enumerate(m.priorities, 1)
    ]
    earliest = min([p.date for p in m.priorities] + [m.filing_date]).isoformat()
    lapsed = any(e.kind in ("deemed_withdrawn", "abandonment") for e in m.events)
    status = "DISCONTINUED" if lapsed else "ACTIVE" if granted else "PENDING"
    legal = {"granted": granted, "patent_status": status, "calculation_log": []}
    if granted:
        assert m.grant_date is not None  # a granted matter has its grant date
        legal["grant_date"] = m.grant_date.isoformat()
        legal["anticipated_term_date"] = add_months(m.filing_date, 240).isoformat()
    return {
        "lens_id": lens_id(seed, m, ordinal),
        "jurisdiction": country,
        "doc_number": number,
        "kind": kind,
        "date_published": when.isoformat(),
        "doc_key": f"{country}_{number}_{kind}_{when:%Y%m%d}",
        "docdb_id": str(300000000 + m.index * 10 + ordinal),
        "lang": "en",
        "biblio": {
            "publication_reference": {
                "jurisdiction": country,
                "doc_number": number,
                "kind": kind,
                "date": when.isoformat(),
            },
            "application_reference": {
                "jurisdiction": ac,
                "doc_number": an,
                "kind": ak,
                "date": m.filing_date.isoformat(),
            },
            "priority_claims": {"claims": prios, "earliest_claim": {"date": earliest}},
            "invention_title": [
                {"text": ttl, "lang": lang} for lang, ttl in docs.title_languages(m) if lang == "en" or country == "EP"
            ],
            "parties": {
                "applicants": [{"residence": m.applicant_country, "extracted_name": {"value": m.applicant.upper()}}],
                "inventors": [
                    {
                        "residence": m.applicant_country,
                        "sequence": str(i),
                        "extracted_name": {"value": inv.replace(",", "").upper()},
                    }
                    for i, inv in enumerate(m.inventors, 1)
                ],
                "agents": [{"extracted_name": {"value": m.agent}}],
            },
            "classifications_ipcr": {"classifications": [{"symbol": docs._ipc(m), "classification_value": "I"}]},
        },
        "families": {
            "simple_family": {"family_id": m.family_id, "members": members, "size": str(len(members))},
            "extended_family": {
                "family_id": str(int(m.family_id) + 7),
                "members": members,
                "size": str(len(members)),
            },
        },
        "legal_status": legal,
        "abstract": [{"text": f"{m.title}. A synthetic abstract from the docketapp office simulator.", "lang": "en"}],
        "publication_type": "GRANTED_PATENT" if kind.startswith("B") else "PATENT_APPLICATION",
    }


# Query DSL -------------------------------------------------------------------------------------------
class _BadQuery(ValueError):
    pass


class _Unknown(Exception):  # noqa: N818 - a signal, not an error
    """A header record cannot answer this field; the full record must be generated to decide."""


PARTIAL_PATHS = ("biblio.parties.applicants", "biblio.parties.inventors", "biblio.invention_title")


def header_record(h: MatterHeader) -> dict:
    """What a search can test without generating a matter: parties and titles (a superset of languages)."""
    return {
        "_partial": True,
        "biblio": {
            "parties": {
                "applicants": [{"residence": h.applicant_country, "extracted_name": {"value": h.applicant.upper()}}],
                "inventors": [{"extracted_name": {"value": inv.replace(",", "").upper()}} for inv in h.inventors],
            },
            "invention_title": [{"text": ttl, "lang": lang} for lang, ttl in docs.title_languages(h)],
        },
    }


def _sort_key(field: str) -> Callable[[tuple], str]:
    """Sort hits (…, …, record) by the first value of ``field`` in the record ("" when it has none)."""
    return lambda hit: (_values(hit[2], field) or [""])[0]


def _values(rec: dict, field: str) -> list[str]:
    path = ALIASES.get(field, field).split(".")

    def walk(node, rest):
        if not rest:
            return node if isinstance(node, list) else [node]
        if isinstance(node, list):
            return [v for item in node for v in walk(item, rest)]
        if isinstance(node, dict) and rest[0] in node:
            return walk(node[rest[0]], rest[1:])
        return []

    if rec.get("_partial"):
        full = ".".join(path if path[0] == "biblio" else ["biblio", *path])
        if not full.startswith(PARTIAL_PATHS):
            raise _Unknown(field)
    if field == "year_published":
        return [rec["date_published"][:4]]
    found = walk(rec, path)
    if not found and path[0] != "biblio":
        found = walk(rec, ["biblio", *path])
    return [str(v).lower() for v in found if v is not None]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[\w\-]+", text.lower())


def _leaf(test):
    """Wrap a two-valued test into a three-valued predicate (None: cannot tell from a header)."""

    def pred(r):
        try:
            return bool(test(r))
        except _Unknown:
            return None

    return pred


def _all(preds, r) -> bool | None:
    results = [p(r) for p in preds]
    return False if False in results else (None if None in results else True)


def _any(preds, r) -> bool | None:
    results = [p(r) for p in preds]
    return True if True in results else (None if None in results else False)


def _not(pred, r) -> bool | None:
    v = pred(r)
    return None if v is None else not v


def compile_query(q):
    if q is None:
        return lambda r: True
    if isinstance(q, str):
        return _query_string(q)
    if not isinstance(q, dict) or len(q) != 1:
        raise _BadQuery("a query is an object with exactly one clause")
    ((kind, spec),) = q.items()
    if kind == "match_all":
        return lambda r: True
    if kind in ("match", "match_phrase"):
        ((field, value),) = spec.items()
        operator = "or"
        if isinstance(value, dict):
            operator = value.get("operator", "or").lower()
            value = value.get("query", "")
        words = _tokens(str(value))
        if kind == "match_phrase":
            phrase = " ".join(words)
            return _leaf(lambda r: any(phrase in " ".join(_tokens(v)) for v in _values(r, field)))
        combine = all if operator == "and" else any
        return _leaf(lambda r: combine(any(w in _tokens(v) for v in _values(r, field)) for w in words))
    if kind == "term":
        ((field, value),) = spec.items()
        value = value.get("value") if isinstance(value, dict) else value
        want = str(value).lower()
        return _leaf(lambda r: want in _values(r, field))
    if kind == "terms":
        ((field, values),) = spec.items()
        wanted = {str(v).lower() for v in values}
        return _leaf(lambda r: bool(wanted & set(_values(r, field))))
    if kind == "range":
        ((field, bounds),) = spec.items()
        return _leaf(lambda r: any(_in_range(v, bounds) for v in _values(r, field)))
    if kind == "bool":
        must = [compile_query(c) for c in _as_list(spec.get("must")) + _as_list(spec.get("filter"))]
        should = [compile_query(c) for c in _as_list(spec.get("should"))]
        must_not = [compile_query(c) for c in _as_list(spec.get("must_not"))]
        minimum = int(spec.get("minimum_should_match", 1 if should and not must else 0))

        def pred(r):
            excluded = _any(must_not, r) if must_not else False
            results = [p(r) for p in should]
            yes, maybe = results.count(True), results.count(None)
            enough = True if yes >= minimum else (None if yes + maybe >= minimum else False)
            parts = [_all(must, r), None if excluded is None else not excluded, enough]
            return False if False in parts else (None if None in parts else True)

        return pred
    if kind == "query_string":
        return _query_string(spec.get("query", "") if isinstance(spec, dict) else str(spec))
    raise _BadQuery(f"unsupported query clause {kind!r}")


def _as_list(v) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _in_range(value: str, bounds: dict) -> bool:
    def cmp(a: str, b: str) -> int:
        try:
            fa, fb = float(a), float(b)
            return (fa > fb) - (fa < fb)
        except ValueError:
            a = a[: len(b)] if len(a) > len(b) and b[:4].isdigit() else a
            return (a > b) - (a < b)

    for op, bound in bounds.items():
        c = cmp(value, str(bound).lower())
        if (op == "gte" and c < 0) or (op == "gt" and c <= 0) or (op == "lte" and c > 0) or (op == "lt" and c >= 0):
            return False
    return True


_QS_TOKEN = re.compile(
    r'\(|\)|\bAND\b|\bOR\b|\bNOT\b|[\w.]+:\[[^\]]*\]|[\w.]+:"[^"]*"|[\w.]+:[^\s()]+|"[^"]*"|[^\s()]+'
)


def _query_string(text: str):
    tokens = _QS_TOKEN.findall(text)
    pos = 0

    def atom():
        nonlocal pos
        if pos >= len(tokens):
            raise _BadQuery("incomplete query_string")
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            inner = expr()
            pos += 1  # ")"
            return inner
        if tok == "NOT":
            inner = atom()
            return lambda r: _not(inner, r)
        if ":" in tok:
            field, _, value = tok.partition(":")
            if value.startswith("["):
                lo, _, hi = value.strip("[]").partition(" TO ")
                bounds = {k: v for k, v in (("gte", lo.strip()), ("lte", hi.strip())) if v and v != "*"}
                return _leaf(lambda r: any(_in_range(v, bounds) for v in _values(r, field)))
            words = _tokens(value.strip('"'))
            return _leaf(lambda r: all(any(w in _tokens(v) for v in _values(r, field)) for w in words))
        words = _tokens(tok.strip('"'))
        return _leaf(
            lambda r: all(w in _tokens(" ".join(_values(r, "title") + _values(r, "applicant.name"))) for w in words)
        )

    def expr():
        nonlocal pos
        left = atom()
        while pos < len(tokens) and tokens[pos] != ")":
            op = tokens[pos]
            if op in ("AND", "OR"):
                pos += 1
            else:
                op = "AND"
            right = atom()
            pair = (left, right)
            left = (lambda ps: lambda r: _any(ps, r))(pair) if op == "OR" else (lambda ps: lambda r: _all(ps, r))(pair)
        return left

    return expr() if tokens else (lambda r: True)


def _project(rec: dict, include: list[str] | None, exclude: list[str] | None) -> dict:
    if include:
        out: dict = {}
        for path in include:
            parts = path.split(".")
            src, dst = rec, out
            for i, p in enumerate(parts):
                if not isinstance(src, dict) or p not in src:
                    break
                if i == len(parts) - 1:
                    dst[p] = src[p]
                else:
                    src = src[p]
                    dst = dst.setdefault(p, {})
        rec = out
    for path in exclude or []:
        parts = path.split(".")
        node = rec
        for p in parts[:-1]:
            node = node.get(p, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return rec


# Handler -------------------------------------------------------------------------------------------
def _error(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return json_response(status, {"error": message}, headers)


def handle(state: LensState, req: Request, fault: str | None) -> Response:
    token = (
        req.header("authorization")[7:].strip()
        if req.header("authorization").lower().startswith("bearer ")
        else req.arg("token")
    )
    if token not in state.tokens:
        state.stats.incr("lens.rejected.401")
        return _error(401, "Unauthorized: a valid access token is required")
    limit = state.config.limits.lens_per_minute
    now = time.monotonic()
    with state.lock:
        window = state.minute.setdefault(token, SlidingWindow(60.0))
        if window.count(now) >= limit or fault in ("throttle", "quota"):
            wait = max(window.free_in(now), 1.0)
            state.stats.incr("lens.rejected.429")
            return _error(
                429,
                "Too Many Requests",
                [
                    ("x-rate-limit-remaining-request-per-minute", "0"),
                    ("x-rate-limit-retry-after-seconds", str(math.ceil(wait))),
                    ("x-rate-limit-retry-after-millis", str(int(wait * 1000))),
                ],
            )
        window.add(now)
        remaining = limit - window.count(now)
        state.month_used[token] = state.month_used.get(token, 0) + 1
        month_left = max(0, 10000 - state.month_used[token])
    headers = [
        ("x-rate-limit-remaining-request-per-minute", str(remaining)),
        ("x-rate-limit-remaining-request-per-month", str(month_left)),
    ]
    if fault == "overloaded":
        return _error(503, "Service Unavailable", headers)
    if fault == "server_error":
        return _error(500, "Internal Server Error", headers)
    if req.path.rstrip("/") != "/patent/search":
        return _error(404, "Not Found", headers)
    try:
        resp = _search(state, req)
    except (_BadQuery, ValueError, TypeError, KeyError) as exc:
        resp = _error(400, f"Invalid request: {exc}")
    for k, v in headers:
        resp.set_header(k, v)
    return resp


def _search(state: LensState, req: Request) -> Response:
    if req.method == "POST":
        body = req.json() or {}
    else:
        body = {
            "query": req.arg("query") or None,
            "size": int(req.arg("size", "10")),
            "from": int(req.arg("from", "0")),
        }
        if req.arg("scroll_id"):
            body = {"scroll_id": req.arg("scroll_id"), "scroll": req.arg("scroll", "1m")}
        elif req.arg("scroll"):
            body["scroll"] = req.arg("scroll")
    seed = state.config.seed
    limits = state.config.limits
    now = time.monotonic()
    if body.get("scroll_id"):
        with state.lock:
            ctx = state.scrolls.pop(body["scroll_id"], None)
        if ctx is None or ctx.expires_at <= now:
            state.stats.incr("lens.scroll.expired")
            return _error(400, "Scroll id has expired or is invalid; start a new search")
        return _scroll_page(state, ctx, _ttl(body.get("scroll"), limits.lens_scroll_ttl))
    size = int(body.get("size", 10))
    start = int(body.get("from", 0))
    if size < 0 or start < 0:
        raise _BadQuery("size and from must be positive")
    pred = compile_query(body.get("query"))
    hits = []
    for h in state.portfolio.headers():
        if pred(header_record(h)) is False:  # most matters are ruled out on parties and titles alone
            continue
        m = state.portfolio.matter(h.index)
        for n, _ in enumerate(docs.publications(m)):
            rec = record(seed, m, n)
            if pred(rec):
                hits.append((h.index, n, rec))
    for spec in reversed(_as_list(body.get("sort"))):
        ((field, order),) = spec.items() if isinstance(spec, dict) else ((spec, "asc"),)
        order = order.get("order", "asc") if isinstance(order, dict) else order
        hits.sort(key=_sort_key(field), reverse=str(order).lower() == "desc")
    include, exclude = body.get("include"), body.get("exclude")
    if body.get("scroll"):
        ctx = _Scroll([(i, n) for i, n, _ in hits], 0, size or 10, include, exclude, 0.0)
        return _scroll_page(state, ctx, _ttl(body.get("scroll"), limits.lens_scroll_ttl), total=len(hits))
    if start + size > limits.lens_max_window:
        raise _BadQuery(
            f"Result window is too large, from + size must be less than or equal to: "
            f"[{limits.lens_max_window}]; use scroll for more"
        )
    page = [_project(rec, include, exclude) for _, _, rec in hits[start : start + size]]
    return json_response(
        200, {"total": len(hits), "max_score": 1.0 if hits else None, "data": page, "results": len(page)}
    )


def _ttl(value, default: int) -> int:
    m = re.fullmatch(r"(\d+)([smh]?)", str(value or ""))
    if not m:
        return default
    return int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def _scroll_page(state: LensState, ctx: _Scroll, ttl: int, total: int | None = None) -> Response:
    if total == 0:  # a first request without hits is an empty result, not the end of a scroll
        return json_response(200, {"total": 0, "data": [], "results": 0})
    if ctx.position >= len(ctx.hits):
        state.stats.incr("lens.scroll.done")
        return Response(204, b"", [])
    chunk = ctx.hits[ctx.position : ctx.position + ctx.size]
    ctx.position += len(chunk)
    ctx.expires_at = time.monotonic() + ttl
    new_id = secrets.token_urlsafe(32)  # a new id on every page; the previous one is gone
    with state.lock:
        state.scrolls[new_id] = ctx
    seed = state.config.seed
    data = [_project(record(seed, state.portfolio.matter(i), n), ctx.include, ctx.exclude) for i, n in chunk]
    return json_response(
        200,
        {
            "total": total if total is not None else len(ctx.hits),
            "data": data,
            "results": len(data),
            "scroll_id": new_id,
        },
    )
