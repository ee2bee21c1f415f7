"""Lens.org patent search parser against the vendor sample in tests/fixtures/offices/lens."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from patents.offices.lens import parser as lens
from patents.parsers import ParseError

D = dt.date


@pytest.fixture
def sample(office_samples) -> bytes:
    return (
        office_samples / "lens" / "patent-search-response-EP2471949-lens-api-docs-sample.json"
    ).read_bytes()


def test_search_page_record(sample):
    page = lens.parse_lens_search(sample)
    assert (page.total, page.lens_ids, page.scroll_id) == (1, ("031-156-664-516-153",), None)
    r = page.records[0]
    assert (r.jurisdiction, r.doc_number, r.kind, r.date_published) == ("EP", "2471949", "A1", D(2012, 7, 4))
    assert (r.simple_family_id, r.extended_family_id) == ("212482337", "212231137")
    assert "US20120172239A1" in [m.text for m in r.family_members]
    assert (r.legal_status.patent_status, r.legal_status.granted, r.legal_status.grant_date) == (
        "ACTIVE",
        True,
        D(2013, 12, 25),
    )
    assert r.legal_status.anticipated_term_date == D(2030, 12, 31)


def test_record_as_biblio(sample):
    b = lens.parse_lens_search(sample).records[0].biblio
    assert (b.office, b.application_number, b.application_number_normalized, b.filing_date) == (
        "EP",
        "10197481",
        "EP10197481",
        D(2010, 12, 31),
    )
    assert (b.publication_number, b.publication_date) == ("EP2471949", D(2012, 7, 4))
    assert (b.grant_number, b.grant_date, b.expiry_date, b.status_text) == (
        "EP2471949",
        D(2013, 12, 25),
        D(2030, 12, 31),
        "ACTIVE",
    )
    assert [(p.country, p.number, p.date) for p in b.priority_claims] == [("EP", "10197481", D(2010, 12, 31))]
    assert [(a.name, a.country) for a in b.applicants] == [("PROGENIKA BIOPHARMA SA", "ES")]
    assert len(b.inventors) == 5 and b.representatives[0].name == "Casley, Christopher Stuart"
    assert b.extra["application_number_with_check_digit"] == "10197481.4"


def test_scroll_page_keeps_latest_scroll_id():
    body = json.dumps({"total": 20000, "data": [], "results": 0, "scroll_id": "abc=="})
    page = lens.parse_lens_search(body)
    assert (page.total, page.records, page.scroll_id) == (20000, (), "abc==")


def test_response_without_data_is_rejected():
    with pytest.raises(ParseError, match="without data"):
        lens.parse_lens_search(b'{"total": 3}')
