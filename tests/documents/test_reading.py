"""Reading: born-digital text without OCR, scans through OCR, and every refusal a paralegal can meet."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from patents.documents import corpus, reading
from patents.documents.reading import DocumentRefused, read_document, render_page_png

EP_94_3 = next(s for s in corpus.samples() if s.name == "ep-94-3-en")
US_NON_FINAL = next(s for s in corpus.samples() if s.name == "us-non-final")


def _read(data: bytes, filename: str = "letter.pdf", max_pages: int = 20, time_limit_s: float = 120):
    return read_document(data, filename=filename, max_pages=max_pages, time_limit_s=time_limit_s)


def test_born_digital_pdf_is_read_as_text_without_ocr(monkeypatch):
    monkeypatch.setattr(reading, "ocr_page", lambda *a, **k: pytest.fail("OCR ran on a born-digital page"))
    result = _read(corpus.text_pdf([EP_94_3, US_NON_FINAL]))
    assert result.content_type == "application/pdf" and not result.ocr_used
    assert [p.number for p in result.pages] == [1, 2]
    first = result.pages[0]
    assert "Communication pursuant to Article 94(3) EPC" in first.text
    assert first.width == 595 and first.height == 841  # A4 in points
    word = next(w for w in first.words if w.text == "19123456.7")
    assert word.confidence == 100.0
    left, top, right, bottom = word.bbox
    # Printed at 60 mm from the left and 70 mm from the top (the generator's layout), in points.
    assert abs(left - 60 / 25.4 * 72) < 3 and abs(top - 70 / 25.4 * 72) < 4 and right > left and bottom > top


def test_a_scan_is_read_by_ocr_with_word_confidences(tesseract):
    result = _read(corpus.encode(corpus.page_image(EP_94_3, dpi=300)), filename="scan.png")
    page = result.pages[0]
    assert result.ocr_used and page.ocr and result.content_type == "image/png"
    assert "Article 94(3) EPC" in page.text
    assert all(0 <= w.confidence <= 100 and w.bbox is not None for w in page.words)
    assert sum(w.confidence for w in page.words) / len(page.words) > 80


def test_a_pdf_of_page_images_is_read_by_ocr(tesseract):
    pdf = corpus.image_pdf([corpus.page_image(US_NON_FINAL, dpi=300)])
    result = _read(pdf)
    assert result.ocr_used and "SHORTENED STATUTORY PERIOD" in result.pages[0].text


def test_an_upside_down_scan_is_turned_before_ocr(tesseract):
    result = _read(corpus.encode(corpus.degrade(EP_94_3, "rot180")), filename="scan.png")
    assert "Article 94(3) EPC" in result.pages[0].text
    assert any("turned" in w for w in result.warnings)


def test_encrypted_pdf_is_refused_with_the_reason():
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(corpus.text_pdf([EP_94_3])))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DocumentRefused, match="encrypted"):
        _read(out.getvalue())


def test_corrupt_pdf_is_refused():
    data = corpus.text_pdf([EP_94_3])
    with pytest.raises(DocumentRefused, match="damaged"):
        _read(data[:200])


def test_too_many_pages_is_refused_before_any_page_is_rendered(monkeypatch):
    monkeypatch.setattr(reading, "_render", lambda *a, **k: pytest.fail("a page was rendered"))
    monkeypatch.setattr(reading, "_pdf_words", lambda *a, **k: pytest.fail("a page was read"))
    data = corpus.text_pdf([EP_94_3] * 501)
    with pytest.raises(DocumentRefused, match="501 pages; the limit is 500"):
        _read(data, max_pages=500)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge image in 60 bytes (a decompression bomb's header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def test_decompression_bomb_disguised_as_an_image_is_refused_not_decoded():
    with pytest.raises(DocumentRefused, match="too large|decompression bomb"):
        _read(_png_header_only(100_000, 100_000), filename="scan.png")


def test_a_large_but_legal_image_header_under_pillows_limit_is_still_bounded():
    # 9000 × 9000 = 81 Mpx: under Pillow's own warning limit, over ours.
    with pytest.raises(DocumentRefused, match="decompression bomb"):
        _read(_png_header_only(9_000, 9_000), filename="scan.png")


def test_file_that_is_not_a_document_is_refused_whatever_its_name():
    with pytest.raises(DocumentRefused, match="not a PDF, TIFF, PNG or JPEG"):
        _read(b"PK\x03\x04 this is a zip archive", filename="office-action.pdf")
    with pytest.raises(DocumentRefused, match="empty"):
        _read(b"", filename="office-action.pdf")


def test_a_pdf_named_like_an_image_is_read_as_the_pdf_it_is():
    result = _read(corpus.text_pdf([EP_94_3]), filename="scan.png")
    assert result.content_type == "application/pdf"
    assert "Article 94(3) EPC" in result.pages[0].text
    assert any("named like another type" in w for w in result.warnings)


def test_corrupt_image_is_refused():
    png = corpus.encode(corpus.page_image(EP_94_3, dpi=100))
    with pytest.raises(DocumentRefused, match="damaged"):
        _read(png[: len(png) // 3], filename="scan.png")


def test_ocr_over_its_time_limit_is_refused(tesseract):
    with pytest.raises(DocumentRefused, match=r"took longer than 0\.5 s"):
        _read(corpus.encode(corpus.page_image(EP_94_3, dpi=300)), filename="scan.png", time_limit_s=0.5)


def test_without_tesseract_a_scan_is_refused_with_the_packages_to_install(monkeypatch):
    monkeypatch.setattr(reading, "tesseract_available", lambda: False)
    with pytest.raises(DocumentRefused, match="tesseract-ocr"):
        _read(corpus.encode(corpus.page_image(EP_94_3, dpi=100)), filename="scan.png")


def test_multi_page_tiff_pages_over_the_limit_are_refused_before_ocr(monkeypatch):
    monkeypatch.setattr(reading, "ocr_page", lambda *a, **k: pytest.fail("OCR ran"))
    frames = [corpus.page_image(EP_94_3, dpi=50) for _ in range(4)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(DocumentRefused, match="4 pages; the limit is 3"):
        _read(out.getvalue(), filename="scan.tif", max_pages=3)


def test_render_page_png_gives_the_page_for_review():
    png = render_page_png(corpus.text_pdf([EP_94_3, US_NON_FINAL]), 2, filename="letter.pdf", dpi=50)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert abs(image.width - 595.28 * 50 / 72) <= 1 and abs(image.height - 841.89 * 50 / 72) <= 1
    with pytest.raises(DocumentRefused, match="no page 3"):
        render_page_png(corpus.text_pdf([EP_94_3]), 3, filename="letter.pdf")


def test_a_scanned_page_is_rendered_upright_in_the_geometry_of_its_word_boxes(tesseract):
    upside_down = corpus.encode(corpus.degrade(EP_94_3, "rot90"))
    result = _read(upside_down, filename="scan.png")
    page = result.pages[0]
    png = Image.open(io.BytesIO(render_page_png(upside_down, 1, filename="scan.png", dpi=100)))
    # The page was read turned back to portrait; the review image is the same page, a third of the size.
    assert page.height > page.width and png.height > png.width
    assert abs(png.width - page.width / 3) <= 2 and abs(png.height - page.height / 3) <= 2
