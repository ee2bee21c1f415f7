"""The simulator writes the shapes the real answers have (tests/fixtures/offices), so the demo, the
integration tests and the benchmarks exercise what the offices really send."""

from __future__ import annotations

import pytest
from lxml import etree

from patents.offices.ep import parser as epo_ops
from patents.simulator import ops_documents as docs
from patents.simulator.portfolio import SyntheticPortfolio

EXCH = "{http://www.epo.org/exchange}"


@pytest.fixture(scope="module")
def portfolio():
    return SyntheticPortfolio(seed=3, size=300)


def _application_ids(xml: str) -> dict[str, tuple[str, str]]:
    root = etree.fromstring(xml.encode())
    ref = next(root.iter(f"{EXCH}application-reference"))
    return {d.get("document-id-type"): (d.findtext(f"{EXCH}country") or "", d.findtext(f"{EXCH}doc-number"))
            for d in ref.iter(f"{EXCH}document-id")}


def test_wo_documents_write_the_pct_number_in_the_three_recorded_forms_and_read_back_as_one(
        office_samples, portfolio):
    real = _application_ids((office_samples / "epo" / "published-data-biblio-WO2009085664A2.xml").read_text())
    assert real == {"docdb": ("US", "2008086599"), "epodoc": ("", "WO2008US86599"), "original": ("", "US2008/086599")}
    wo = [m for m in portfolio.matters("WO") if docs.publications(m)]
    assert wo
    for m in wo:
        body = docs.published_biblio_document(m, docs.publications(m))
        ids = _application_ids(body)
        ro, year, serial = m.pct_application_number[4:6], m.pct_application_number[6:10], m.pct_application_number[11:]
        assert ids["docdb"] == (ro, f"{year}{serial}")  # the receiving office, not "WO", as OPS writes it
        assert ids["epodoc"] == ("", f"WO{year}{ro}{int(serial)}")  # serial without leading zeros
        assert ids["original"] == ("", f"{ro}{year}/{serial}")
        (biblio,) = {b.application_number_normalized for b in epo_ops.parse_published_biblio(body)}
        assert biblio == m.pct_application_number
