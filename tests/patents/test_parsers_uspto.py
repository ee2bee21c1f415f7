"""USPTO ODP (production and beta 2024) and legacy PEDS parsers against tests/fixtures/offices/uspto."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from patents.offices.us import parser as odp
from patents.parsers import ParseError
from patents.parsers.types import EventSource

D = dt.date


@pytest.fixture
def us(office_samples):
    def read(name: str) -> bytes:
        return (office_samples / "uspto" / name).read_bytes()

    return read


def test_application_metadata(us):
    app = odp.parse_odp_application(us("odp-application-17248024.json"))
    b = app.biblio
    assert (b.office, b.source, b.application_number, b.application_number_normalized) == (
        "US",
        "odp",
        "17248024",
        "17248024",
    )
    assert (b.status_code, b.status_text, b.status_date) == ("150", "Patented Case", D(2023, 4, 19))
    assert b.filing_date == D(2021, 1, 5)
    assert (b.application_type, b.first_inventor_to_file, b.entity_status) == (
        "UTL",
        False,
        "Regular Undiscounted",
    )
    assert (b.publication_number, b.publication_date) == ("US20210210819A1", D(2021, 7, 8))
    assert (b.grant_number, b.grant_date) == ("11646472", D(2023, 5, 9))
    assert b.title.startswith("MAKING LITHIUM METAL - SEAWATER BATTERY CELLS")
    assert [(a.name, a.country) for a in b.applicants] == [("PolyPlus Battery Company", "US")]
    assert [i.name for i in b.inventors] == [
        "Steven J. Visco",
        "Bruce D. Katz",
        "Yevgeniy S. Nimon",
        "Lutgard C. De Jonghe",
    ]
    assert b.representatives[0].office_id == "44137"
    assert (b.extra["customerNumber"], b.extra["groupArtUnitNumber"], b.extra["pta_total_days"]) == (
        22434,
        "1727",
        304,
    )
    assert len(app.events) == 61 and len(app.continuity) == 12
    assert app.adjustment.total_days == 304


def test_transactions(us):
    events = odp.parse_odp_transactions(us("odp-transactions-17248024.json"))
    assert len(events) == 61 and {e.source for e in events} == {EventSource.ODP_TRANSACTION}
    assert (events[0].code, events[0].date, events[0].text) == (
        "EML_NTR",
        D(2023, 10, 3),
        "Email Notification",
    )
    by_code = {}
    for e in events:
        by_code.setdefault(e.code, []).append(e)
    assert [(e.date, e.text) for e in by_code["IFEE"]] == [(D(2023, 3, 30), "Issue Fee Payment Received")]
    assert [e.date for e in by_code["MN/=."]] == [D(2023, 1, 3)]
    assert [e.date for e in by_code["DOCK"]] == [D(2022, 12, 10), D(2021, 8, 23)]
    assert by_code["BIG."][-1].date == D(2021, 1, 5)
    assert len({e.key for e in events}) == 61
    # The application response carries the same transactions.
    assert [e.key for e in odp.parse_odp_application(us("odp-application-17248024.json")).events] == [
        e.key for e in events
    ]


def test_identical_transactions_are_both_kept():
    entry = {"eventCode": "EML_NTR", "eventDescriptionText": "Email Notification", "eventDate": "2023-10-03"}
    body = json.dumps(
        {
            "count": 1,
            "patentFileWrapperDataBag": [
                {"applicationNumberText": "17248024", "eventDataBag": [entry, entry]}
            ],
        }
    )
    events = odp.parse_odp_transactions(body)
    assert [e.discriminator for e in events] == ["1", "2"]


def test_single_transaction_object_instead_of_array():
    entry = {"eventCode": "CTNF", "eventDescriptionText": "Non-Final Rejection", "eventDate": "2024-02-01"}
    body = json.dumps(
        {"count": 1, "patentFileWrapperDataBag": {"applicationNumberText": "16123456", "eventDataBag": entry}}
    )
    [event] = odp.parse_odp_transactions(body)
    assert (event.code, event.date) == ("CTNF", D(2024, 2, 1))


def test_continuity_chain(us):
    links = odp.parse_odp_continuity(us("odp-continuity-17248024.json"))
    assert len(links) == 12 and {link.relation for link in links} == {"parent"}
    first = links[0]
    assert (
        first.relation_code,
        first.parent_number,
        first.child_number,
        first.filing_date,
        first.patent_number,
    ) == (
        "CON",
        "16695054",
        "17248024",
        D(2019, 11, 25),
        "10916753",
    )
    assert first.status_code == "250"
    div = next(link for link in links if link.relation_code == "DIV")
    assert (div.parent_number, div.child_number) == ("10824944", "11824597")
    cip = next(link for link in links if link.relation_code == "CIP")
    assert (cip.parent_number, cip.child_number, cip.relation_text) == (
        "13929653",
        "14156267",
        "is a Continuation in-part of",
    )
    provisionals = [(link.parent_number, link.filing_date) for link in links if link.relation_code == "PRO"]
    assert ("60548231", D(2004, 2, 27)) in provisionals and len(provisionals) == 3


def test_child_continuity_and_foreign_priority_shapes():
    body = json.dumps(
        {
            "count": 1,
            "patentFileWrapperDataBag": [
                {
                    "applicationNumberText": "16695054",
                    "childContinuityBag": [
                        {
                            "childApplicationStatusCode": 150,
                            "claimParentageTypeCode": "CON",
                            "claimParentageTypeCodeDescriptionText": "is a Continuation of",
                            "childApplicationStatusDescriptionText": "Patented Case",
                            "childApplicationNumberText": "17248024",
                            "childApplicationFilingDate": "2021-01-05",
                            "parentApplicationNumberText": "16695054",
                            "childPatentNumber": "11646472",
                        }
                    ],
                    "foreignPriorityBag": [
                        {
                            "ipOfficeName": "EUROPEAN PATENT OFFICE",
                            "filingDate": "2019-11-21",
                            "applicationNumberText": "19210418",
                        }
                    ],
                }
            ],
        }
    )
    [child] = odp.parse_odp_continuity(body)
    assert (child.relation, child.child_number, child.filing_date, child.patent_number) == (
        "child",
        "17248024",
        D(2021, 1, 5),
        "11646472",
    )
    [prio] = odp.parse_odp_foreign_priority(body)
    assert (prio.office_name, prio.number, prio.date) == (
        "EUROPEAN PATENT OFFICE",
        "19210418",
        D(2019, 11, 21),
    )


def test_documents(us):
    docs = odp.parse_odp_documents(us("odp-documents-17248024.json"))
    assert len(docs) == 45
    first = docs[0]
    assert (
        first.document_code,
        first.official_date,
        first.identifier,
        first.direction,
        first.page_count,
    ) == (
        "PETDEC",
        D(2023, 10, 3),
        "LN4VBTHCXBLUEX2",
        "OUTGOING",
        2,
    )
    assert first.downloads["PDF"].endswith("/17248024/LN4VBTHCXBLUEX2.pdf")
    assert [d.official_date for d in docs if d.document_code == "NOA"] == [D(2023, 1, 13), D(2023, 1, 3)]
    assert "PA.." in {d.document_code for d in docs}


def test_adjustment_search_and_status_codes(us):
    pta = odp.parse_odp_adjustment(us("odp-adjustment-17248024.json"))
    assert (pta.total_days, pta.a_delay_days, pta.b_delay_days, pta.history_count) == (304, 304, 0, 52)
    page = odp.parse_odp_search(us("odp-search-applicationNumberText-17248024-limit1.json"))
    assert (page.total, page.numbers) == (1, ("17248024",))
    assert page.items[0].grant_number == "11646472"
    codes = odp.parse_odp_status_codes(us("odp-status-codes-truncated.json"))
    assert codes.total == 241
    assert codes.codes == {
        "1": "Missassigned Application Number",
        "3": "Proceedings Terminated",
        "11": "Hague Application under International Review",
    }


def test_empty_search_page():
    page = odp.parse_odp_search(b'{"count": 0, "patentFileWrapperDataBag": []}')
    assert (page.total, page.items) == (0, ())


def test_beta_2024_application_data(us):
    b = odp.parse_odp_beta_application(us("odp-beta-2024-application-data-16123456.json"))
    assert (b.source, b.application_number, b.filing_date, b.first_inventor_to_file) == (
        "odp-beta",
        "16123456",
        D(2018, 9, 6),
        True,
    )
    assert (b.grant_number, b.grant_date, b.status_text, b.status_date) == (
        "10902286",
        D(2021, 1, 26),
        "Patented Case",
        D(2021, 1, 6),
    )
    assert b.applicants[0].name == "FUJIFILM Corporation"
    assert b.publication_number == "US 2019-0095759 A1"


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param(
            None,
            (404, "Not Found", "No matching records found, refine your search criteria and try again"),
            id="beta-404-sample",
        ),
        pytest.param(
            b'{"code": 400, "error": "Bad Request", "errorDetails": "Invalid request, review parameters", '
            b'"requestIdentifier": "x"}',
            (400, "Bad Request", "Invalid request, review parameters"),
            id="error-errorDetails-shape",
        ),
        pytest.param(
            b'{"error": "Too Many Requests", "errorDetails": "Rate limit exceeded"}',
            (None, "Too Many Requests", "Rate limit exceeded"),
            id="error-without-code",
        ),
    ],
)
def test_both_error_shapes(us, body, expected):
    body = body or us("odp-beta-2024-error-404-no-matching-records.json")
    err = odp.parse_odp_error(body)
    assert (err.status, err.message, err.detail) == expected


def test_error_body_given_to_the_application_parser_says_so(us):
    with pytest.raises(ParseError, match="404 Not Found"):
        odp.parse_odp_application(us("odp-beta-2024-error-404-no-matching-records.json"))


def test_legacy_peds(us):
    [app] = odp.parse_peds(us("peds-application-12721698-facets-removed.json"))
    b = app.biblio
    assert (b.source, b.application_number, b.filing_date) == ("peds", "12721698", D(2010, 3, 11))
    assert (b.status_text, b.status_date) == ("Patented Case", D(2018, 9, 20))
    assert (b.grant_number, b.grant_date) == ("8457796", D(2013, 6, 4))
    assert (b.publication_number, b.entity_status, b.first_inventor_to_file) == (
        "US20100235004A1",
        "SMALL",
        False,
    )
    assert [(c.relation_code, c.parent_number, c.filing_date) for c in b.continuity] == [
        ("PRO", "61159088", D(2009, 3, 11))
    ]
    assert len(app.events) == 45 and {e.source for e in app.events} == {EventSource.PEDS_TRANSACTION}
    assert (app.events[0].code, app.events[0].date) == ("M2552", D(2020, 10, 28))
    assert app.events[0].text == "Payment of Maintenance Fee, 8th Yr, Small Entity"
    m2551 = next(e for e in app.events if e.code == "M2551")
    assert m2551.date == D(2018, 9, 20)
    assert next(e for e in app.events if e.code == "EXP.").date == D(2017, 7, 4)
    assert len({e.key for e in app.events}) == 45
