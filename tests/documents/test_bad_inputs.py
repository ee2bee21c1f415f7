"""Bad input: each gets a clear reason and nothing half-written — a file refused at the door leaves no row and
no stored bytes; a file the reader refuses is kept and listed as refused with the reader's reason, with no
reading, no proposal and no event."""

from __future__ import annotations

import io

import pytest

from patents.documents.service import FileRefused, read_and_propose, receive_document
from patents.models import Document, OfficeEvent
from tests.documents.builders import encrypted_pdf, pdf, scan, us_office_action
from tests.documents.conftest import stored_files

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("filename", "data", "reason"), [
    pytest.param("oa.pdf", scan(["NOT A PDF"], dpi=50), "oa.pdf is named .pdf but its content is a PNG image",
                 id="wrong-extension"),
    pytest.param("oa.pdf", b"PK\x03\x04" + b"\0" * 100, "oa.pdf is not a PDF, TIFF, PNG or JPEG file", id="zip-as-pdf"),
    pytest.param("letter.docx", b"PK\x03\x04" + b"\0" * 100, "not a PDF, TIFF, PNG or JPEG", id="word-file"),
    pytest.param("empty.pdf", b"", "empty.pdf is empty", id="empty"),
])
def test_a_file_refused_at_the_door_leaves_nothing_behind(docket, document_storage, filename, data, reason):
    with pytest.raises(FileRefused) as refused:
        receive_document(data=data, filename=filename, matter=docket["matter"], user=docket["pat"])
    assert reason in str(refused.value)
    assert not Document.objects.exists() and not stored_files(document_storage)


def test_an_oversize_file_is_refused_with_the_limit_and_nothing_is_stored(docket, document_storage, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    with pytest.raises(FileRefused, match=r"big.pdf is 0.0 MB; the limit is 0.0 MB \(DOCUMENT_MAX_BYTES\)"):
        receive_document(data=b"%PDF-1.4" + b"\0" * 2000, filename="big.pdf", matter=docket["matter"])
    assert not Document.objects.exists() and not stored_files(document_storage)


def _zip_bomb_png() -> bytes:
    # A PNG header claiming 100 000 x 100 000 pixels: decompressing it would need 10 GB.
    from tests.documents.builders import page_image

    small = io.BytesIO()
    page_image(["x"], dpi=20).save(small, format="PNG")
    data = bytearray(small.getvalue())
    data[16:24] = (100_000).to_bytes(4, "big") * 2  # IHDR width and height (the CRC no longer matches)
    return bytes(data)


@pytest.mark.parametrize(("filename", "data", "reason"), [
    pytest.param("locked.pdf", encrypted_pdf(us_office_action()), "encrypted", id="encrypted-pdf"),
    pytest.param("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "", id="corrupt-pdf"),
    pytest.param("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "", id="corrupt-png"),
    pytest.param("bomb.png", _zip_bomb_png(), "", id="decompression-bomb-disguised-as-an-image"),
])
def test_a_file_the_reader_refuses_is_listed_as_refused_with_its_reason(docket, filename, data, reason):
    received = receive_document(data=data, filename=filename, matter=docket["matter"], user=docket["pat"])
    document = read_and_propose(document_id=received.document.pk)
    assert document.status == Document.Status.REFUSED
    assert reason.lower() in document.status_reason.lower() and len(document.status_reason) > 10
    assert "Traceback" not in document.status_reason
    assert document.reading == {} and document.extraction == {} and not OfficeEvent.objects.exists()
    assert Document.objects.waiting_for_review().filter(pk=document.pk).exists()  # listed, never dropped


def test_a_pdf_with_more_pages_than_the_limit_is_refused(docket, settings):
    settings.DOCUMENT_MAX_PAGES = 2
    received = receive_document(data=pdf([us_office_action()] * 3), filename="long.pdf", matter=docket["matter"])
    document = read_and_propose(document_id=received.document.pk)
    assert document.status == Document.Status.REFUSED
    assert "3 pages" in document.status_reason and "2" in document.status_reason
    assert document.pages is None and not OfficeEvent.objects.exists()
