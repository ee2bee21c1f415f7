"""USPTO Open Data Portal client against recorded ODP answers served by `responses`."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from patents.clients import AuthError, NotFound, RateLimited, TransientError
from patents.clients.throttle import Limit, MemoryStore, Throttle
from patents.offices.us.client import UsptoOdpClient, application_number

BASE = "https://odp.example.test"
APPS = f"{BASE}/api/v1/patent/applications"


@pytest.fixture
def uspto(office_samples):
    return office_samples / "uspto"


@pytest.fixture
def throttle():
    return Throttle(MemoryStore(), {("uspto", "*"): Limit(concurrency=True, lease_seconds=30)})


@pytest.fixture
def client(throttle):
    return UsptoOdpClient(api_key="odp-key", base_url=BASE, throttle=throttle)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("16/123,456", "16123456"),
        ("16123456", "16123456"),
        ("US 17/248,024", "17248024"),
        ("PCT/US2020/012345", "PCTUS2020012345"),
        ("PCT/US20/12345", "PCTUS2020012345"),
    ],
)
def test_application_numbers_are_normalized_from_what_users_type(typed, expected):
    assert application_number(typed) == expected


def test_a_number_that_is_not_a_us_application_is_refused_before_sending():
    with pytest.raises(ValueError, match="8 digits"):
        application_number("EP2400812")


@responses.activate
def test_the_application_record_comes_back_raw_with_the_api_key_sent(client, uspto):
    raw = (uspto / "odp-application-17248024.json").read_bytes()
    responses.get(f"{APPS}/17248024", body=raw, content_type="application/json")
    response = client.application("17/248,024")
    assert response.body == raw
    assert response.json()["patentFileWrapperDataBag"][0]["applicationNumberText"] == "17248024"
    assert responses.calls[0].request.headers["X-API-KEY"] == "odp-key"
    assert "odp-key" not in response.request_key


@responses.activate
def test_each_part_of_the_file_wrapper_has_its_endpoint(client, uspto):
    responses.get(re.compile(f"{re.escape(APPS)}/17248024/.*"), body=b"{}")
    client.meta_data("17248024")
    client.transactions("17248024")
    client.continuity("17248024")
    client.documents("17248024")
    client.foreign_priority("17248024")
    assert [urlsplit(c.request.url).path.rsplit("/", 1)[1] for c in responses.calls] == [
        "meta-data",
        "transactions",
        "continuity",
        "documents",
        "foreign-priority",
    ]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("beta", id="code-message-detailedMessage"),
        pytest.param(
            json.dumps({"error": "Not Found", "errorDetails": "No matching records found"}).encode(),
            id="error-errorDetails",
        ),
    ],
)
@responses.activate
def test_no_matching_records_in_either_error_shape_is_not_found(client, uspto, body):
    if body == "beta":
        body = (uspto / "odp-beta-2024-error-404-no-matching-records.json").read_bytes()
    responses.get(f"{APPS}/16123456/transactions", status=404, body=body)
    with pytest.raises(NotFound, match="No matching records found") as info:
        client.transactions("16123456")
    assert not info.value.retryable


@responses.activate
def test_429_waits_at_least_five_seconds_and_blocks_every_worker_of_the_key(client):
    responses.get(f"{APPS}/16123456", status=429, headers={"Retry-After": "1"}, json={"error": "Too Many"})
    with pytest.raises(RateLimited) as first:
        client.application("16123456")
    assert 4.9 < first.value.retry_after <= 5.0 and first.value.retryable
    with pytest.raises(RateLimited, match="before sending"):
        client.application("16123456")
    assert len(responses.calls) == 1


@responses.activate
def test_429_with_a_longer_retry_after_waits_that_long(client):
    responses.get(f"{APPS}/16123456", status=429, headers={"Retry-After": "30"})
    with pytest.raises(RateLimited) as info:
        client.application("16123456")
    assert 29 < info.value.retry_after <= 30


@responses.activate
@pytest.mark.parametrize("zone", ["GMT", "-0000"])
def test_429_with_retry_after_as_an_http_date_waits_until_then(client, zone):
    # RFC 5322 "-0000" (no zone information) parses to a naive datetime; it still means UTC.
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
    responses.get(
        f"{APPS}/16123456", status=429, headers={"Retry-After": when.strftime(f"%a, %d %b %Y %H:%M:%S {zone}")}
    )
    with pytest.raises(RateLimited) as info:
        client.application("16123456")
    assert 55 < info.value.retry_after <= 60


@responses.activate
def test_one_request_in_flight_per_key(client, throttle):
    seen = {}

    def answer(request):
        # Another worker asks while this request is in flight.
        seen["other"] = throttle.acquire("uspto", "*")
        return 200, {}, b"{}"

    responses.add_callback(responses.GET, f"{APPS}/16123456", callback=answer)
    client.application("16123456")
    assert not seen["other"].allowed and seen["other"].kind == "lease"
    assert throttle.acquire("uspto", "*").allowed  # released once the answer is in


@pytest.mark.parametrize(
    ("status", "error"), [(401, AuthError), (403, AuthError), (500, TransientError), (502, TransientError)]
)
@responses.activate
def test_other_statuses_are_typed(client, status, error):
    responses.get(f"{APPS}/16123456", status=status, json={"code": status, "message": "x"})
    with pytest.raises(error):
        client.application("16123456")


@responses.activate
def test_a_timeout_releases_the_key_and_is_transient(client, throttle):
    responses.get(f"{APPS}/16123456", body=requests.exceptions.ReadTimeout())
    with pytest.raises(TransientError):
        client.application("16123456")
    assert throttle.acquire("uspto", "*").allowed


def _page(count: int, offset: int, limit: int) -> dict:
    n = max(0, min(limit, count - offset))
    return {"count": count, "patentFileWrapperDataBag": [{"applicationNumberText": f"{offset + i}"} for i in range(n)]}


@responses.activate
def test_search_pages_through_all_results(client):
    def answer(request):
        q = parse_qs(urlsplit(request.url).query)
        return 200, {}, json.dumps(_page(5, int(q["offset"][0]), int(q["limit"][0])))

    responses.add_callback(responses.GET, f"{APPS}/search", callback=answer)
    pages = list(client.iter_search("applicationMetaData.firstApplicantName:Acme", page_size=2))
    offsets = [parse_qs(urlsplit(c.request.url).query)["offset"][0] for c in responses.calls]
    assert offsets == ["0", "2", "4"]
    assert sum(len(p.json()["patentFileWrapperDataBag"]) for p in pages) == 5


@responses.activate
def test_an_answer_too_large_is_asked_again_in_smaller_pages(client):
    limits = []

    def answer(request):
        body = json.loads(request.body)
        limit = body["pagination"]["limit"]
        limits.append(limit)
        if limit > 2:
            return 413, {}, json.dumps({"code": 413, "message": "Payload Too Large"})
        return 200, {}, json.dumps(_page(3, body["pagination"]["offset"], limit))

    responses.add_callback(responses.POST, f"{APPS}/search", callback=answer)
    pages = list(
        client.iter_search(
            "Acme",
            page_size=8,
            filters=[{"name": "applicationMetaData.applicationTypeLabelName", "value": ["Utility"]}],
            range_filters=[
                {"field": "applicationMetaData.filingDate", "valueFrom": "2020-01-01", "valueTo": "2020-12-31"}
            ],
        )
    )
    assert limits == [8, 4, 2, 2]
    assert len(pages) == 2
    body = json.loads(responses.calls[-1].request.body)
    assert body["q"] == "Acme" and body["rangeFilters"][0]["valueFrom"] == "2020-01-01"
    assert body["filters"][0]["value"] == ["Utility"]


@responses.activate
def test_a_search_without_hits_yields_nothing(client, uspto):
    responses.get(
        f"{APPS}/search", status=404, body=(uspto / "odp-beta-2024-error-404-no-matching-records.json").read_bytes()
    )
    assert list(client.iter_search("nothing")) == []
