"""JPO Patent Information Retrieval API parsers against tests/fixtures/offices/jpo."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from patents.offices.jp import parser as jpo
from patents.parsers import ParseError
from patents.parsers.types import EventSource

D = dt.date


@pytest.fixture
def jp(office_samples):
    def read(name: str) -> bytes:
        return (office_samples / "jpo" / name).read_bytes()

    return read


def test_app_progress_biblio(jp):
    res = jpo.parse_app_progress(jp("patent-app_progress-2020123456.json"))
    assert res.status.is_ok and res.status.remain_access_count == 787
    b = res.data.biblio
    assert (b.office, b.application_number, b.application_number_normalized, b.filing_date) == (
        "JP",
        "2020123456",
        "2020123456",
        D(2020, 7, 20),
    )
    assert (b.publication_number, b.publication_date) == ("2021090037", D(2021, 6, 10))
    assert b.extra["publicationNumber"] == "503090037"
    assert (b.grant_number, b.grant_date, b.expiry_date) == ("7533889", D(2024, 8, 5), D(2040, 7, 20))
    assert b.title == "立体配線構造体の製造方法"
    assert [(a.name, a.office_id) for a in b.applicants] == [("メイショウ株式会社", "000114400")]
    assert [r.office_id for r in b.representatives] == ["100076598", "100165607", "100196690"]
    assert [(p.country, p.number, p.date, p.kind) for p in b.priority_claims] == [
        ("JP", "2019210418", D(2019, 11, 21), "domestic")
    ]


def test_app_progress_documents_become_events(jp):
    events = jpo.parse_app_progress(jp("patent-app_progress-2020123456.json")).data.events
    assert len(events) == 15 and {e.source for e in events} == {EventSource.JPO_PROGRESS}
    codes = [(e.code, e.date) for e in events if e.params["number_type"] == "01"]
    assert codes[5:] == [
        ("A621", D(2023, 4, 19)),
        ("A971007", D(2024, 1, 17)),
        ("A131", D(2024, 2, 27)),
        ("A53", D(2024, 4, 24)),
        ("A523", D(2024, 4, 24)),
        ("A01", D(2024, 7, 9)),
        ("A61", D(2024, 7, 24)),
    ]
    refusal = next(e for e in events if e.code == "A131")
    assert (refusal.text, refusal.params["document_number"], refusal.params["available"]) == (
        "拒絶理由通知書",
        "06124084096",
        True,
    )
    # The five filing documents share code, date and document number; the separator tells them apart.
    filing = [e.discriminator for e in events if e.code == "A63"]
    assert filing == [
        "01:52001475960:Y",
        "01:52001475960:S",
        "01:52001475960:L",
        "01:52001475960:M",
        "01:52001475960:Z",
    ]
    # The grant decision is listed under the application and the registration number: both kept.
    assert [e.params["number_type"] for e in events if e.code == "A01"] == ["01", "06"]
    assert ("R150", D(2024, 8, 20)) in [(e.code, e.date) for e in events]
    assert len({e.key for e in events}) == 15


def test_app_progress_simple_has_same_documents_without_priority(jp):
    full = jpo.parse_app_progress(jp("patent-app_progress-2020123456.json")).data
    simple = jpo.parse_app_progress(jp("patent-app_progress_simple-2020123456.json"))
    assert simple.status.remain_access_count == 793
    assert [e.key for e in simple.data.events] == [e.key for e in full.events]
    assert simple.data.biblio.priority_claims == ()


def test_status_107_no_data_is_not_an_error(jp):
    res = jpo.parse_app_progress(jp("patent-app_progress-9999999999-status107-no-data.json"))
    assert res.data is None
    assert (res.status.code, res.status.is_no_data, res.status.message) == (
        "107",
        True,
        "該当するデータがありません。",
    )
    assert res.status.remain_access_count == 786


@pytest.mark.parametrize(
    "code, flag",
    [("203", "is_daily_limit"), ("210", "is_invalid_token"), ("303", "is_busy"), ("999", None)],
)
def test_error_statuses_are_typed_for_the_client(code, flag):
    body = {"result": {"statusCode": code, "errorMessage": "", "remainAccessCount": "0", "data": {}}}
    res = jpo.parse_app_progress(json.dumps(body).encode())
    assert res.data is None and res.status.code == code and not res.status.is_ok
    flags = {
        f for f in ("is_daily_limit", "is_invalid_token", "is_busy", "is_no_data") if getattr(res.status, f)
    }
    assert flags == ({flag} if flag else set())
    assert res.status.message == jpo.STATUS_MESSAGES[code]


def test_status_100_without_data_is_a_schema_error():
    with pytest.raises(ParseError, match="without data"):
        jpo.parse_app_progress(b'{"result": {"statusCode": "100", "data": {}}}')


@pytest.mark.parametrize("where", ["block", "document"])
def test_an_unreadable_progress_entry_is_a_schema_error_not_a_lost_document(jp, where):
    body = json.loads(jp("patent-app_progress-2020123456.json"))
    blocks = body["result"]["data"]["bibliographyInformation"]
    if where == "block":
        blocks.append("not an object")
    else:
        blocks[0]["documentList"].append("not an object")
    with pytest.raises(ParseError, match="not an object"):
        jpo.parse_app_progress(json.dumps(body).encode())


def test_registration_info(jp):
    res = jpo.parse_registration_info(jp("patent-registration_info-2020123456.json"))
    r = res.data
    assert res.status.remain_access_count == 398
    assert (r.registration_number, r.registration_date, r.decision_date) == (
        "7533889",
        D(2024, 8, 5),
        D(2024, 7, 4),
    )
    assert (r.expiry_date, r.next_payment_date, r.last_paid_year) == (D(2040, 7, 20), D(2027, 8, 5), 3)
    assert (r.number_of_claims, r.erasure_identifier, r.disappearance_date) == (5, "00", None)
    assert [(p.name, p.office_id) for p in r.right_holders] == [("メイショウ株式会社", "000114400")]


def test_priority_divisional_and_case_numbers(jp):
    prio = jpo.parse_priority_info(jp("patent-priority_right_app_info-2020123456.json"))
    assert [(p.number, p.date) for p in prio.data] == [("2019210418", D(2019, 11, 21))]
    div = jpo.parse_divisional_info(jp("patent-divisional_app_info-2020123456.json"))
    assert (div.data.application_number, div.data.parent, div.data.children) == ("2020123456", None, ())
    nums = jpo.parse_case_number_reference(jp("patent-case_number_reference-application-2020123456.json"))
    assert (
        nums.data.publication_number,
        nums.data.registration_number,
        nums.data.national_publication_number,
    ) == (
        "2021090037",
        "7533889",
        None,
    )
    assert nums.status.remain_access_count == 97


def test_token_response_hides_tokens(jp):
    tok = jpo.parse_jpo_token(jp("auth-token-response-redacted-by-source.json"))
    assert (tok.expires_in, tok.refresh_expires_in, tok.token_type) == (3600, 28800, "Bearer")
    assert "REDACTED_ACCESS_TOKEN" not in repr(tok) and "REDACTED_REFRESH_TOKEN" not in repr(tok)
