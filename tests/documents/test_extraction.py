"""Extraction: the office, type, number, dates and period a paralegal would read off the letter."""

from __future__ import annotations

from datetime import date

import pytest

from patents.documents import corpus
from patents.documents.extraction import extract
from patents.documents.reading import Page, Reading, Word, read_document

# Each document type with the provision or office form it answers to, for the test ids.
CITATIONS = {
    "us-non-final": "37 CFR 1.104, 35 USC 133 (PTOL-326)",
    "us-final": "37 CFR 1.113, MPEP 706.07",
    "us-restriction": "35 USC 121, 37 CFR 1.142",
    "us-allowance": "35 USC 151, 37 CFR 1.311 (PTOL-85)",
    "us-missing-parts": "37 CFR 1.53(f)",
    "ep-94-3-en": "EPC Art. 94(3), Rule 71(1) (Form 2001)",
    "ep-94-3-de": "EPÜ Art. 94(3) (Form 2001)",
    "ep-94-3-fr": "CBE art. 94(3) (Form 2001)",
    "ep-71-3": "EPC Rule 71(3) (Form 2004C)",
    "ep-161-162": "EPC Rules 161(1), 162 (Form 1226)",
    "ep-esr": "EPC Rule 62 (Form 1507)",
    "ep-loss-of-rights": "EPC Rule 112(1)",
    "wo-isr": "PCT Rule 44.1 (PCT/ISA/220)",
    "jp-reasons": "Patent Act (JP) Art. 50",
    "jp-refusal": "Patent Act (JP) Art. 49, 121",
    "jp-grant": "Patent Act (JP) Art. 51",
}
LATIN = [s for s in corpus.samples() if not s.japanese]


def _ids(sample) -> str:
    return f"{sample.name}[{CITATIONS[sample.name]}]"


def _read_pdf(sample):
    return read_document(corpus.text_pdf([sample]), filename="letter.pdf", max_pages=5, time_limit_s=30)


def test_every_generated_sample_has_a_citation():
    assert set(CITATIONS) == {s.name for s in corpus.samples()}


@pytest.mark.parametrize("sample", LATIN, ids=_ids)
def test_born_digital_letter_gives_type_number_date_and_period(sample):
    result = extract(_read_pdf(sample))
    assert result.recognised
    assert result.office.value == sample.office
    assert result.document_type.value == sample.code
    assert result.application_number.value == sample.number
    assert result.proposed_event is not None
    assert result.proposed_event["code"] == sample.code and result.proposed_event["date"] == sample.event_date
    assert result.period_months.value == sample.period_months
    # Born-digital text: confidence is the anchors' specificity alone, and every field shows where it came from.
    assert result.confidence >= 0.9
    assert result.document_type.evidence is not None and result.document_type.evidence.bbox is not None


def test_ep_94_3_period_goes_into_the_event_params_the_rule_reads():
    """EPC Rule 132(2): the period the EPO specifies (here four or six months) is what the reply rule uses."""
    de = next(s for s in LATIN if s.name == "ep-94-3-de")
    result = extract(_read_pdf(de))
    assert result.proposed_event == {"code": "EP.COMMUNICATION_94_3", "date": date(2024, 3, 12),
                                     "params": {"period_months": 6}}


def test_json_contract_for_ingest_document():
    result = extract(_read_pdf(next(s for s in LATIN if s.name == "us-final")))
    assert result.as_json() == {
        "office": "US",
        "type": "US.FINAL_REJECTION",
        "application_number": "16123456",
        "dates": {"mailing": "2024-02-09"},
        "period_months": 3,
        "proposed_event": {"code": "US.FINAL_REJECTION", "date": "2024-02-09", "params": {}},
        "confidence": result.confidence,
    }
    fields = result.fields_json()
    assert fields["references"]["value"] == "ACME-0042US"
    assert fields["dates"]["mailing"]["evidence"]["snippet"] == "02/09/2024 ELECTRONIC"


def test_filing_date_in_the_same_table_is_not_taken_for_the_mailing_date():
    """The PTOL-90 header prints FILING DATE beside APPLICATION NO.; the event is dated by the notification."""
    result = extract(_read_pdf(next(s for s in LATIN if s.name == "us-non-final")))
    assert result.dates["mailing"].value == date(2024, 1, 5)


def test_date_of_completion_of_the_search_is_not_the_document_date():
    result = extract(_read_pdf(next(s for s in LATIN if s.name == "ep-esr")))
    assert result.dates["document"].value == date(2023, 6, 14)


def _page(text: str, confidence: float = 100.0, ocr: bool = False) -> Reading:
    words = tuple(Word(w, confidence, None) for w in text.split())
    return Reading("application/pdf", (Page(1, text, words, ocr, None, None),), ocr, ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("European Patent Office\nDatum 5. März 2024\nBescheid gemäß Artikel 94(3) EPÜ", date(2024, 3, 5)),
        ("European Patent Office\nDate 7 décembre 2023\nNotification établie conformément à l'article 94(3) CBE",
         date(2023, 12, 7)),
        ("European Patent Office\nDate 2024-01-05\nCommunication pursuant to Article 94(3) EPC", date(2024, 1, 5)),
        ("European Patent Office\nDate January 5, 2024\nCommunication pursuant to Article 94(3) EPC", date(2024, 1, 5)),
        ("特許庁\n発送日 令和元年5月7日\n拒絶理由通知書", date(2019, 5, 7)),
        ("特許庁\n発送日 平成30年12月25日\n拒絶理由通知書", date(2018, 12, 25)),
        ("特許庁\n発送日 ２０２４年１月９日\n拒絶理由通知書", date(2024, 1, 9)),
    ],
    ids=["de-month-name", "fr-month-name", "iso", "en-month-first", "jp-reiwa-gannen", "jp-heisei", "jp-fullwidth"],
)
def test_dates_in_each_language_and_calendar(text, expected):
    result = extract(_page(text))
    assert result.proposed_event is not None and result.proposed_event["date"] == expected


@pytest.mark.parametrize(
    ("text", "months", "days"),
    [
        ("European Patent Office\nCommunication pursuant to Article 94(3) EPC\nwithin a period of four months",
         4, None),
        ("European Patent Office\nBescheid gemäß Artikel 94(3) EPÜ\ninnerhalb einer Frist von vier Monaten", 4, None),
        ("European Patent Office\nArticle 94(3) CBE\ndans un délai de deux mois", 2, None),
        ("UNITED STATES PATENT AND TRADEMARK OFFICE\nNon-Final Rejection\nA SHORTENED STATUTORY PERIOD FOR REPLY "
         "IS SET TO EXPIRE 3 MONTH(S) OR THIRTY (30) DAYS", 3, None),
        ("UNITED STATES PATENT AND TRADEMARK OFFICE\nNon-Final Rejection\nA shortened statutory period for reply to "
         "this action is set to expire TWO MONTHS from the mailing date of this letter.", 2, None),
        ("UNITED STATES PATENT AND TRADEMARK OFFICE\nNon-Final Rejection\n... within a shortened statutory period "
         "set to expire TWO (2) MONTHS from the mailing date of this letter", 2, None),
        ("特許庁\n拒絶理由通知書\nこの通知書の発送の日から６０日以内に意見書を提出してください。", None, 60),
        ("特許庁\n拒絶理由通知書\nこの通知書の発送の日から３か月以内に意見書を提出してください。", 3, None),
        ("Japan Patent Office\nNotice of Reasons for Refusal\nwithin 60 days from the date of dispatch", None, 60),
    ],
    ids=["EPC-R132-en", "EPC-R132-de", "EPC-R132-fr", "37CFR1.134-SSP", "MPEP-fp7.01-SSP", "MPEP-fp12.209-SSP",
         "JP-Art50-60days", "JP-Art50-3months",
         "JP-Art50-en"],
)
def test_stated_periods(text, months, days):
    result = extract(_page(text))
    assert result.period_months.value == months and result.period_days.value == days


def test_a_document_with_nothing_recognisable_says_so():
    result = extract(_page("Dear Sir, please find enclosed our invoice for services rendered. Kind regards"))
    assert not result.recognised and result.proposed_event is None and result.confidence == 0.0
    assert result.as_json()["type"] is None


def test_a_letter_without_a_date_proposes_no_event_but_keeps_what_it_found():
    result = extract(_page("European Patent Office\nApplication No. 19123456.7\nCommunication pursuant to Article "
                           "94(3) EPC"))
    assert result.recognised and result.proposed_event is None
    assert result.document_type.value == "EP.COMMUNICATION_94_3" and result.application_number.value == "EP19123456"
    assert result.confidence == 0.0  # the date that matters is missing: the lowest field decides


def test_low_ocr_confidence_lowers_the_field_confidence():
    text = "European Patent Office\nDate 05.01.2024\nCommunication pursuant to Article 94(3) EPC"
    sure, unsure = extract(_page(text)), extract(_page(text, confidence=40.0, ocr=True))
    assert unsure.document_type.value == sure.document_type.value
    assert unsure.dates["document"].confidence < 0.5 < sure.dates["document"].confidence


def test_an_ocr_error_in_a_long_anchor_is_tolerated_with_less_confidence():
    text = "European Patent Office\nDate 05.01.2024\nCommunicatlon pursuant to Artide 94(3) EPC"
    result = extract(_page(text))
    assert result.document_type.value == "EP.COMMUNICATION_94_3"
    assert result.document_type.confidence < extract(_page(text.replace("atlon", "ation"))).document_type.confidence


def test_our_own_reply_to_a_communication_is_not_taken_for_the_communication():
    """A false alarm costs trust: a response letter quoting the EPO's title must propose no EPO event."""
    result = extract(_page("EUROPEAN PATENT OFFICE\nResponse to the Communication pursuant to Article 94(3) EPC\n"
                           "Application No: 19123456.7\nDate: 05.01.2024\nThe Applicant thanks the Division."))
    assert result.document_type.value is None and result.proposed_event is None
