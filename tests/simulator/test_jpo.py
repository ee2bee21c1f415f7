"""The simulator speaks the JPO API: token grants, the statusCode envelope (always HTTP 200), 10 requests a
minute, per-endpoint daily caps that reset at midnight in Tokyo."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import requests

from patents.simulator.config import JPO_PASSWORD, JPO_USERNAME

pytestmark = pytest.mark.simulator


def login(sim) -> dict:
    r = requests.post(
        f"{sim.base_url}/auth/token",
        timeout=5,
        data={"grant_type": "password", "username": JPO_USERNAME, "password": JPO_PASSWORD},
    )
    assert r.status_code == 200
    return r.json()


def call(sim, token: str, endpoint: str, number: str) -> dict:
    r = requests.get(
        f"{sim.base_url}/api/patent/v1/{endpoint}/{number}",
        timeout=5,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200  # JPO reports everything in the envelope
    return r.json()["result"]


def jp_number(m) -> str:
    return m.application_number.replace("-", "")


def test_token_grants_password_then_refresh(office_simulator):
    sim = office_simulator
    first = login(sim)
    assert first["expires_in"] == 3600 and first["refresh_expires_in"] == 28800
    refreshed = requests.post(
        f"{sim.base_url}/auth/token",
        timeout=5,
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    ).json()
    assert refreshed["access_token"] != first["access_token"]
    # a refresh token is used once
    again = requests.post(
        f"{sim.base_url}/auth/token",
        timeout=5,
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    bad = requests.post(
        f"{sim.base_url}/auth/token",
        timeout=5,
        data={"grant_type": "password", "username": JPO_USERNAME, "password": "wrong"},
    )
    assert bad.status_code == 401


def test_status_100_with_progress_and_107_for_unknown_numbers(office_simulator):
    sim = office_simulator
    token = login(sim)["access_token"]
    m = next(x for x in sim.portfolio.matters("JP") if x.stage == "oa")
    ok = call(sim, token, "app_progress", jp_number(m))
    assert ok["statusCode"] == "100" and ok["remainAccessCount"] == "399"
    codes = [d["documentCode"] for d in ok["data"]["bibliographyInformation"][0]["documentList"]]
    assert "A131" in codes  # the notice of reasons for refusal the paralegal must answer
    none = call(sim, token, "app_progress", "2099999999")
    assert none["statusCode"] == "107" and none["data"] == {}
    assert none["remainAccessCount"] == "398"  # no-data answers count against the cap too


def test_expired_access_token_is_status_210(simulator_factory):
    sim = simulator_factory(limits="jpo_access_lifetime=1")
    token = login(sim)["access_token"]
    m = sim.portfolio.matters("JP")[0]
    assert call(sim, token, "app_progress_simple", jp_number(m))["statusCode"] == "100"
    user, _ = sim.simulator.jpo.access[token]
    sim.simulator.jpo.access[token] = (user, 0.0)
    assert call(sim, token, "app_progress_simple", jp_number(m))["statusCode"] == "210"


def test_daily_cap_per_endpoint_gives_203_and_resets_at_midnight_tokyo(simulator_factory):
    sim = simulator_factory(limits="jpo.registration_info=3,jpo_per_minute=100")
    jpo = sim.simulator.jpo
    jpo.clock = lambda: datetime(2026, 3, 1, 14, 59, tzinfo=UTC)  # 23:59 in Tokyo
    token = login(sim)["access_token"]
    m = next(x for x in sim.portfolio.matters("JP") if x.grant_number)
    remaining = [call(sim, token, "registration_info", jp_number(m))["remainAccessCount"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    capped = call(sim, token, "registration_info", jp_number(m))
    assert capped["statusCode"] == "203" and capped["remainAccessCount"] == "0"
    # other endpoints have their own cap
    assert call(sim, token, "app_progress", jp_number(m))["statusCode"] == "100"
    jpo.clock = lambda: datetime(2026, 3, 1, 15, 0, tzinfo=UTC)  # 00:00 the next day in Tokyo
    fresh = call(sim, token, "registration_info", jp_number(m))
    assert fresh["statusCode"] == "100" and fresh["remainAccessCount"] == "2"


def test_more_than_ten_a_minute_is_303(simulator_factory):
    sim = simulator_factory()
    token = login(sim)["access_token"]
    m = sim.portfolio.matters("JP")[0]
    codes = [call(sim, token, "app_progress_simple", jp_number(m))["statusCode"] for _ in range(11)]
    assert codes == ["100"] * 10 + ["303"]


def test_concurrent_requests_get_303(simulator_factory):
    sim = simulator_factory(jpo_processing_seconds=0.4)
    token = login(sim)["access_token"]
    m = sim.portfolio.matters("JP")[0]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        results.append(call(sim, token, "app_progress_simple", jp_number(m))["statusCode"])

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["100", "303"]


def test_generated_jpo_bodies_are_read_by_our_parsers(simulator_factory):
    from patents.offices.jp import parser as parsers

    sim = simulator_factory(limits="jpo_per_minute=1000")
    token = login(sim)["access_token"]

    def raw(endpoint: str, number: str) -> bytes:
        return requests.get(
            f"{sim.base_url}/api/patent/v1/{endpoint}/{number}",
            timeout=5,
            headers={"Authorization": f"Bearer {token}"},
        ).content

    for m in sim.portfolio.matters("JP")[:15]:
        n = jp_number(m)
        progress = parsers.parse_app_progress(raw("app_progress", n))
        assert progress.status.is_ok
        assert progress.data.biblio.filing_date == m.filing_date
        reg = parsers.parse_registration_info(raw("registration_info", n))
        if m.grant_number:
            assert reg.data.registration_number == m.grant_number
            assert reg.data.next_payment_date is not None and reg.data.last_paid_year >= 3
        else:
            assert reg.status.is_no_data
        parsers.parse_priority_info(raw("priority_right_app_info", n))
        parsers.parse_divisional_info(raw("divisional_app_info", n))
        refs = parsers.parse_case_number_reference(raw("case_number_reference/application", n))
        assert refs.status.is_ok
