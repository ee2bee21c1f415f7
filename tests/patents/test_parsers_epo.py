"""EPO OPS parsers against the real recorded responses in tests/fixtures/offices/epo.

Every value asserted here was read from those files (see their SOURCES.md); nothing is invented.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from patents.offices.ep import parser as ops
from patents.parsers import ParseError
from patents.parsers.types import EventSource

D = dt.date


@pytest.fixture
def epo(office_samples):
    def read(name: str) -> bytes:
        return (office_samples / "epo" / name).read_bytes()

    return read


# --- register biblio ----------------------------------------------------------------------------------------


def test_register_biblio_2025_reads_status_history_and_current_status(epo):
    b = ops.parse_register_biblio(epo("register-biblio-EP2400812-ns2ns3-prefixes.xml"))
    assert [(s.code, s.changed_on) for s in b.statuses] == [
        ("7", D(2020, 10, 2)),
        ("8", D(2019, 10, 25)),
        ("12", D(2019, 6, 26)),
        ("14", D(2017, 2, 3)),
    ]
    assert (b.status_code, b.status_text, b.status_date) == (
        "7",
        "No opposition filed within time limit",
        D(2020, 10, 2),
    )
    assert b.statuses[2].text == "Grant of patent is intended"


def test_register_biblio_2025_reads_numbers_dates_and_parties(epo):
    b = ops.parse_register_biblio(epo("register-biblio-EP2400812-ns2ns3-prefixes.xml"))
    assert (b.office, b.application_number, b.application_number_normalized) == (
        "EP",
        "10167109",
        "EP10167109",
    )
    assert b.filing_date == D(2010, 6, 24)
    assert (b.publication_number, b.publication_date) == ("EP2400812", D(2011, 12, 28))
    assert (b.grant_number, b.grant_date, b.kind) == ("EP2400812", D(2019, 11, 27), "B1")
    # The newest of several dated blocks wins: title changed to upper case in 2019, applicant moved in 2019.
    assert b.title == "BLUETOOTH NETWORKING"
    assert b.titles["fr"] == "MISE EN RÉSEAU BLUETOOTH"
    assert [(a.name, a.address[0], a.office_id) for a in b.applicants] == [
        ("9Solutions Oy", "Elektroniikkatie 2", "0101769867")
    ]
    assert [p.name for p in b.inventors] == ["Herrala, Sami", "Kylmänen, Jari", "Niemi, Jaakko"]
    assert [(r.name, r.office_id) for r in b.representatives] == [("Kolster Oy Ab", "0101689604")]
    assert len(b.designated_states) == 37 and {"DE", "GB", "FR", "TR"} <= set(b.designated_states)
    assert "EP" not in b.designated_states
    assert b.priority_claims == ()
    assert b.lapsed_states[0] == ("HU", D(2010, 6, 24)) and len(b.lapsed_states) == 33
    assert b.dates == {
        "request-for-examination": D(2012, 6, 6),
        "first-examination-report-despatched": D(2017, 2, 1),
        "opposition-not-filed": D(2020, 8, 28),
    }
    assert b.language_of_filing == "en"


def test_register_upp_constituent_of_a_non_unitary_patent_reads_like_biblio(epo):
    upp = ops.parse_register_biblio(epo("register-upp-EP2400812-not-a-unitary-patent.xml"))
    assert upp == ops.parse_register_biblio(epo("register-biblio-EP2400812-ns2ns3-prefixes.xml"))


def test_register_biblio_2016_ops_reg_prefixes_without_statuses(epo):
    b = ops.parse_register_biblio(epo("register-biblio-EP99203729-2016-ops-reg-prefixes.xml"))
    assert (b.application_number_normalized, b.filing_date) == ("EP99203729", D(1999, 11, 8))
    assert (b.publication_number, b.publication_date) == ("EP1000000", D(2000, 5, 17))
    assert b.statuses == () and b.status_code is None
    assert b.status_text == "NO OPPOSITION FILED WITHIN TIMELIMIT"
    assert [(p.country, p.number, p.date, p.kind) for p in b.priority_claims] == [
        ("NL", "19981010536", D(1998, 11, 12), "national")
    ]
    assert b.language_of_filing == "nl"
    assert b.applicants[0].name == "Beheermaatschappij De Boer Nijmegen B.V."


def test_register_biblio_euro_pct_links_wo_application_and_publication(epo):
    b = ops.parse_register_biblio(epo("register-biblio-EP14731659-2016.xml"))
    assert (b.application_number, b.filing_date) == ("14731659", D(2014, 6, 23))
    assert b.pct_application_number == "WO2014EP63108"
    assert b.pct_application_normalized == "PCT/EP2014/063108"
    assert (b.pct_publication_number, b.pct_publication_date) == ("WO2014206912", D(2014, 12, 31))
    assert (b.publication_number, b.publication_date) == ("EP3013552", D(2016, 5, 4))
    assert [(p.country, p.number, p.date) for p in b.priority_claims] == [
        ("DE", "201310212167", D(2013, 6, 26))
    ]
    assert b.status_text == "EXAMINATION REQUESTED"
    assert b.dates["request-for-examination"] == D(2016, 1, 20)


def test_register_biblio_badgerfish_json_reads_like_xml(epo):
    b = ops.parse_register_biblio(epo("register-biblio-EP13860559-json-badgerfish.json"))
    assert (b.application_number_normalized, b.filing_date) == ("EP13860559", D(2013, 8, 21))
    # A single status is a JSON object, and its change-date is blank in the real body.
    assert [(s.code, s.text, s.changed_on) for s in b.statuses] == [
        ("10", "The application is deemed to be withdrawn", None)
    ]
    assert b.status_code == "10"
    # One applicant (object) and two inventors (array).
    assert [a.name for a in b.applicants] == ["International Business Machines Corporation 'IBM'"]
    assert [i.name for i in b.inventors] == ["BANIKAZEMI, Mohammad", "ABALI, Bulent"]
    assert (b.pct_application_number, b.pct_application_normalized) == ("WO2013US55914", "PCT/US2013/055914")
    assert (b.pct_publication_number, b.pct_publication_date) == ("WO2014088655", D(2014, 6, 12))
    assert [(p.country, p.number, p.date) for p in b.priority_claims] == [
        ("US", "201213708165", D(2012, 12, 7))
    ]
    assert b.dates["date-application-deemed-withdrawn"] == D(2015, 7, 8)
    assert len(b.designated_states) == 38 and "RS" in b.designated_states
    assert b.title == "CONSISTENCY OF DATA IN PERSISTENT MEMORY"


# --- register events and procedural steps ---------------------------------------------------------------


def test_register_events_keep_codes_dates_and_gazette(epo):
    docs = ops.parse_register(epo("register-events-EP2400812.xml"))
    assert docs[0].biblio is None and docs[0].query == "publication=EP2400812"
    assert docs[0].statuses[0].code == "7"
    events = list(docs[0].events)
    assert len(events) == 55
    first = events[0]
    assert (first.office, first.source, first.code, first.date, first.discriminator) == (
        "EP",
        EventSource.REGISTER_EVENT,
        "0009250",
        D(2022, 7, 8),
        "EVT_434577438",
    )
    assert first.params["gazette_num"] == "2022/32" and first.params["gazette_date"] == D(2022, 8, 10)
    by_id = {e.discriminator: e for e in events}
    assert (by_id["EVT_434577450"].code, by_id["EVT_434577450"].date) == ("0009261", D(2020, 10, 2))
    assert by_id["EVT_434577461"].text == "(Expected) grant"
    assert by_id["EVT_434577490"].params["gazette_num"] == "2012/29"
    # An inner space is part of the code.
    assert (by_id["EVT_434577491"].code, by_id["EVT_434577491"].date) == ("EPIDOS ABEX", D(2012, 6, 6))
    assert "gazette_num" not in by_id["EVT_434577462"].params
    assert sum(e.code == "EPIDOSNRFE2" for e in events) == 8
    assert events[-1].code == "0009012" and events[-1].date == D(2011, 12, 28)
    assert len({e.key for e in events}) == 55


def test_procedural_steps_renewals_time_limits_and_grant_fees(epo):
    steps = ops.parse_procedural_steps(epo("register-procedural-steps-EP2400812.xml"))
    assert len(steps) == 19 and all(s.source == EventSource.PROCEDURAL_STEP for s in steps)
    renewals = [(s.params["renewal_year"], s.date) for s in steps if s.code == "RFEE"]
    assert renewals[0] == (3, D(2012, 6, 20)) and renewals[-1] == (10, D(2019, 6, 24))
    assert [y for y, _ in renewals] == list(range(3, 11))
    exre = [(s.date, s.params["period_months"], s.params["reply_date"]) for s in steps if s.code == "EXRE"]
    assert exre == [
        (D(2017, 2, 1), 4, D(2017, 6, 1)),
        (D(2018, 3, 15), 6, D(2018, 8, 24)),
        (D(2019, 1, 3), 4, D(2019, 5, 9)),
    ]
    igra = next(s for s in steps if s.code == "IGRA")
    assert igra.date == D(2019, 6, 27) and igra.params["dates"]["GRANT_FEE_PAID"] == D(2019, 10, 16)
    prol = next(s for s in steps if s.code == "PROL")
    assert prol.date is None and prol.params["texts"]["procedure language"] == "en"
    assert [s.params["texts"]["Extension states"] for s in steps if s.code == "EXPT"] == ["BA", "ME", "RS"]
    assert len({s.key for s in steps}) == 19


# --- INPADOC legal ------------------------------------------------------------------------------------------


def test_inpadoc_legal_ep_keeps_space_padded_codes(epo):
    events = ops.parse_inpadoc_legal(epo("legal-inpadoc-EP2400812A1-trimmed.xml"))
    assert len(events) == 40 and all(e.source == EventSource.INPADOC and e.office == "EP" for e in events)
    assert (events[0].code, events[0].code_stripped, events[0].date) == ("AK  ", "AK", D(2011, 12, 28))
    assert events[0].params["designated_states"][:3] == ("AL", "AT", "BE")
    exam = next(e for e in events if e.code == "17P ")
    assert (exam.date, exam.params["effective_date"], exam.text) == (
        D(2012, 7, 18),
        D(2012, 6, 6),
        "REQUEST FOR EXAMINATION FILED",
    )
    assert next(e for e in events if e.code_stripped == "GRAA").params["original_code"] == "0009210"
    lapses = [e for e in events if e.code == "PG25"]
    assert [(e.date, e.params["ref_country"]) for e in lapses] == [
        (D(2020, 5, 1), "BG"),
        (D(2020, 5, 1), "LV"),
        (D(2020, 5, 1), "NL"),
    ]
    assert len({e.discriminator for e in lapses}) == 3
    fees = [
        (e.params["ref_country"], e.params["fee_year"], e.params["payment_date"])
        for e in events
        if e.code == "PGFP"
    ]
    assert fees[0] == ("FI", 16, D(2025, 6, 20)) and len(fees) == 4
    statuses = [e.params["free_text"] for e in events if e.code == "STAA"]
    assert statuses[0] == "STATUS: NO OPPOSITION FILED WITHIN TIME LIMIT"
    assert len({e.key for e in events}) == 40


def test_inpadoc_legal_us_events(epo):
    events = ops.parse_inpadoc_legal(epo("legal-inpadoc-US10465445B2.xml"))
    assert len(events) == 14 and {e.office for e in events} == {"US"}
    stcf = next(e for e in events if e.code_stripped == "STCF")
    assert (stcf.date, stcf.params["free_text"]) == (D(2019, 10, 16), "PATENTED CASE")
    pgr = [e for e in events if e.code == "PGR "]
    assert {e.params["free_text"] for e in pgr} == {"TRIAL NO: PGR2020-00078", "TRIAL NO: PGR2020-00077"}
    assert len({e.key for e in pgr}) == 2
    ipr = next(e for e in events if e.code_stripped == "IPR")
    assert (ipr.date, ipr.params["opponent"]) == (D(2020, 10, 27), "NINE ENERGY SERVICE, INC.")


def test_inpadoc_discriminator_ignores_order_and_exchange_timestamps(epo):
    body = epo("legal-inpadoc-EP2400812A1-trimmed.xml").decode()
    legals = re.findall(r"<ops:legal .*?</ops:legal>", body, flags=re.S)
    reordered = body.replace("".join(legals[:2]), "".join(reversed(legals[:2])))
    reordered = reordered.replace("2011-12-29</ops:L018EP>", "2030-01-01</ops:L018EP>")
    assert reordered != body
    assert {e.key for e in ops.parse_inpadoc_legal(reordered.encode())} == {
        e.key for e in ops.parse_inpadoc_legal(body.encode())
    }


# --- published data, family, search ------------------------------------------------------------------------


def test_published_data_biblio(epo):
    [b] = ops.parse_published_biblio(epo("published-data-biblio-EP2400812A1.xml"))
    assert (b.source, b.application_number_normalized, b.filing_date) == (
        "epo-published-data",
        "EP10167109",
        D(2010, 6, 24),
    )
    assert (b.publication_number, b.publication_date, b.kind, b.family_id) == (
        "EP2400812",
        D(2011, 12, 28),
        "A1",
        "43088294",
    )
    assert [(a.name, a.country) for a in b.applicants] == [("9SOLUTIONS OY", "FI")]
    assert [i.name for i in b.inventors] == ["HERRALA SAMI", "KYLMAENEN JARI", "NIEMI JAAKKO"]
    assert b.titles == {
        "de": "BLUETOOTH-VERNETZUNG",
        "en": "BLUETOOTH NETWORKING",
        "fr": "MISE EN RÉSEAU BLUETOOTH",
    }
    # OPS lists the application itself (EP20100167109) as the "priority" of a document without one: that is
    # not a priority claim, and a matter claiming priority from itself would shift its priority dates.
    assert b.priority_claims == ()


def test_family_members(epo):
    fam = ops.parse_family(epo("family-EP2400812A1.xml"))
    assert (fam.family_id, fam.total) == ("43088294", 5)
    assert [m.publication.text for m in fam.members] == [
        "EP2400812A1",
        "EP2400812B1",
        "CA2744162A1",
        "US2012057518A1",
        "US9648662B2",
    ]
    us = fam.members[4]
    assert (us.application.number, us.application.date) == ("201113167395", D(2011, 6, 23))
    assert [(p.country, p.number, p.active) for p in us.priority_claims] == [("EP", "10167109", True)]


def test_register_search_pages(epo):
    old = ops.parse_register_search(epo("register-search-pd20160203-range1-2.xml"))
    assert (old.total, old.range_begin, old.range_end, old.query) == (2859, 1, 2, "pd=20160203")
    assert old.numbers == ("15460033", "15425045")
    assert old.items[0].publication_number == "EP2979693"
    assert old.items[1].applicants[0].name == "Drive the Innovation in Energy Storage S.r.l."
    new = ops.parse_register_search(epo("register-search-ti-battery-range1-5.xml"))
    assert (new.total, new.range_begin, new.range_end, new.query) == (10000, 1, 5, "ti=battery")
    assert len(new.items) == 5 and new.numbers[0] == "25198922"
    assert (new.items[0].publication_number, new.items[0].publication_date) == ("EP4636834", D(2025, 10, 22))
    # The empty placeholder <ep-patent-status change-date="" status-code=""/> is not a status.
    assert all(b.statuses == () for b in new.items)


# --- faults, token, headers ---------------------------------------------------------------------------------


def test_gateway_error_bodies(epo):
    invalid = ops.parse_ops_fault(epo("error-400-invalid_access_token.xml"))
    assert (invalid.code, invalid.message, invalid.is_invalid_token) == ("400", "invalid_access_token", True)
    assert invalid.description == "Access token is invalid"
    client = ops.parse_ops_fault(epo("error-401-auth-accesstoken-clientid-invalid.xml"))
    assert (client.code, client.message) == ("401", "ClientId is Invalid")
    fair = ops.parse_ops_fault(epo("error-403-fair-use-IndividualQuotaPerHour.xml"))
    assert fair.code == "403" and fair.is_fair_use
    assert fair.more_info == "http://www.epo.org/searching/free/espacenet/fair-use.html"


def test_ops_fault_entity_not_found_is_no_data():
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><fault xmlns="http://ops.epo.org">'
        b"<code>SERVER.EntityNotFound</code><message>No results found</message></fault>"
    )
    fault = ops.parse_ops_fault(body)
    assert fault.is_not_found and fault.message == "No results found"
    with pytest.raises(ParseError, match="SERVER.EntityNotFound"):
        ops.parse_register_biblio(body)


def test_access_token_response_never_shows_the_token(epo):
    tok = ops.parse_ops_token(epo("auth-accesstoken-response-redacted-by-source.json"))
    assert (tok.expires_in, tok.token_type, tok.status) == (1199, "BearerToken", "approved")
    assert tok.issued_at == dt.datetime(2016, 2, 10, 14, 33, 41, 621000, tzinfo=dt.UTC)
    assert tok.access_token == "THIS_IS_THE_TOKEN" and "THIS_IS_THE_TOKEN" not in repr(tok)


def test_observed_response_headers(epo):
    observed = json.loads(epo("response-headers-observed.json"))
    parsed = {k: ops.parse_quota_headers(v["headers"]) for k, v in observed.items() if not k.startswith("_")}
    busy = parsed["busy_200_2024"]
    assert busy.throttling.state == "busy"
    assert busy.throttling.services["search"].limit_per_minute == 15
    assert busy.throttling.services["inpadoc"].color == "green"
    assert (busy.individual_quota_per_hour_used, busy.registered_quota_per_week_used) == (541560, 541560)
    idle = parsed["register_biblio_200_2016"]
    assert idle.throttling.state == "idle" and idle.throttling.services["other"].limit_per_minute == 1000
    assert idle.registered_quota_per_week_used == 266805976
    assert parsed["fair_use_403_IndividualQuotaPerHour_2014"].rejection_reason == "IndividualQuotaPerHour"


@pytest.mark.parametrize(
    "header",
    ["", "busy", "busy (search=purple)", "idle (images=green:lots)"],
)
def test_unreadable_throttling_header_is_rejected(header):
    with pytest.raises(ParseError):
        ops.parse_throttling_control(header)


def test_black_throttling_colour_and_retry_after():
    q = ops.parse_quota_headers(
        {
            "x-throttling-control": "overloaded (images=red:50, inpadoc=black:0, other=yellow:500, "
            "retrieval=green:100, search=black:0)",
            "Retry-After": "60",
            "X-Rejection-Reason": "ThrottlingControlQuota",
        }
    )
    assert q.throttling.state == "overloaded"
    assert q.throttling.services["search"].color == "black"
    assert (q.retry_after_seconds, q.rejection_reason) == (60, "ThrottlingControlQuota")


def test_event_params_can_be_stored_as_json(epo):
    steps = ops.parse_procedural_steps(epo("register-procedural-steps-EP2400812.xml"))
    igra = next(s for s in steps if s.code == "IGRA")
    stored = json.loads(json.dumps(igra.params_json))
    assert stored["dates"]["GRANT_FEE_PAID"] == "2019-10-16"
    legal = ops.parse_inpadoc_legal(epo("legal-inpadoc-EP2400812A1-trimmed.xml"))[0]
    assert json.loads(json.dumps(legal.params_json))["designated_states"][0] == "AL"


# No recorded published-data search exists in ../shared; these bodies follow the OPS 3.2 reference guide.
PUBLISHED_SEARCH = b"""<?xml version="1.0" encoding="UTF-8"?>
<ops:world-patent-data xmlns="http://www.epo.org/exchange" xmlns:ops="http://ops.epo.org">
<ops:biblio-search total-result-count="27"><ops:query syntax="CQL">pa=9solutions</ops:query>
<ops:range begin="1" end="2"/><ops:search-result>
<ops:publication-reference system="ops.epo.org" family-id="43088294"><document-id document-id-type="docdb">
<country>EP</country><doc-number>2400812</doc-number><kind>A1</kind></document-id></ops:publication-reference>
<ops:publication-reference system="ops.epo.org" family-id="43088294"><document-id document-id-type="docdb">
<country>US</country><doc-number>9648662</doc-number><kind>B2</kind></document-id></ops:publication-reference>
</ops:search-result></ops:biblio-search></ops:world-patent-data>"""


def test_published_data_search_references_page():
    page = ops.parse_published_search(PUBLISHED_SEARCH)
    assert (page.total, page.range_begin, page.range_end, page.query) == (27, 1, 2, "pa=9solutions")
    assert page.numbers == ("EP2400812A1", "US9648662B2") and page.items == ()


def test_published_data_search_with_biblio_constituent(epo):
    exchange = epo("published-data-biblio-EP2400812A1.xml").decode()
    docs = exchange[exchange.index("<exchange-documents>") : exchange.index("</exchange-documents>")]
    head, rest = PUBLISHED_SEARCH.decode().split("<ops:search-result>")
    tail = rest[rest.index("</ops:search-result>") :]
    page = ops.parse_published_search(f"{head}<ops:search-result>{docs}</exchange-documents>{tail}".encode())
    assert page.total == 27 and page.numbers == ("10167109",)
    assert page.items[0].publication_number == "EP2400812"
    assert [p.text for p in page.publications] == ["EP2400812A1"]
