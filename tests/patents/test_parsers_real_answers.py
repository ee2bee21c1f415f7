"""Parsers against the stranger real answers (tests/fixtures/offices, see SOURCES.md): WO documents, every
written form of one PCT number, office names instead of codes, JPO designs, trademarks and lookup answers.
"""

from __future__ import annotations

import datetime as dt

import pytest

from patents.numbers import InvalidNumber, normalize_application_number, normalize_pct, office_code_from_name
from patents.offices.ep import parser as epo_ops
from patents.offices.jp import parser as jpo
from patents.offices.us import parser as uspto_odp
from patents.parsers.errors import OUT_OF_SCOPE, ParseError

D = dt.date.fromisoformat


@pytest.fixture
def body(office_samples):
    def read(name: str) -> bytes:
        return (office_samples / name).read_bytes()

    return read


# The forms in which the recorded answers write PCT/US2008/086599 (published-data WO2009085664A2) and
# PCT/GB2002/004635 (number-service original → docdb).
@pytest.mark.parametrize(
    "written, canonical",
    [
        ("PCT/US2008/086599", "PCT/US2008/086599"),
        ("WO2008US86599", "PCT/US2008/086599"),  # epodoc
        ("US2008/086599", "PCT/US2008/086599"),  # original
        ("US2008086599", "PCT/US2008/086599"),  # docdb country + number
        ("US 2008086599 W", "PCT/US2008/086599"),  # docdb with kind W
        ("PCT/GB02/04635", "PCT/GB2002/004635"),  # pre-2004 original
        ("GB0204635W", "PCT/GB2002/004635"),  # its docdb form
        ("WO2002GB04635", "PCT/GB2002/004635"),
    ],
)
def test_every_written_form_of_a_pct_number_is_one_number(written, canonical):
    assert normalize_pct(written) == canonical
    assert normalize_application_number("WO", written) == canonical


@pytest.mark.parametrize("written", ["2008086599", "US200808659", "WO2008086599"])
def test_a_pct_number_that_could_be_split_two_ways_is_refused_not_guessed(written):
    with pytest.raises(InvalidNumber):
        normalize_pct(written)


def test_spaced_ep_number_with_check_digit_is_the_eight_digits():
    assert normalize_application_number("EP", "EP 10 167 109.0") == "EP10167109"


def test_number_service_says_both_forms_are_one_application(body):
    given, docdb = epo_ops.parse_number_service(body("epo/number-service-original-PCT-GB02-04635-docdb.xml"))
    assert (given.number, docdb.country, docdb.number, docdb.kind) == ("PCT/GB02/04635", "GB", "0204635", "W")
    assert normalize_pct(given.number) == normalize_pct(f"{docdb.country}{docdb.number}{docdb.kind}")


@pytest.mark.parametrize(
    "name, code",
    [("CHINA", "CN"), ("JAPAN", "JP"), ("Korea, Republic of", "KR"), ("EUROPEAN PATENT OFFICE", "EP"),
     ("WIPO", "WO"), ("UNITED KINGDOM", "GB"), ("DE", "DE"), ("ATLANTIS", None), ("", None), ("KOREA", None)],
)
def test_office_names_map_to_st3_codes_by_table_and_unknown_names_are_not_guessed(name, code):
    assert office_code_from_name(name) == code


def test_wo_published_biblio_reads_the_pct_application_and_its_publication(body):
    (wo,) = epo_ops.parse_published_biblio(body("epo/published-data-biblio-WO2009085664A2.xml"))
    assert wo.office == "WO"
    assert wo.application_number_normalized == "PCT/US2008/086599"
    assert wo.pct_application_normalized == "PCT/US2008/086599"
    assert wo.publication_number == "WO2009085664" and wo.publication_date == D("2009-07-09")
    assert wo.filing_date == D("2008-12-12")
    assert [(c.country, c.date) for c in wo.priority_claims] == [("US", D("2007-12-27"))]


def test_beta_odp_foreign_priority_names_the_office_and_gets_its_code(body):
    (claim,) = uspto_odp.parse_odp_beta_foreign_priority(body("uspto/odp-beta-2024-foreign-priority-16123456.json"))
    assert (claim.country, claim.office_name, claim.number, claim.date) == ("JP", "JAPAN", "2017-187096",
                                                                           D("2017-09-27"))


def test_beta_odp_continuity_keeps_the_national_stage_parent_and_the_continuation_child(body):
    links = uspto_odp.parse_odp_beta_continuity(body("uspto/odp-beta-2024-continuity-15123456.json"))
    nst = next(link for link in links if link.relation_code == "NST")
    assert (nst.parent_number, nst.child_number) == ("PCT/US15/27322", "15123456")
    assert normalize_pct(nst.parent_number) == "PCT/US2015/027322"
    con = next(link for link in links if link.relation_code == "CON")
    assert (con.relation, con.child_number, con.relation_text) == ("child", "16132008", "is a Continuation of")


def test_jpo_design_progress_is_a_design_with_its_registration_and_term(body):
    progress = jpo.parse_app_progress(body("jpo/design-app_progress-2020015234.json")).data
    b = progress.biblio
    assert b.right == "design"
    assert (b.application_number_normalized, b.grant_number, b.expiry_date) == ("2020015234", "1680736",
                                                                                D("2045-06-24"))
    assert b.title == "球体転がし用積み木"  # designArticle: the article the design is for


def test_jpo_trademark_progress_is_a_trademark(body):
    b = jpo.parse_app_progress(body("jpo/trademark-app_progress-2024123456.json")).data.biblio
    assert b.right == "trademark" and b.title == "メタンレス和牛"


def test_jpo_patent_progress_is_still_a_patent(body):
    assert jpo.parse_app_progress(body("jpo/patent-app_progress-2020123456.json")).data.biblio.right == "patent"


@pytest.mark.parametrize(
    "name, what",
    [
        ("jpo/patent-case_number_reference-publication-2020123456.json", "case number reference"),
        ("jpo/patent-case_number_reference-application-2020123456.json", "case number reference"),
        ("jpo/patent-applicant_attorney_cd-000003207.json", "applicant/attorney code lookup"),
        ("jpo/patent-cite_doc_info-2020123456.json", "cited documents"),
        ("jpo/patent-registration_info-2020123456.json", "registration information"),
    ],
)
def test_jpo_lookup_answers_are_refused_as_progress_files_with_what_they_are(body, name, what):
    with pytest.raises(ParseError, match=what) as err:
        jpo.parse_app_progress(body(name))
    assert err.value.category == OUT_OF_SCOPE and "not a case file" in str(err.value)


def test_jpo_publication_lookup_names_another_application_than_the_digits_asked_for(body):
    # Asked with publication 2020123456, the office answers with application 2019013554: the same digits
    # are application 2020-123456 of someone else. A number is only ever compared with its own kind.
    numbers = jpo.parse_case_number_reference(
        body("jpo/patent-case_number_reference-publication-2020123456.json")).data
    assert numbers.application_number == "2019013554" and numbers.publication_number == "2020123456"


@pytest.mark.parametrize(
    "name",
    ["jpo/patent-pct_national_phase_application_number-JP9999999999-status107-no-data.json",
     "jpo/patent-app_progress-9999999999-status107-no-data.json"],
)
def test_jpo_status_107_is_no_data_in_the_office_words(body, name):
    status = jpo.parse_jpo_status(body(name))
    assert status.is_no_data and status.message == "該当するデータがありません。"


def test_wo_family_members_keep_their_own_office_and_the_pct_member_reads_as_the_pct_number(body):
    family = epo_ops.parse_family(body("epo/family-WO2009085664A2.xml"))
    apps = {}
    for m in family.members:
        if m.application.kind == "W":  # the PCT application, written with its receiving office
            apps.setdefault("WO", set()).add(normalize_pct(f"{m.application.country}{m.application.number}"))
        else:
            apps.setdefault(m.publication.country, set()).add(m.application.number)
    assert apps == {
        "WO": {"PCT/US2008/086599"},
        "EP": {"08868513"},
        "JP": {"2010540766"},
        "CN": {"200880123968", "201210106458"},
        "TW": {"97145995"},
        "US": {"96495207", "201213372047", "201313915426", "201313915433"},
    }
    assert normalize_application_number("EP", "08868513") == "EP08868513"
