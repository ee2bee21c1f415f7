"""Injected faults are deterministic per seed, counted, and look to a client like the real failures."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from tests.simulator.test_ops import get, granted_ep, token

pytestmark = pytest.mark.simulator


def run_sequence(sim, paths: list[str]) -> list[int | str]:
    tok = token(sim)
    outcome: list[int | str] = []
    for path in paths:
        try:
            r = get(sim, path, tok, timeout=2)
            r.content  # noqa: B018 - read the whole body so truncation shows
            outcome.append(r.status_code)
        except requests.RequestException as exc:
            outcome.append(type(exc).__name__)
        if outcome[-1] == 400:  # an injected expiry revoked the token, as a real one would be gone
            tok = token(sim)
    return outcome


def paths_for(sim) -> list[str]:
    pubs = [m.publication_number for m in sim.portfolio.matters("EP")[:30] if m.publication_number][:6]
    return [f"published-data/publication/epodoc/{p}/biblio" for p in pubs] * 5


MIX = "server_error,overloaded,expired_token,throttle,quota,truncated"


def test_same_seed_same_faults_different_seed_different_faults(simulator_factory):
    a = simulator_factory(seed=7, faults=0.4, fault_mix=MIX)
    b = simulator_factory(seed=7, faults=0.4, fault_mix=MIX)
    c = simulator_factory(seed=8, faults=0.4, fault_mix=MIX)
    paths = paths_for(a)
    first, second, other = run_sequence(a, paths), run_sequence(b, paths), run_sequence(c, paths)
    assert first == second
    assert first != other
    assert a.stats()["faults"] == b.stats()["faults"]
    injected = sum(a.stats()["faults"]["ops"].values())
    assert 5 <= injected <= 20  # about 40 % of 30 requests
    assert sum(1 for o in first if o != 200) == injected


def test_zero_rate_injects_nothing(office_simulator):
    outcome = run_sequence(office_simulator, paths_for(office_simulator))
    assert set(outcome) == {200}
    assert office_simulator.stats()["faults_total"] == 0


def test_each_fault_kind_looks_like_the_real_failure(simulator_factory):
    expectations = {
        "server_error": 500,
        "overloaded": 503,
        "expired_token": 400,
        "throttle": 403,
        "quota": 403,
    }
    for kind, status in expectations.items():
        sim = simulator_factory(faults=1.0, fault_mix=kind)
        m = granted_ep(sim)
        r = get(sim, f"register/publication/epodoc/{m.grant_number}", token(sim))
        assert r.status_code == status, kind
        etree.fromstring(r.content)  # every OPS error body is XML
        if kind == "throttle":
            assert r.headers["X-Rejection-Reason"] == "ThrottlingControlQuota" and "Retry-After" in r.headers
        if kind == "quota":
            assert r.headers["X-Rejection-Reason"] == "IndividualQuotaPerHour"
        if kind == "overloaded":
            assert r.headers["X-Throttling-Control"].startswith("overloaded (")
        assert sim.stats()["faults"]["ops"] == {kind: 1}


def test_truncated_body_breaks_the_read(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_mix="truncated")
    m = granted_ep(sim)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(sim, f"register/publication/epodoc/{m.grant_number}", token(sim))


def test_malformed_body_is_a_200_that_does_not_parse(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_mix="malformed")
    m = granted_ep(sim)
    r = get(sim, f"register/publication/epodoc/{m.grant_number}", token(sim))
    assert r.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(r.content)


def test_slow_answer_exceeds_the_client_timeout(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_mix="slow", slow_seconds=0.6)
    m = granted_ep(sim)
    tok = token(sim)
    with pytest.raises(requests.exceptions.ReadTimeout):
        get(sim, f"register/publication/epodoc/{m.grant_number}", tok, timeout=0.2)


def test_stats_endpoint_reports_faults_and_reset_clears_them(simulator_factory):
    sim = simulator_factory(faults=1.0, fault_mix="server_error")
    m = granted_ep(sim)
    get(sim, f"register/publication/epodoc/{m.grant_number}", token(sim))
    stats = requests.get(f"{sim.base_url}/_sim/stats", timeout=5).json()
    assert stats["faults"]["ops"]["server_error"] == 1
    assert stats["status"]["ops"]["500"] == 1
    assert requests.post(f"{sim.base_url}/_sim/reset", timeout=5).json() == {"reset": True}
    assert requests.get(f"{sim.base_url}/_sim/stats", timeout=5).json()["faults_total"] == 0


def test_config_endpoint_turns_faults_on_for_a_running_server(office_simulator):
    sim = office_simulator
    m = granted_ep(sim)
    tok = token(sim)
    assert get(sim, f"register/publication/epodoc/{m.grant_number}", tok).status_code == 200
    r = requests.post(f"{sim.base_url}/_sim/config", json={"faults": 1.0, "fault_mix": {"server_error": 1}}, timeout=5)
    assert r.status_code == 200
    assert get(sim, f"register/publication/epodoc/{m.grant_number}", tok).status_code == 500
    bad = requests.post(f"{sim.base_url}/_sim/config", json={"fault_mix": {"gremlins": 1}}, timeout=5)
    assert bad.status_code == 400


def test_faults_reach_odp_jpo_and_lens_in_their_own_shapes(simulator_factory):
    from patents.simulator.config import JPO_PASSWORD, JPO_USERNAME, LENS_TOKEN, ODP_API_KEY

    sim = simulator_factory(faults=1.0, fault_mix="throttle")
    us = sim.portfolio.matters("US")[0].application_number.replace("/", "").replace(",", "")
    odp = requests.get(f"{sim.odp_url}/applications/{us}", headers={"X-API-KEY": ODP_API_KEY}, timeout=5)
    assert odp.status_code == 429 and "Retry-After" in odp.headers
    lens = requests.post(
        f"{sim.base_url}/patent/search",
        json={"query": {"match_all": {}}},
        headers={"Authorization": f"Bearer {LENS_TOKEN}"},
        timeout=5,
    )
    assert lens.status_code == 429 and "x-rate-limit-retry-after-seconds" in lens.headers
    token = requests.post(
        f"{sim.base_url}/auth/token",
        timeout=5,
        data={"grant_type": "password", "username": JPO_USERNAME, "password": JPO_PASSWORD},
    ).json()["access_token"]
    jp = sim.portfolio.matters("JP")[0].application_number.replace("-", "")
    jpo = requests.get(
        f"{sim.base_url}/api/patent/v1/app_progress/{jp}", timeout=5, headers={"Authorization": f"Bearer {token}"}
    )
    assert jpo.status_code == 200 and jpo.json()["result"]["statusCode"] == "303"
    assert sim.stats()["faults"] == {"odp": {"throttle": 1}, "lens": {"throttle": 1}, "jpo": {"throttle": 1}}


def test_expired_token_faults_never_hit_offices_without_tokens(simulator_factory):
    from patents.simulator.config import ODP_API_KEY

    sim = simulator_factory(faults=1.0, fault_mix="expired_token")
    us = sim.portfolio.matters("US")[0].application_number.replace("/", "").replace(",", "")
    r = requests.get(f"{sim.odp_url}/applications/{us}", headers={"X-API-KEY": ODP_API_KEY}, timeout=5)
    assert r.status_code == 200
    assert sim.stats()["faults_total"] == 0


def test_unknown_fault_kind_in_a_mapping_is_refused_at_start(simulator_factory):
    # A typo in a test's fault mix must not quietly start a server that never injects that fault.
    with pytest.raises(ValueError, match="gremlins"):
        simulator_factory(faults=1.0, fault_mix={"gremlins": 1})


@pytest.mark.parametrize("body", [{"count": "many"}, {"indexes": ["x"]}, {"indexes": 3}, ["not", "a", "dict"]])
def test_bad_advance_request_is_a_400_not_a_dropped_connection(office_simulator, body):
    sim = office_simulator
    r = requests.post(f"{sim.base_url}/_sim/advance", json=body, timeout=5)
    assert r.status_code == 400
    assert "bad advance request" in r.json()["error"]
