"""The simulator speaks Lens patent search: bearer token, query DSL, from/size window, scroll with a new
scroll_id on every page and 204 at the end, rate-limit headers and 429."""

from __future__ import annotations

import pytest
import requests

from patents.simulator.config import LENS_TOKEN

pytestmark = pytest.mark.simulator

AUTH = {"Authorization": f"Bearer {LENS_TOKEN}"}


def search(sim, body: dict) -> requests.Response:
    return requests.post(f"{sim.base_url}/patent/search", json=body, headers=AUTH, timeout=10)


def test_bool_query_filters_by_applicant_and_jurisdiction(office_simulator):
    sim = office_simulator
    applicant = sim.portfolio.matter(0).applicant
    r = search(
        sim,
        {
            "query": {
                "bool": {"must": [{"match": {"applicant.name": applicant}}, {"terms": {"jurisdiction": ["EP"]}}]}
            },
            "size": 50,
            "include": ["lens_id", "jurisdiction", "biblio.parties.applicants"],
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == body["results"] == len(body["data"]) > 0
    for rec in body["data"]:
        assert rec["jurisdiction"] == "EP"
        assert rec["biblio"]["parties"]["applicants"][0]["extracted_name"]["value"] == applicant.upper()
        assert set(rec) == {"lens_id", "jurisdiction", "biblio"}  # the include projection


def test_query_string_and_range_agree(office_simulator):
    sim = office_simulator
    a = search(
        sim,
        {
            "query": {"query_string": {"query": "jurisdiction:US AND date_published:[2024-01-01 TO 2026-12-31]"}},
            "size": 500,
        },
    ).json()
    b = search(
        sim,
        {
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"jurisdiction": "US"}},
                        {"range": {"date_published": {"gte": "2024-01-01", "lte": "2026-12-31"}}},
                    ]
                }
            },
            "size": 500,
        },
    ).json()
    assert a["total"] == b["total"] > 0
    assert all("2024-01-01" <= r["date_published"] <= "2026-12-31" for r in a["data"])


def test_from_plus_size_beyond_10000_is_refused(office_simulator):
    r = search(office_simulator, {"query": {"match_all": {}}, "from": 9990, "size": 20})
    assert r.status_code == 400


def test_scroll_id_changes_every_page_old_ids_die_and_204_ends(office_simulator):
    sim = office_simulator
    first = search(sim, {"query": {"terms": {"jurisdiction": ["EP", "WO"]}}, "size": 25, "scroll": "1m"})
    assert first.status_code == 200
    body = first.json()
    total, seen, ids = body["total"], [r["lens_id"] for r in body["data"]], [body["scroll_id"]]
    while True:
        r = search(sim, {"scroll_id": ids[-1], "scroll": "1m"})
        if r.status_code == 204:
            assert r.content == b""
            break
        assert r.status_code == 200
        ids.append(r.json()["scroll_id"])
        seen += [rec["lens_id"] for rec in r.json()["data"]]
    assert len(seen) == len(set(seen)) == total > 25
    assert len(set(ids)) == len(ids)  # a new scroll_id on every page
    assert search(sim, {"scroll_id": ids[0], "scroll": "1m"}).status_code == 400  # an old id is gone


def test_rate_limit_headers_count_down_then_429(simulator_factory):
    sim = simulator_factory(limits="lens_per_minute=3")
    remaining = [
        search(sim, {"query": {"match_all": {}}, "size": 1}).headers["x-rate-limit-remaining-request-per-minute"]
        for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    r = search(sim, {"query": {"match_all": {}}, "size": 1})
    assert r.status_code == 429
    assert int(r.headers["x-rate-limit-retry-after-seconds"]) >= 1


def test_missing_token_is_401(office_simulator):
    r = requests.post(f"{office_simulator.base_url}/patent/search", json={"query": {"match_all": {}}}, timeout=5)
    assert r.status_code == 401


def test_generated_lens_pages_are_read_by_our_parser(office_simulator):
    from patents.offices.lens import parser as parsers

    sim = office_simulator
    r = search(sim, {"query": {"match_all": {}}, "size": 100, "scroll": "1m"})
    page = parsers.parse_lens_search(r.content)
    assert page.scroll_id == r.json()["scroll_id"]
    assert len(page.records) == 100 and page.total == r.json()["total"]
    granted = [rec for rec in page.records if rec.legal_status and rec.legal_status.granted]
    assert granted and all(rec.legal_status.grant_date for rec in granted)


@pytest.mark.parametrize(
    "query",
    [
        {"match": {"applicant.name": "kestrel robotics"}},
        {
            "bool": {
                "must_not": [{"match": {"applicant.name": "kestrel"}}],
                "filter": [{"term": {"jurisdiction": "EP"}}],
            }
        },
        {"bool": {"should": [{"match": {"title": "sensor"}}, {"range": {"date_published": {"gte": "2026-01-01"}}}]}},
        {"query_string": {"query": "NOT applicant.name:aoba AND jurisdiction:JP"}},
    ],
)
def test_search_finds_exactly_what_a_full_scan_finds(office_simulator, query):
    from patents.simulator import lens
    from patents.simulator import ops_documents as docs

    sim = office_simulator
    pred = lens.compile_query(query)
    expected = sum(
        1 for m in sim.portfolio.matters() for n, _ in enumerate(docs.publications(m)) if pred(lens.record(1, m, n))
    )
    assert search(sim, {"query": query, "size": 0}).json()["total"] == expected
