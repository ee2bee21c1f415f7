"""Reading tests need Tesseract (Debian's tesseract-ocr + eng/deu/fra/jpn data, installed by .ci/run)."""

from __future__ import annotations

import pytest

from patents.documents.reading import tesseract_available
from tests.conftest import skip_or_fail


@pytest.fixture
def tesseract():
    if not tesseract_available():
        skip_or_fail("needs Tesseract: apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu "
                     "tesseract-ocr-fra tesseract-ocr-jpn")
