"""EPO OPS client, against recorded OPS answers served by `responses` (no network).

Bodies and headers come from tests/fixtures/offices/epo (real OPS recordings) wherever one exists.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from patents.clients import (
    AuthError,
    BadResponse,
    IndividualQuotaPerHour,
    NotFound,
    RegisteredQuotaPerWeek,
    ResponseCache,
    ThrottlingControlQuota,
    TransientError,
)
from patents.clients.throttle import MemoryStore, Throttle, default_limits
from patents.offices.ep.client import EpoOpsClient, docdb

BASE = "https://ops.example.test/3.2"
TOKEN_URL = f"{BASE}/auth/accesstoken"
REST = f"{BASE}/rest-services"
BIBLIO_URL = f"{REST}/register/application/epodoc/EP99203729/biblio"


@pytest.fixture
def epo(office_samples):
    return office_samples / "epo"


@pytest.fixture
def token_body(epo):
    return (epo / "auth-accesstoken-response-redacted-by-source.json").read_bytes()


@pytest.fixture
def observed(epo):
    return json.loads((epo / "response-headers-observed.json").read_text())


@pytest.fixture
def throttle():
    # The production shapes, with room for a burst so these tests can call back to back.
    limits = {key: replace(limit, burst=100) for key, limit in default_limits().items()}
    return Throttle(MemoryStore(), limits)


@pytest.fixture
def client(throttle):
    return EpoOpsClient(key="consumer-key", secret="consumer-secret", base_url=BASE, throttle=throttle)


@pytest.fixture
def mocked(token_body):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.POST, TOKEN_URL, body=token_body, content_type="application/json")
        yield rsps


def data_calls(rsps) -> list:
    return [c for c in rsps.calls if "/rest-services/" in c.request.url]


def token_calls(rsps) -> list:
    return [c for c in rsps.calls if c.request.url == TOKEN_URL]


def test_the_token_is_obtained_once_with_client_credentials_and_sent_as_bearer(client, mocked, epo):
    mocked.add(
        responses.GET, BIBLIO_URL, body=(epo / "register-biblio-EP99203729-2016-ops-reg-prefixes.xml").read_bytes()
    )
    client.register("EP99203729")
    client.register("EP99203729")
    (token_call,) = token_calls(mocked)
    assert token_call.request.headers["Authorization"].startswith("Basic ")
    assert parse_qs(token_call.request.body) == {"grant_type": ["client_credentials"]}
    assert [c.request.headers["Authorization"] for c in data_calls(mocked)] == ["Bearer THIS_IS_THE_TOKEN"] * 2


def test_a_token_about_to_expire_is_renewed_before_use(client, epo):
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, TOKEN_URL, json={"access_token": "short-lived", "expires_in": "45"})
        rsps.add(responses.GET, BIBLIO_URL, body=b"<x/>")
        client.register("EP99203729")
        client.register("EP99203729")
        # 45 s left is inside the renewal margin: each call gets a fresh token instead of a 400 mid-sync.
        assert len(token_calls(rsps)) == 2


def test_invalid_access_token_400_renews_the_token_once_and_retries(client, epo, observed):
    expired = observed["invalid_access_token_400_2024"]["headers"]
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, TOKEN_URL, json={"access_token": "first", "expires_in": "1199"})
        rsps.add(responses.POST, TOKEN_URL, json={"access_token": "second", "expires_in": "1199"})
        rsps.add(
            responses.GET,
            BIBLIO_URL,
            status=400,
            body=(epo / "error-400-invalid_access_token.xml").read_bytes(),
            headers={"WWW-Authenticate": expired["WWW-Authenticate"]},
            content_type="application/xml",
        )
        rsps.add(responses.GET, BIBLIO_URL, body=b"<ok/>")
        response = client.register("EP99203729")
        assert [c.request.headers.get("Authorization") for c in data_calls(rsps)] == ["Bearer first", "Bearer second"]
    assert response.status == 200 and response.body == b"<ok/>"


def test_a_token_still_invalid_after_one_renewal_is_an_auth_error(client, epo):
    body = (epo / "error-400-invalid_access_token.xml").read_bytes()
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, TOKEN_URL, json={"access_token": "t", "expires_in": "1199"})
        rsps.add(responses.GET, BIBLIO_URL, status=400, body=body, content_type="application/xml")
        with pytest.raises(AuthError) as info:
            client.register("EP99203729")
        assert len(token_calls(rsps)) == 2 and len(data_calls(rsps)) == 2  # renewed once, not in a loop
    assert info.value.retryable is False


def test_rejected_consumer_credentials_are_an_auth_error(client, epo):
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.POST,
            TOKEN_URL,
            status=401,
            body=(epo / "error-401-auth-accesstoken-clientid-invalid.xml").read_bytes(),
        )
        with pytest.raises(AuthError):
            client.register("EP99203729")


NOT_FOUND_FAULT = (
    b'<?xml version="1.0" encoding="UTF-8"?><fault xmlns="http://ops.epo.org"><code>SERVER.EntityNotFound</code>'
    b"<message>No results found</message></fault>"
)


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected", "retryable"),
    [
        pytest.param(404, {}, NOT_FOUND_FAULT, NotFound, False, id="404-EntityNotFound-is-no-data"),
        pytest.param(404, {}, b"", NotFound, False, id="404-empty-body-is-no-data"),
        pytest.param(
            403,
            {"X-Rejection-Reason": "IndividualQuotaPerHour"},
            "fair-use",
            IndividualQuotaPerHour,
            True,
            id="403-IndividualQuotaPerHour",
        ),
        pytest.param(
            403,
            {"X-Rejection-Reason": "RegisteredQuotaPerWeek"},
            "fair-use",
            RegisteredQuotaPerWeek,
            True,
            id="403-RegisteredQuotaPerWeek",
        ),
        pytest.param(
            403,
            {"X-Rejection-Reason": "ThrottlingControlQuota", "Retry-After": "30000"},
            "fair-use",
            ThrottlingControlQuota,
            True,
            id="403-ThrottlingControlQuota-black",
        ),
        pytest.param(
            403,
            {},
            b"<error><code>403</code><message>Forbidden</message></error>",
            AuthError,
            False,
            id="403-without-reason-is-access",
        ),
        pytest.param(401, {}, b"", AuthError, False, id="401"),
        pytest.param(
            500,
            {},
            b"<fault xmlns='http://ops.epo.org'><code>SERVER.InternalError</code></fault>",
            TransientError,
            True,
            id="500",
        ),
        pytest.param(503, {"Retry-After": "10"}, b"", TransientError, True, id="503-overloaded"),
        pytest.param(
            400,
            {},
            b"<fault xmlns='http://ops.epo.org'><code>CLIENT.InvalidQuery</code><message>bad</message></fault>",
            BadResponse,
            False,
            id="400-invalid-query",
        ),
    ],
)
def test_each_office_answer_maps_to_a_typed_error(client, mocked, epo, status, headers, body, expected, retryable):
    if body == "fair-use":
        body = (epo / "error-403-fair-use-IndividualQuotaPerHour.xml").read_bytes()
    mocked.add(responses.GET, BIBLIO_URL, status=status, headers=headers, body=body)
    with pytest.raises(expected) as info:
        client.register("EP99203729")
    assert type(info.value) is expected
    assert info.value.retryable is retryable
    assert info.value.response is not None and info.value.response.body == body  # raw kept for the payload


@pytest.mark.parametrize(
    "exc",
    [
        requests.exceptions.ReadTimeout("slow"),
        requests.exceptions.ConnectionError("reset"),
        requests.exceptions.ChunkedEncodingError("cut short"),
    ],
    ids=["timeout", "connection", "truncated"],
)
def test_network_failures_are_transient(client, mocked, exc):
    mocked.add(responses.GET, BIBLIO_URL, body=exc)
    with pytest.raises(TransientError) as info:
        client.register("EP99203729")
    assert info.value.retryable


def test_the_traffic_light_feeds_the_shared_buckets(client, mocked, throttle, observed):
    busy = observed["busy_200_2024"]["headers"]
    headers = {k: v for k, v in busy.items() if k.startswith("X-")}
    headers["X-Throttling-Control"] = (
        "busy (images=green:100, inpadoc=yellow:45, other=red:1000, retrieval=green:100, search=green:15)"
    )
    mocked.add(responses.GET, BIBLIO_URL, body=b"<ok/>", headers=headers)
    client.register("EP99203729")
    assert throttle.state("epo", "search").rate == 15  # idle 30 → busy 15: adopted as advertised
    assert throttle.state("epo", "retrieval").rate == 100
    assert throttle.state("epo", "inpadoc").factor < 1 and throttle.state("epo", "other").factor < 1  # slow down
    assert throttle.state("epo", "images").factor == 1


def test_black_blocks_the_service_until_retry_after_and_nothing_more_is_sent(client, mocked, epo):
    mocked.add(
        responses.GET,
        BIBLIO_URL,
        status=403,
        body=(epo / "error-403-fair-use-IndividualQuotaPerHour.xml").read_bytes(),
        headers={
            "X-Rejection-Reason": "ThrottlingControlQuota",
            "Retry-After": "30000",
            "X-Throttling-Control": "idle (images=green:200, inpadoc=green:60, other=black:0, retrieval=green:200, "
            "search=green:30)",
        },
    )
    with pytest.raises(ThrottlingControlQuota) as first:
        client.register("EP99203729")
    assert 29 < first.value.retry_after <= 30  # OPS' Retry-After is in milliseconds
    with pytest.raises(ThrottlingControlQuota) as second:
        client.register("EP99203729")
    assert len(data_calls(mocked)) == 1
    assert "before sending" in str(second.value) and 29 < second.value.retry_after <= 30
    # Other services of the same key are not blocked.
    mocked.add(responses.GET, f"{REST}/legal/publication/docdb/EP.2400812.A1", body=b"<ok/>")
    assert client.legal(docdb("EP", "2400812", "A1")).status == 200


def test_the_weekly_budget_refuses_before_it_is_exceeded_and_says_until_when(throttle, mocked, observed):
    used = int(observed["busy_200_2024"]["headers"]["X-RegisteredQuotaPerWeek-Used"])
    client = EpoOpsClient(key="k", secret="s", base_url=BASE, throttle=throttle, weekly_quota_bytes=used + 1_000_000)
    mocked.add(responses.GET, BIBLIO_URL, body=b"<ok/>", headers={"X-RegisteredQuotaPerWeek-Used": str(used)})
    client.register("EP99203729")  # this answer brings us within the margin of the budget
    with pytest.raises(RegisteredQuotaPerWeek) as info:
        client.register("EP99203729")
    assert len(data_calls(mocked)) == 1
    assert "OPS_WEEKLY_QUOTA_BYTES" in str(info.value)
    assert 3500 < info.value.retry_after <= 3600 and info.value.retry_at is not None


def test_a_fair_use_refusal_blocks_every_ops_service_of_the_key(client, mocked, epo):
    mocked.add(
        responses.GET,
        BIBLIO_URL,
        status=403,
        headers={"X-Rejection-Reason": "IndividualQuotaPerHour"},
        body=(epo / "error-403-fair-use-IndividualQuotaPerHour.xml").read_bytes(),
    )
    with pytest.raises(IndividualQuotaPerHour):
        client.register("EP99203729")
    with pytest.raises(IndividualQuotaPerHour):
        client.legal("EP.2400812.A1")
    assert len(data_calls(mocked)) == 1


def test_the_response_keeps_the_raw_bytes_and_a_request_key_without_credentials(client, mocked, epo, caplog):
    raw = (epo / "register-biblio-EP99203729-2016-ops-reg-prefixes.xml").read_bytes()
    mocked.add(responses.GET, BIBLIO_URL, body=raw, content_type="application/xml")
    caplog.set_level(logging.DEBUG)
    response = client.register("EP99203729")
    assert response.body == raw
    assert response.request_key == f"GET {BIBLIO_URL}"
    assert response.endpoint == "register/biblio" and response.status == 200
    assert response.fetched_at.tzinfo is not None
    assert response.headers["content-type"] == "application/xml"
    for text in (response.request_key, repr(response), repr(client), caplog.text, json.dumps(dict(response.headers))):
        assert "THIS_IS_THE_TOKEN" not in text and "consumer-secret" not in text


def test_register_for_several_numbers_is_one_post(client, mocked):
    mocked.add(responses.POST, f"{REST}/register/application/epodoc/biblio,events", body=b"<ok/>")
    response = client.register_many(["EP99203729", "EP14731659"], constituents=["biblio", "events"])
    (call,) = data_calls(mocked)
    assert call.request.body == b"EP99203729\nEP14731659"
    assert "body-sha256=" in response.request_key


def test_inputs_in_docdb_and_epodoc_forms_and_each_reference_type(client, mocked):
    mocked.add(responses.GET, re.compile(f"{re.escape(REST)}/.*"), body=b"<ok/>")
    client.published_data(docdb("EP", "2400812", "A1"))
    client.family("EP.2400812.A1", constituents=["biblio", "legal"])
    client.legal("EP2400812", input_format="epodoc")
    client.register("EP2400812", reference_type="publication")
    client.number_service(
        "JP.2006-147056.A", reference_type="application", input_format="docdb", output_format="epodoc"
    )
    paths = [urlsplit(c.request.url).path.removeprefix("/3.2/rest-services/") for c in data_calls(mocked)]
    assert paths == [
        "published-data/publication/docdb/EP.2400812.A1/biblio",
        "family/publication/docdb/EP.2400812.A1/biblio,legal",
        "legal/publication/epodoc/EP2400812",
        "register/publication/epodoc/EP2400812/biblio",
        "number-service/application/docdb/JP.2006-147056.A/epodoc",
    ]
    with pytest.raises(ValueError):
        client.register("EP2400812", reference_type="grant")


def _search_page(total: int, begin: int, end: int) -> bytes:
    return (
        '<ops:world-patent-data xmlns:ops="http://ops.epo.org" xmlns:reg="http://www.epo.org/register">'
        f'<ops:register-search total-result-count="{total}"><ops:query syntax="CQL">pa=acme</ops:query>'
        f'<ops:range begin="{begin}" end="{end}"/><reg:register-documents/></ops:register-search>'
        "</ops:world-patent-data>"
    ).encode()


def test_register_search_pages_through_every_range(client, mocked):
    def answer(request):
        begin, end = map(int, parse_qs(urlsplit(request.url).query)["Range"][0].split("-"))
        return 200, {}, _search_page(7, begin, min(end, 7))

    mocked.add_callback(responses.GET, f"{REST}/register/search", callback=answer)
    pages = list(client.iter_register_search("pa=acme", page_size=3))
    assert [p.request_key.rsplit("Range=", 1)[1].split("&")[0] for p in pages] == ["1-3", "4-6", "7-7"]
    assert all(p.status == 200 for p in pages)


def test_a_search_without_hits_yields_no_pages(client, mocked):
    mocked.add(responses.GET, f"{REST}/register/search", status=404, body=b"")  # OPS: 404, empty body
    assert list(client.iter_register_search("pa=nobody")) == []


def test_the_cache_serves_a_fresh_answer_but_never_past_its_ttl(throttle, mocked):
    now = [1000.0]
    cache = ResponseCache(clock=lambda: now[0])
    client = EpoOpsClient(key="k", secret="s", base_url=BASE, throttle=throttle, cache=cache)
    mocked.add(responses.GET, BIBLIO_URL, body=b"<status>examination</status>")
    assert client.register("EP99203729").from_cache is False
    assert client.register("EP99203729").from_cache is True
    assert len(data_calls(mocked)) == 1
    # The office changes its answer; within a minute (register TTL) the cache may still serve the old one…
    mocked.replace(responses.GET, BIBLIO_URL, status=404, body=NOT_FOUND_FAULT)
    now[0] += 61
    # …but never after: the change (here: a 404) is seen.
    with pytest.raises(NotFound):
        client.register("EP99203729")
    assert len(data_calls(mocked)) == 2


def test_the_cache_never_keeps_an_error(throttle, mocked):
    client = EpoOpsClient(key="k", secret="s", base_url=BASE, throttle=throttle, cache=True)
    mocked.add(responses.GET, BIBLIO_URL, status=500, body=b"")
    mocked.add(responses.GET, BIBLIO_URL, body=b"<ok/>")
    with pytest.raises(TransientError):
        client.register("EP99203729")
    assert client.register("EP99203729").body == b"<ok/>"
    assert client.register("EP99203729").from_cache


def test_a_throttled_client_without_patience_says_how_long_to_wait(mocked):
    from patents.clients import ThrottledError

    throttle = Throttle(MemoryStore())  # production limits: a burst of one
    client = EpoOpsClient(key="k", secret="s", base_url=BASE, throttle=throttle)  # max_wait=0: Celery style
    throttle.set_rate("epo", "other", per_minute=1)
    mocked.add(responses.GET, BIBLIO_URL, body=b"<ok/>")
    client.register("EP99203729")
    started = time.monotonic()
    with pytest.raises(ThrottledError) as info:
        client.register("EP99203729")
    assert time.monotonic() - started < 0.5  # it did not sleep in the worker slot
    assert 55 < info.value.retry_after <= 60 and info.value.retryable
    assert len(data_calls(mocked)) == 1
