"""The simulator speaks OPS the way OPS does: the third-party client works unchanged, and the limits,
token expiry and error bodies behave like the real service's."""

from __future__ import annotations

import base64

import pytest
import requests
from epo_ops import Client as EpoOpsClient
from epo_ops import exceptions as epo_exceptions
from epo_ops.middlewares import Throttler
from epo_ops.middlewares.throttle.storages import SQLite
from epo_ops.models import Docdb, Epodoc
from lxml import etree

from patents.simulator.config import OPS_KEY, OPS_SECRET

pytestmark = pytest.mark.simulator

NS = {"ops": "http://ops.epo.org", "reg": "http://www.epo.org/register", "ex": "http://www.epo.org/exchange"}


def token(sim) -> str:
    basic = base64.b64encode(f"{OPS_KEY}:{OPS_SECRET}".encode()).decode()
    r = requests.post(
        sim.ops_auth_url,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def get(sim, path: str, tok: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {tok}", **kwargs.pop("headers", {})}
    return requests.get(f"{sim.ops_url}/{path}", headers=headers, timeout=kwargs.pop("timeout", 5), **kwargs)


def epo_client(sim, tmp_path) -> EpoOpsClient:
    client = EpoOpsClient(
        key=OPS_KEY, secret=OPS_SECRET, middlewares=[Throttler(SQLite(str(tmp_path / "throttle.db")))]
    )
    # The library's only configuration points: its class-level URLs, overridden per instance.
    client.__auth_url__ = sim.ops_auth_url
    client.__service_url_prefix__ = sim.ops_url
    return client


def granted_ep(sim):
    return next(m for m in sim.portfolio.matters("EP") if m.grant_number and m.kind == "ep-direct")


def test_python_epo_ops_client_runs_register_legal_and_published_data_unchanged(simulator_factory, tmp_path):
    # epo_ops sleeps 60/limit seconds before every call; generous limits keep this test quick
    sim = simulator_factory(limits="search=1200,retrieval=2400,inpadoc=1200,other=6000")
    m = granted_ep(sim)
    client = epo_client(sim, tmp_path)
    number = m.grant_number[2:]

    calls = {
        "register biblio+events+steps": lambda: client.register(
            "publication", Epodoc(m.grant_number), ["biblio", "events", "procedural-steps"]
        ),
        "register by application": lambda: client.register("application", Epodoc(f"EP{m.ep_application_digits}")),
        "legal": lambda: client.legal("publication", Docdb(number, "EP", "B1")),
        "published-data biblio": lambda: client.published_data("publication", Docdb(number, "EP", "B1")),
        "published-data epodoc": lambda: client.published_data("publication", Epodoc(m.publication_number)),
        "family with biblio": lambda: client.family("publication", Docdb(number, "EP", "B1"), None, ["biblio"]),
        "number-service": lambda: client.number("application", Docdb(m.ep_application_digits, "EP", "A"), "epodoc"),
        "register search": lambda: client.register_search(f"pa={m.applicant.split()[0]}", 1, 5),
        "published-data search": lambda: client.published_data_search(f"pa={m.applicant.split()[0]}", 1, 5),
    }
    for name, call in calls.items():
        response = call()
        assert response.status_code == 200, name
        root = etree.fromstring(response.content)
        assert root.tag == "{http://ops.epo.org}world-patent-data", name

    biblio = client.register("publication", Epodoc(m.grant_number), ["biblio"]).content
    root = etree.fromstring(biblio)
    assert (
        root.xpath("string(//reg:application-reference/reg:document-id/reg:doc-number)", namespaces=NS)
        == m.ep_application_digits
    )
    assert root.xpath("//reg:ep-patent-status/@status-code", namespaces=NS)[0] in {"7", "8"}


def test_register_post_with_several_numbers_returns_each_document(office_simulator):
    sim = office_simulator
    tok = token(sim)
    published = [m for m in sim.portfolio.matters("EP")[:40] if m.publication_number.startswith("EP")][:3]
    body = "\n".join(m.publication_number for m in published)
    r = requests.post(
        f"{sim.ops_url}/register/publication/epodoc/biblio",
        data=body,
        headers={"Authorization": f"Bearer {tok}", "Content-Type": "text/plain"},
        timeout=5,
    )
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.xpath("string(//ops:register-search/@total-result-count)", namespaces=NS) == "3"
    assert len(root.xpath("//reg:register-document", namespaces=NS)) == 3


def test_unknown_number_is_404_with_entity_not_found_fault(office_simulator):
    r = get(office_simulator, "register/publication/epodoc/EP9999999/biblio", token(office_simulator))
    assert r.status_code == 404
    root = etree.fromstring(r.content)
    assert root.tag == "{http://ops.epo.org}fault"
    assert root.findtext("{http://ops.epo.org}code") == "SERVER.EntityNotFound"
    assert r.headers["X-Throttling-Control"].startswith("idle (")
    assert int(r.headers["X-IndividualQuotaPerHour-Used"]) >= len(r.content)


def test_traffic_light_turns_yellow_red_then_black_with_403_and_retry_after(simulator_factory):
    sim = simulator_factory(limits="retrieval=8")
    tok = token(sim)
    m = granted_ep(sim)
    colours = []
    for _ in range(8):
        r = get(sim, f"published-data/publication/epodoc/{m.grant_number}/biblio", tok)
        assert r.status_code == 200
        colours.append(r.headers["X-Throttling-Control"].split("retrieval=")[1].split(":")[0])
    assert colours == ["green"] * 4 + ["yellow"] * 2 + ["red"] * 2

    rejected = get(sim, f"published-data/publication/epodoc/{m.grant_number}/biblio", tok)
    assert rejected.status_code == 403
    assert rejected.headers["X-Rejection-Reason"] == "ThrottlingControlQuota"
    assert "retrieval=black:0" in rejected.headers["X-Throttling-Control"]
    assert 1000 <= int(rejected.headers["Retry-After"]) <= 60_001  # milliseconds, as OPS and epo_ops use
    # other services are unaffected by the retrieval quota
    assert get(sim, f"register/publication/epodoc/{m.grant_number}", tok).status_code == 200
    assert sim.stats()["counters"]["ops.rejected.ThrottlingControlQuota"] == 1


def test_busy_system_state_halves_the_advertised_limits(simulator_factory):
    sim = simulator_factory()
    tok = token(sim)
    m = granted_ep(sim)
    idle = get(sim, f"register/publication/epodoc/{m.grant_number}", tok).headers["X-Throttling-Control"]
    sim.reconfigure(ops_system_state="busy")
    busy = get(sim, f"register/publication/epodoc/{m.grant_number}", tok).headers["X-Throttling-Control"]
    assert idle.startswith("idle (images=green:200, inpadoc=green:60, other=green:1000, retrieval=green:200")
    assert busy.startswith("busy (") and "retrieval=green:100" in busy and "search=green:15" in busy


def test_expired_token_is_400_invalid_access_token_not_401(simulator_factory):
    sim = simulator_factory(token_lifetime=1)
    tok = token(sim)
    m = granted_ep(sim)
    assert get(sim, f"register/publication/epodoc/{m.grant_number}", tok).status_code == 200
    sim.simulator.ops.tokens[tok].expires_at = 0  # let a second pass without sleeping
    r = get(sim, f"register/publication/epodoc/{m.grant_number}", tok)
    assert r.status_code == 400
    assert etree.fromstring(r.content).findtext("message") == "invalid_access_token"
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_python_epo_ops_client_renews_its_token_after_the_400(office_simulator, tmp_path):
    sim = office_simulator
    client = epo_client(sim, tmp_path)
    m = granted_ep(sim)
    assert client.register("publication", Epodoc(m.grant_number)).status_code == 200
    sim.simulator.ops.tokens.clear()  # the server forgets every token, as after an expiry
    assert client.register("publication", Epodoc(m.grant_number)).status_code == 200
    assert sim.stats()["counters"]["ops.auth.issued"] == 2


def test_token_endpoint_rejects_bad_credentials_with_401_basic(office_simulator):
    basic = base64.b64encode(b"someone:wrong").decode()
    r = requests.post(
        office_simulator.ops_auth_url,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=5,
    )
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Basic"
    assert etree.fromstring(r.content).findtext("message") == "ClientId is Invalid"


def test_token_response_has_the_apigee_shape(office_simulator):
    basic = base64.b64encode(f"{OPS_KEY}:{OPS_SECRET}".encode()).decode()
    body = requests.post(
        office_simulator.ops_auth_url,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=5,
    ).json()
    assert body["token_type"] == "BearerToken"
    assert body["expires_in"] == "1199"  # a string, as OPS sends it
    assert body["status"] == "approved"


def test_fair_use_hourly_quota_rejects_with_individual_quota_per_hour(simulator_factory, tmp_path):
    sim = simulator_factory(limits="ops_hourly_bytes=60000")
    tok = token(sim)
    m = granted_ep(sim)
    used = []
    for _ in range(50):
        r = get(sim, f"register/publication/epodoc/{m.grant_number}/biblio,events", tok)
        if r.status_code == 403:
            break
        used.append(int(r.headers["X-IndividualQuotaPerHour-Used"]))
        assert int(r.headers["X-RegisteredQuotaPerWeek-Used"]) >= used[-1]
    assert r.status_code == 403
    assert r.headers["X-Rejection-Reason"] == "IndividualQuotaPerHour"
    assert "Fair Use" in etree.fromstring(r.content).findtext("message")
    assert used == sorted(used) and used[-1] >= 60000 - len(r.content) - used[0]

    client = epo_client(sim, tmp_path)
    with pytest.raises(epo_exceptions.IndividualQuotaPerHourExceeded):
        client.register("publication", Epodoc(m.grant_number))


def test_json_accept_returns_badgerfish(office_simulator):
    sim = office_simulator
    m = granted_ep(sim)
    r = get(
        sim,
        f"register/publication/epodoc/{m.grant_number}/biblio",
        token(sim),
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 200
    doc = r.json()["ops:world-patent-data"]["ops:register-search"]
    assert doc["@total-result-count"] == "1"
    register_doc = doc["reg:register-documents"]["reg:register-document"]
    assert isinstance(register_doc, dict)  # a single child is an object, not a one-element array
    titles = register_doc["reg:bibliographic-data"]["reg:invention-title"]
    assert isinstance(titles, list) and {t["@lang"] for t in titles} == {"de", "en", "fr"}


def test_every_generated_ops_document_is_read_by_our_parsers(office_simulator):
    from patents.offices.ep import parser as parsers

    sim = office_simulator
    tok = token(sim)
    checked = 0
    for m in sim.portfolio.matters("EP")[:30]:
        r = get(
            sim,
            f"register/application/epodoc/EP{m.ep_application_digits}/biblio,events,procedural-steps",
            tok,
        )
        if r.status_code == 404:
            assert not (m.publication_number or m.wo_publication_number)  # unpublished: not in the Register
            continue
        doc = parsers.parse_register(r.content)[0]
        assert doc.biblio.application_number_normalized == f"EP{m.ep_application_digits}"
        assert doc.events and doc.statuses
        pub = m.grant_number or m.publication_number or m.wo_publication_number
        legal = get(sim, f"legal/publication/epodoc/{pub}", tok)
        assert legal.status_code == 200
        codes = {e.code.strip() for e in parsers.parse_inpadoc_legal(legal.content)}
        assert codes
        biblio = get(sim, f"published-data/publication/epodoc/{pub}/biblio", tok)
        assert parsers.parse_published_biblio(biblio.content)
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    "query",
    [
        "pa=kestrel",
        "pa=kestrel not ti=battery",
        "ti=sensor or pd>=2025",
        "(pa=aoba or pa=kestrel) and pd<2026",
        "in=tanaka and ap=EP25100000",
    ],
)
def test_register_search_finds_exactly_what_a_full_scan_finds(office_simulator, query):
    # searches rule most matters out on a cheap header first; that shortcut must never lose a hit
    from patents.simulator import ops_documents as docs
    from patents.simulator.ops import compile_cql

    sim = office_simulator
    pred = compile_cql(query)
    expected = [m for m in sim.portfolio.matters("EP") if docs.is_in_register(m) and pred(m)]
    r = get(sim, "register/search", token(sim), params={"q": query, "Range": "1-100"})
    if not expected:
        assert r.status_code == 404
        return
    root = etree.fromstring(r.content)
    assert int(root.xpath("string(//ops:register-search/@total-result-count)", namespaces=NS)) == len(expected)


def test_auto_system_state_follows_load(simulator_factory):
    sim = simulator_factory(limits="retrieval=10", ops_system_state="auto")
    tok = token(sim)
    m = granted_ep(sim)
    states = []
    for _ in range(6):
        r = get(sim, f"published-data/publication/epodoc/{m.grant_number}/biblio", tok)
        states.append(r.headers["X-Throttling-Control"].split(" ")[0])
    assert states[0] == "idle" and "busy" in states


def test_published_data_by_application_answers_with_every_publication(office_simulator):
    sim = office_simulator
    m = granted_ep(sim)
    r = get(sim, f"published-data/application/epodoc/{m.epodoc_application}/biblio", token(sim))
    assert r.status_code == 200
    kinds = etree.fromstring(r.content).xpath("//ex:exchange-document/@kind", namespaces=NS)
    assert kinds == ["A1", "B1"]


def test_advance_endpoint_makes_a_new_communication_appear_in_the_register(office_simulator):
    sim = office_simulator
    m = next(x for x in sim.portfolio.matters("EP") if x.stage == "exam_replied")
    tok = token(sim)
    path = f"register/application/epodoc/EP{m.ep_application_digits}/procedural-steps"
    before = etree.fromstring(get(sim, path, tok).content).xpath("//reg:procedural-step-code/text()", namespaces=NS)
    r = requests.post(f"{sim.base_url}/_sim/advance", json={"indexes": [m.index]}, timeout=5)
    assert r.json()["advanced"][0]["new_events"] == ["exam_report"]
    steps = etree.fromstring(get(sim, path, tok).content).xpath("//reg:procedural-step", namespaces=NS)
    exre = [s for s in steps if s.findtext("reg:procedural-step-code", namespaces=NS) == "EXRE"]
    assert len(exre) == before.count("EXRE") + 1
    newest = exre[-1]
    assert newest.xpath("string(reg:procedural-step-date/reg:date)", namespaces=NS) == sim.portfolio.today.strftime(
        "%Y%m%d"
    )
    assert newest.findtext("reg:time-limit", namespaces=NS) == "04"
