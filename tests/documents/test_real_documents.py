"""Real office documents, as the offices issued them (tests/fixtures/documents/SOURCES.md): the facts a
paralegal reads off the letter must come out of it — the office, the kind of action, the application number,
the mailing (notification) date and the period for reply.

The USPTO non-final rejection is a scan (5 image pages, no text layer), so every page is OCR'd. The test reads
the two pages where the office prints these facts — the PTOL-90A cover sheet (number, notification date) and
the PTOL-326 Office Action Summary (non-final, "3 MONTHS") — cut from the unchanged file with PDFium, the
reader's own library: the three pages of reasons add about 15 s of OCR and nothing a paralegal would check.
Still the most expensive test of the folder (about 8 s of Tesseract per page on these machines): it is the
only proof on a real letter rather than a drawn one, which is what issue 17 asks for.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium

from patents.documents.extraction import extract
from patents.documents.reading import read_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
US_CTNF = FIXTURES / "uspto" / "95508_16807146_09-29-2021_CTNF.PDF"


def _pages(path: Path, *numbers: int) -> bytes:
    source = pdfium.PdfDocument(path.read_bytes())
    out = pdfium.PdfDocument.new()
    try:
        assert len(source) == 5  # the file as the office issued it
        out.import_pages(source, [n - 1 for n in numbers])
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()
        source.close()


def test_a_real_uspto_non_final_rejection_gives_type_number_mailing_date_and_period(tesseract):
    reading = read_document(_pages(US_CTNF, 1, 2), filename="ctnf.pdf", max_pages=5, time_limit_s=240)
    assert reading.ocr_used  # a scan: nothing came from a text layer
    result = extract(reading)
    assert result.office.value == "US"
    assert result.document_type.value == "US.NON_FINAL_REJECTION"
    assert result.application_number.value == "16807146"  # printed "16/807,146", read as "16/807, 146"
    assert result.dates["mailing"].value == date(2021, 9, 29)  # "NOTIFICATION DATE 09/29/2021", cover sheet
    assert result.dates["mailing"].evidence.page == 1
    assert result.period_months.value == 3  # "… SET TO EXPIRE 3 MONTHS FROM THE MAILING DATE …", page 2
    assert result.period_months.evidence.page == 2
    assert result.proposed_event == {"code": "US.NON_FINAL_REJECTION", "date": date(2021, 9, 29), "params": {}}
