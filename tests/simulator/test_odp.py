"""The simulator speaks the USPTO Open Data Portal: API key, one request in flight per key, bag shapes,
both error shapes, 413 for oversized pages."""

from __future__ import annotations

import threading

import pytest
import requests

from patents.simulator.config import ODP_API_KEY
from patents.simulator.portfolio import normalize_key

pytestmark = pytest.mark.simulator

KEY = {"X-API-KEY": ODP_API_KEY}


def us_number(m) -> str:
    return normalize_key(m.application_number)


def test_application_endpoints_return_production_bag_shapes(office_simulator):
    sim = office_simulator
    m = next(x for x in sim.portfolio.matters("US") if x.grant_number)
    n = us_number(m)
    full = requests.get(f"{sim.odp_url}/applications/{n}", headers=KEY, timeout=5).json()
    wrapper = full["patentFileWrapperDataBag"][0]
    assert full["count"] == 1 and "requestIdentifier" in full
    assert wrapper["applicationNumberText"] == n
    meta = wrapper["applicationMetaData"]
    assert meta["applicationStatusCode"] == 150 and meta["applicationStatusDescriptionText"] == "Patented Case"
    assert meta["patentNumber"] == m.grant_number[2:] and meta["grantDate"] == m.grant_date.isoformat()
    codes = [e["eventCode"] for e in wrapper["eventDataBag"]]
    assert {"MN/=.", "IFEE", "WPIR"} <= set(codes)
    dates = [e["eventDate"] for e in wrapper["eventDataBag"]]
    assert dates == sorted(dates, reverse=True)  # newest first, as ODP serves them

    for part, key in (
        ("transactions", "eventDataBag"),
        ("continuity", "parentContinuityBag"),
        ("meta-data", "applicationMetaData"),
        ("foreign-priority", "foreignPriorityBag"),
        ("adjustment", "patentTermAdjustmentData"),
    ):
        body = requests.get(f"{sim.odp_url}/applications/{n}/{part}", headers=KEY, timeout=5).json()
        assert key in body["patentFileWrapperDataBag"][0], part
    documents = requests.get(f"{sim.odp_url}/applications/{n}/documents", headers=KEY, timeout=5).json()
    assert documents["count"] == len(documents["documentBag"]) > 0
    assert {"NOA", "CTNF"} <= {d["documentCode"] for d in documents["documentBag"]}


def test_missing_api_key_is_403(office_simulator):
    r = requests.get(f"{office_simulator.odp_url}/applications/19100001", timeout=5)
    assert r.status_code == 403
    assert r.json()["code"] == 403 and "errorDetails" in r.json()


def test_unknown_application_is_404_no_matching_records(office_simulator):
    r = requests.get(f"{office_simulator.odp_url}/applications/99999999", headers=KEY, timeout=5)
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == 404 and body["message"] == "Not Found"
    assert body["detailedMessage"].startswith("No matching records found")


def test_second_concurrent_request_for_the_same_key_gets_429_with_retry_after(simulator_factory):
    sim = simulator_factory(odp_processing_seconds=0.4, limits="odp_retry_after=2")
    n = us_number(sim.portfolio.matters("US")[0])
    results: list[requests.Response] = []
    barrier = threading.Barrier(2)

    def call():
        barrier.wait()
        results.append(requests.get(f"{sim.odp_url}/applications/{n}/meta-data", headers=KEY, timeout=5))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 429]
    rejected = next(r for r in results if r.status_code == 429)
    assert rejected.headers["Retry-After"] == "2"
    # one after the other is fine
    assert requests.get(f"{sim.odp_url}/applications/{n}/meta-data", headers=KEY, timeout=5).status_code == 200


def test_search_get_and_post_with_filters_ranges_and_paging(office_simulator):
    sim = office_simulator
    us = list(sim.portfolio.matters("US"))
    patented = [m for m in us if m.status == "Patented Case"]
    r = requests.get(
        f"{sim.odp_url}/applications/search",
        headers=KEY,
        timeout=5,
        params={
            "q": "*",
            "filters": "applicationMetaData.applicationStatusDescriptionText Patented Case",
            "limit": 2,
        },
    )
    assert r.status_code == 200
    assert r.json()["count"] == len(patented)
    assert len(r.json()["patentFileWrapperDataBag"]) == 2

    n = us_number(us[5])
    r = requests.get(
        f"{sim.odp_url}/applications/search",
        headers=KEY,
        timeout=5,
        params={"q": f"applicationNumberText:{n}", "limit": 1},
    )
    assert r.json()["patentFileWrapperDataBag"][0]["applicationNumberText"] == n

    year = us[0].filing_date.year
    body = {
        "q": "",
        "rangeFilters": [
            {
                "field": "applicationMetaData.filingDate",
                "valueFrom": f"{year}-01-01",
                "valueTo": f"{year}-12-31",
            }
        ],
        "pagination": {"offset": 0, "limit": 100},
        "sort": [{"field": "applicationMetaData.filingDate", "order": "asc"}],
    }
    r = requests.post(f"{sim.odp_url}/applications/search", headers=KEY, json=body, timeout=5)
    filed = [w["applicationMetaData"]["filingDate"] for w in r.json()["patentFileWrapperDataBag"]]
    assert filed == sorted(filed) and all(f.startswith(str(year)) for f in filed)
    assert r.json()["count"] == sum(1 for m in us if m.filing_date.year == year)


def test_search_page_above_the_maximum_is_413_and_no_hit_is_404(office_simulator):
    sim = office_simulator
    r = requests.get(f"{sim.odp_url}/applications/search", headers=KEY, params={"limit": 101}, timeout=5)
    assert r.status_code == 413 and r.json()["error"] == "Payload Too Large"
    r = requests.get(
        f"{sim.odp_url}/applications/search",
        headers=KEY,
        params={"q": "applicationMetaData.firstApplicantName:Nobody"},
        timeout=5,
    )
    assert r.status_code == 404


def test_generated_odp_bodies_are_read_by_our_parsers(office_simulator):
    from patents.offices.us import parser as parsers

    sim = office_simulator
    for m in sim.portfolio.matters("US")[:20]:
        n = us_number(m)
        app = parsers.parse_odp_application(
            requests.get(f"{sim.odp_url}/applications/{n}", headers=KEY, timeout=5).content
        )
        assert app.biblio.status_code == m.status_code
        assert app.biblio.filing_date == m.filing_date
        events = parsers.parse_odp_transactions(
            requests.get(f"{sim.odp_url}/applications/{n}/transactions", headers=KEY, timeout=5).content
        )
        assert {e.code for e in events} >= {"IEXX"}
        parsers.parse_odp_continuity(
            requests.get(f"{sim.odp_url}/applications/{n}/continuity", headers=KEY, timeout=5).content
        )
        parsers.parse_odp_documents(
            requests.get(f"{sim.odp_url}/applications/{n}/documents", headers=KEY, timeout=5).content
        )
        parsers.parse_odp_foreign_priority(
            requests.get(f"{sim.odp_url}/applications/{n}/foreign-priority", headers=KEY, timeout=5).content
        )
    err = parsers.parse_odp_error(requests.get(f"{sim.odp_url}/applications/99999999", headers=KEY, timeout=5).content)
    assert err.status == 404 and err.detail.startswith("No matching records")
