"""Generated documents use the real offices' vocabulary: every element/key the simulator writes also
appears in a recorded response (tests/fixtures/offices), so a parser written against the real samples
reads the simulator's documents and vice versa."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from patents.simulator import ops_documents as docs
from patents.simulator.portfolio import SyntheticPortfolio


def qnames(xml: bytes) -> set[str]:
    root = etree.fromstring(xml)
    return {el.tag for el in root.iter() if isinstance(el.tag, str)}


def badgerfish_register_names(path) -> set[str]:
    names: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k.startswith("reg:"):
                    names.add("{http://www.epo.org/register}" + k[4:])
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(path.read_text()))
    return names


@pytest.fixture(scope="module")
def portfolio():
    return SyntheticPortfolio(seed=3, size=300)


# The one register block the simulator writes without a recorded body to copy it from: an EP divisional's
# related-documents/division (no recording exists, see tests/fixtures/offices/SOURCES.md). Its shape is the
# one other OPS clients read (reg:related-documents/reg:division/reg:relation/reg:parent-doc|child-doc) and
# patents/offices/ep/parser.py::_divisions parses; nothing else may be added here without a recording.
REGISTER_DIVISION = {f"{{http://www.epo.org/register}}{n}"
                     for n in ("related-documents", "division", "relation", "parent-doc", "child-doc")}


def test_register_documents_use_only_real_register_elements(office_samples, portfolio):
    real: set[str] = set(REGISTER_DIVISION)
    for f in (office_samples / "epo").glob("register-*.xml"):
        real |= qnames(f.read_bytes())
    real |= badgerfish_register_names(office_samples / "epo" / "register-biblio-EP13860559-json-badgerfish.json")
    generated: set[str] = set()
    for m in portfolio.matters("EP"):
        if docs.is_in_register(m):
            body = docs.register_search_wrapper(
                "q",
                [docs.register_document(m, ["biblio", "events", "procedural-steps"], portfolio.today)],
                1,
                1,
                1,
            )
            generated |= qnames(body.encode())
    assert generated - real == set()


def test_exchange_documents_use_only_real_elements(office_samples, portfolio):
    real: set[str] = set()
    for name in (
        "published-data-biblio-EP2400812A1.xml",
        "family-EP2400812A1.xml",
        "legal-inpadoc-EP2400812A1-trimmed.xml",
        "legal-inpadoc-US10465445B2.xml",
    ):
        real |= qnames((office_samples / "epo" / name).read_bytes())
    generated: set[str] = set()
    for m in portfolio.matters():
        pubs = docs.publications(m)
        if not pubs:
            continue
        generated |= qnames(docs.published_biblio_document(m, pubs).encode())
        generated |= qnames(docs.family_document(m, pubs[0][:3], []).encode())
        generated |= qnames(docs.legal_document(m, pubs[0][:3]).encode())
    # abstract/p: OPS serves the abstract inside exchange-document (the recorded biblio sample has none)
    assert generated - real <= {"{http://www.epo.org/exchange}abstract", "{http://www.epo.org/exchange}p"}


def json_keys(node) -> set[str]:
    keys: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            keys.add(k)
            keys |= json_keys(v)
    elif isinstance(node, list):
        for v in node:
            keys |= json_keys(v)
    return keys


def test_odp_bodies_use_only_real_production_keys(office_samples, portfolio):
    from patents.simulator import odp

    real: set[str] = set()
    for f in (office_samples / "uspto").glob("odp-*.json"):
        if "beta" not in f.name:
            real |= json_keys(json.loads(f.read_text()))
    generated: set[str] = set()
    for m in portfolio.matters("US"):
        generated |= json_keys(odp.full_wrapper(m)) | json_keys(odp.documents_bag(m))
        generated |= json_keys(odp.parent_continuity(m))
    # no recorded /foreign-priority answer exists; its keys follow the ODP documentation
    assert generated - real <= {"foreignPriorityBag", "ipOfficeName"}


def test_jpo_bodies_use_only_real_keys(office_samples, portfolio):
    from patents.simulator import jpo

    real: set[str] = set()
    for f in (office_samples / "jpo").glob("patent-*.json"):
        real |= json_keys(json.loads(f.read_text()))
    generated: set[str] = set()
    for m in portfolio.matters("JP"):
        generated |= json_keys(jpo.app_progress(m, simple=False)) | json_keys(jpo.case_numbers(m))
        if m.grant_number:
            generated |= json_keys(jpo.registration_info(m, portfolio.today))
    assert generated - real == set()


def test_lens_records_use_only_documented_keys(office_samples, portfolio):
    from patents.simulator import lens

    real = json_keys(
        json.loads((office_samples / "lens" / "patent-search-response-EP2471949-lens-api-docs-sample.json").read_text())
    )
    generated: set[str] = set()
    for m in portfolio.matters():
        for n, _ in enumerate(docs.publications(m)):
            generated |= json_keys(lens.record(3, m, n))
    assert generated - real == set()
