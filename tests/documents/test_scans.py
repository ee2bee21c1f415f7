"""Scanned letters, degraded as scanners and fax machines degrade paper: the extracted type, number and date
must still be right. A handful per degradation here; ``manage.py bench documents --accuracy`` runs every
sample under every degradation (figures in docs/documents-reading.md)."""

from __future__ import annotations

import io

import pytest

from patents.documents import corpus
from patents.documents.extraction import extract
from patents.documents.reading import read_document

SAMPLES = {s.name: s for s in corpus.samples()}
# (sample, degradation): every degradation once, every office at least once, both Japanese calendars' forms.
CASES = [
    ("ep-94-3-en", "clean"),
    ("us-non-final", "dpi200"),
    ("us-final", "noise"),
    ("ep-71-3", "blur"),
    ("ep-94-3-de", "skew"),
    ("us-allowance", "jpeg"),
    ("ep-loss-of-rights", "rot90"),
    ("us-restriction", "rot180"),
    ("wo-isr", "fax"),
    ("jp-reasons", "clean"),
    ("jp-refusal", "skew"),
]


@pytest.mark.parametrize(("name", "kind"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_degraded_scan_gives_type_number_and_date(tesseract, name, kind):
    sample = SAMPLES[name]
    if not corpus.fonts_available(sample.japanese):
        pytest.skip("the Japanese font (fonts-noto-cjk) is not installed: no Japanese page can be drawn")
    image = corpus.degrade(sample, kind)
    fmt = "JPEG" if kind == "jpeg" else "PNG"
    reading = read_document(corpus.encode(image, fmt), filename=f"scan.{fmt.lower()}", max_pages=5, time_limit_s=120)
    result = extract(reading)
    assert reading.ocr_used
    assert result.document_type.value == sample.code
    assert result.application_number.value == sample.number
    assert result.proposed_event is not None and result.proposed_event["date"] == sample.event_date
    assert 0.3 < result.confidence <= 1.0


def test_multi_page_tiff_scan_finds_the_event_on_its_page(tesseract):
    """A two-page fax: a cover sheet, then the EPO communication."""
    cover = corpus.Sample("cover", "", "", "", SAMPLES["ep-161-162"].event_date, None, None,
                          (corpus.Line(20, 30, "FAX COVER SHEET - 2 pages", 14),
                           corpus.Line(20, 45, "To: Docketing department", 12)))
    frames = [corpus.page_image(cover, dpi=200), corpus.page_image(SAMPLES["ep-161-162"], dpi=200)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    result = extract(read_document(out.getvalue(), filename="fax.tif", max_pages=5, time_limit_s=120))
    assert result.document_type.value == "EP.RULE_161_162_COMMUNICATION"
    assert result.document_type.evidence is not None and result.document_type.evidence.page == 2
    assert result.proposed_event is not None and result.proposed_event["date"] == SAMPLES["ep-161-162"].event_date
