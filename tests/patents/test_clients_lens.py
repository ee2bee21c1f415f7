"""Lens patent search client against `responses` (the documented sample record as the page content)."""

from __future__ import annotations

import json

import pytest
import responses

from patents.clients import AuthError, RateLimited
from patents.clients.throttle import Limit, MemoryStore, Throttle
from patents.offices.lens.client import LensClient

BASE = "https://lens.example.test"
SEARCH = f"{BASE}/patent/search"


@pytest.fixture
def record(office_samples):
    sample = json.loads(
        (office_samples / "lens" / "patent-search-response-EP2471949-lens-api-docs-sample.json").read_text()
    )
    return sample["data"][0]


@pytest.fixture
def throttle():
    return Throttle(MemoryStore(), {("lens", "*"): Limit(per_minute=600, burst=20)})


@pytest.fixture
def client(throttle):
    return LensClient(token="lens-token", base_url=BASE, throttle=throttle)


def bodies() -> list[dict]:
    return [json.loads(c.request.body) for c in responses.calls]


@responses.activate
def test_one_page_with_the_query_dsl_sort_projection_and_family_grouping(client, record):
    responses.post(SEARCH, json={"total": 1, "data": [record], "results": 1})
    query = {
        "bool": {"must": [{"match": {"applicant.name": "Acme"}}, {"range": {"date_published": {"gte": "2020-01-01"}}}]}
    }
    response = client.search(
        query,
        size=50,
        from_=100,
        sort=[{"date_published": "desc"}],
        include=["lens_id", "legal_status"],
        group_by="SIMPLE_FAMILY",
    )
    assert response.json()["data"][0]["lens_id"] == record["lens_id"]
    (body,) = bodies()
    assert body == {
        "query": query,
        "size": 50,
        "from": 100,
        "sort": [{"date_published": "desc"}],
        "include": ["lens_id", "legal_status"],
        "group_by": "SIMPLE_FAMILY",
    }
    assert responses.calls[0].request.headers["Authorization"] == "Bearer lens-token"


def test_size_and_from_reach_no_deeper_than_ten_thousand(client):
    with pytest.raises(ValueError, match="10000"):
        client.search({"match_all": {}}, size=100, from_=9950)


@responses.activate
def test_scroll_always_continues_from_the_latest_scroll_id_until_204(client, record):
    responses.post(SEARCH, json={"total": 5, "data": [record, record], "scroll_id": "first"})
    responses.post(SEARCH, json={"total": 5, "data": [record, record], "scroll_id": "second"})
    responses.post(SEARCH, status=204)
    pages = list(client.iter_search({"match": {"title": "coating"}}, size=2, include=["lens_id"]))
    assert len(pages) == 2
    sent = bodies()
    assert sent[0]["scroll"] == "1m" and sent[0]["include"] == ["lens_id"] and "scroll_id" not in sent[0]
    assert [b.get("scroll_id") for b in sent[1:]] == ["first", "second"]  # never an old one


@responses.activate
def test_scroll_stops_when_every_result_has_been_seen(client, record):
    responses.post(SEARCH, json={"total": 3, "data": [record, record], "scroll_id": "a"})
    responses.post(SEARCH, json={"total": 3, "data": [record], "scroll_id": "b"})
    assert sum(len(p.json()["data"]) for p in client.iter_search({"match_all": {}}, size=2)) == 3
    assert len(responses.calls) == 2


@responses.activate
def test_429_waits_as_long_as_lens_says_and_holds_every_worker(client):
    responses.post(
        SEARCH, status=429, headers={"x-rate-limit-retry-after-millis": "1500"}, json={"message": "Too many requests"}
    )
    with pytest.raises(RateLimited) as info:
        client.search({"match_all": {}})
    assert 1.4 < info.value.retry_after <= 1.5
    with pytest.raises(RateLimited, match="before sending"):
        client.search({"match_all": {}})
    assert len(responses.calls) == 1


@responses.activate
def test_the_remaining_request_count_limits_our_tokens(client, throttle, record):
    responses.post(
        SEARCH,
        json={"total": 1, "data": [record]},
        headers={"x-rate-limit-remaining-request-per-minute": "0", "x-rate-limit-retry-after-seconds": "20"},
    )
    client.search({"match_all": {}})
    with pytest.raises(RateLimited) as info:
        client.search({"match_all": {}})
    assert 19 < info.value.retry_after <= 20 and len(responses.calls) == 1


@responses.activate
def test_a_rejected_token_is_an_auth_error(client):
    responses.post(SEARCH, status=401, json={"message": "Unauthorized"})
    with pytest.raises(AuthError):
        client.search({"match_all": {}})
