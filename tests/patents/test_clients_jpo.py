"""JPO Patent Information Retrieval API client against recorded JPO answers served by `responses`."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import responses

from patents.clients import AuthError, BadResponse, DailyCapReached, NotFound, TransientError
from patents.clients.throttle import Limit, MemoryStore, Throttle
from patents.offices.jp.client import JpoClient

BASE = "https://jpo.example.test"
TOKEN = f"{BASE}/auth/token"
API = f"{BASE}/api/patent/v1"


@pytest.fixture
def jpo(office_samples):
    return office_samples / "jpo"


@pytest.fixture
def throttle():
    return Throttle(
        MemoryStore(),
        {
            ("jpo", "*"): Limit(per_minute=600, burst=50),
            ("jpo", "app_progress"): Limit(daily_cap=800),
            ("jpo", "registration_info"): Limit(daily_cap=400),
        },
    )


@pytest.fixture
def client(throttle):
    return JpoClient(username="jpo-id", password="jpo-password", base_url=BASE, throttle=throttle)


def token(access: str = "access-1", *, expires_in: int = 3600, refresh: str = "refresh-1") -> dict:
    return {
        "access_token": access,
        "expires_in": expires_in,
        "refresh_expires_in": 28800,
        "refresh_token": refresh,
        "token_type": "Bearer",
    }


def grants(calls) -> list[str]:
    return [parse_qs(c.request.body)["grant_type"][0] for c in calls if c.request.url == TOKEN]


def status(code: str, remain: str = "100") -> bytes:
    return json.dumps(
        {"result": {"statusCode": code, "errorMessage": "", "remainAccessCount": remain, "data": {}}}
    ).encode()


@responses.activate
def test_password_grant_then_bearer_and_the_raw_answer(client, jpo):
    raw = (jpo / "patent-app_progress-2020123456.json").read_bytes()
    responses.post(TOKEN, json=token())
    responses.get(f"{API}/app_progress/2020123456", body=raw)
    response = client.app_progress("特願2020-123456")
    assert response.body == raw
    form = parse_qs(responses.calls[0].request.body)
    assert form == {"grant_type": ["password"], "username": ["jpo-id"], "password": ["jpo-password"]}
    assert responses.calls[1].request.headers["Authorization"] == "Bearer access-1"
    assert "jpo-password" not in repr(client) and "access-1" not in response.request_key


@responses.activate
def test_an_access_token_near_expiry_is_renewed_with_the_refresh_token(client):
    responses.post(TOKEN, json=token(expires_in=30))
    responses.post(TOKEN, json=token("access-2"))
    responses.get(f"{API}/registration_info/2020123456", body=status("100"))
    client.registration_info("2020123456")
    client.registration_info("2020123456")
    assert grants(responses.calls) == ["password", "refresh_token"]
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer access-2"


@responses.activate
def test_a_refused_refresh_token_means_a_new_login(client):
    responses.post(TOKEN, json=token(expires_in=30))
    responses.post(TOKEN, status=400, json={"error": "invalid_grant"})
    responses.post(TOKEN, json=token("access-3"))
    responses.get(f"{API}/registration_info/2020123456", body=status("100"))
    client.registration_info("2020123456")
    client.registration_info("2020123456")
    assert grants(responses.calls) == ["password", "refresh_token", "password"]


@responses.activate
def test_status_107_is_no_data_not_a_failure(client, jpo):
    responses.post(TOKEN, json=token())
    responses.get(
        f"{API}/app_progress/9999999999",
        body=(jpo / "patent-app_progress-9999999999-status107-no-data.json").read_bytes(),
    )
    with pytest.raises(NotFound, match="107") as info:
        client.app_progress("9999999999")
    assert not info.value.retryable and info.value.response.status == 200


@responses.activate
def test_status_210_renews_the_token_once(client):
    responses.post(TOKEN, json=token("old"))
    responses.post(TOKEN, json=token("new"))
    responses.get(f"{API}/registration_info/2020123456", body=status("210"))
    responses.get(f"{API}/registration_info/2020123456", body=status("100"))
    assert client.registration_info("2020123456").status == 200
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer new"


@responses.activate
def test_status_210_twice_is_an_auth_error(client):
    responses.post(TOKEN, json=token())
    responses.get(f"{API}/registration_info/2020123456", body=status("210"))
    with pytest.raises(AuthError):
        client.registration_info("2020123456")
    assert len([c for c in responses.calls if "/api/" in c.request.url]) == 2


@responses.activate
def test_status_203_is_the_daily_cap_until_midnight_in_tokyo_and_stops_further_calls(client):
    responses.post(TOKEN, json=token())
    responses.get(f"{API}/registration_info/2020123456", body=status("203", remain="0"))
    with pytest.raises(DailyCapReached) as info:
        client.registration_info("2020123456")
    reset = info.value.retry_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (reset.hour, reset.minute) == (0, 0) and reset > dt.datetime.now(dt.UTC)
    with pytest.raises(DailyCapReached, match="resets at midnight"):
        client.registration_info("2020123456")
    assert len([c for c in responses.calls if "/api/" in c.request.url]) == 1
    responses.get(f"{API}/app_progress/2020123456", body=status("100"))
    assert client.app_progress("2020123456").status == 200  # caps are per endpoint


@responses.activate
def test_remain_access_count_corrects_our_count_and_we_stop_at_the_cap(client):
    responses.post(TOKEN, json=token())
    responses.get(f"{API}/registration_info/2020123456", body=status("100", remain="1"))
    responses.get(f"{API}/registration_info/2020123456", body=status("100", remain="0"))
    client.registration_info("2020123456")  # the office says one call is left today (others used the ID)
    client.registration_info("2020123456")
    with pytest.raises(DailyCapReached):
        client.registration_info("2020123456")
    assert len([c for c in responses.calls if "/api/" in c.request.url]) == 2


@responses.activate
def test_status_303_backs_off_before_asking_again(client):
    responses.post(TOKEN, json=token())
    responses.get(f"{API}/registration_info/2020123456", body=status("303"))
    with pytest.raises(TransientError) as info:
        client.registration_info("2020123456")
    assert info.value.retryable and 4 < info.value.retry_after <= 5
    with pytest.raises(TransientError, match="before sending"):
        client.registration_info("2020123456")
    assert len([c for c in responses.calls if "/api/" in c.request.url]) == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [("999", TransientError), ("302", TransientError), ("204", BadResponse), ("212", AuthError), ("555", BadResponse)],
)
@responses.activate
def test_other_status_codes_are_typed(client, code, error):
    responses.post(TOKEN, json=token())
    responses.get(f"{API}/registration_info/2020123456", body=status(code))
    with pytest.raises(error) as info:
        client.registration_info("2020123456")
    assert info.value.code == code


@responses.activate
def test_an_answer_without_a_status_code_is_a_bad_response(client):
    responses.post(TOKEN, json=token())
    responses.get(f"{API}/registration_info/2020123456", body=b"<html>maintenance</html>")
    with pytest.raises(BadResponse):
        client.registration_info("2020123456")


@responses.activate
def test_every_endpoint_path(client, jpo):
    responses.post(TOKEN, json=token())
    for name in ("app_progress_simple", "priority_right_app_info", "divisional_app_info"):
        responses.get(f"{API}/{name}/2020123456", body=(jpo / f"patent-{name}-2020123456.json").read_bytes())
    responses.get(
        f"{API}/case_number_reference/application/2020123456",
        body=(jpo / "patent-case_number_reference-application-2020123456.json").read_bytes(),
    )
    client.app_progress_simple("2020-123456")
    client.priority_right_app_info("2020123456")
    client.divisional_app_info("2020123456")
    data = client.case_number_reference("application", "2020-123456").json()["result"]["data"]
    assert data["registrationNumber"] == "7533889"
