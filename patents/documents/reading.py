"""Reading an office document: text straight from a born-digital PDF, OCR (Tesseract) for scans.

``read_document`` takes the uploaded bytes and returns a ``Reading``: one ``Page`` per page with its text
and its words (per-word confidence 0..100 — 100 for text a PDF carries — and a box). It refuses, with a
reason a paralegal can act on (``DocumentRefused``), anything it cannot read safely: an encrypted or corrupt
PDF, more pages than allowed (counted before anything is rendered), an image whose pixel count is a
decompression bomb, bytes that are not a PDF, TIFF, PNG or JPEG whatever the file is called, and a reading
that runs past its time limit.

Coordinates: a word's box is ``(left, top, right, bottom)`` in the page's own units, ``Page.width`` ×
``Page.height``: PDF points (1/72 in) for a born-digital page, pixels of the OCR image for a scan. A viewer
scales by ``width`` to place it on a page image of any resolution.

PDFs are opened with PDFium (pypdfium2) without its form environment, so no JavaScript or form action runs;
Tesseract runs as a subprocess with a timeout, one thread per call (the machine's cores are the workers').
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageSequence

from patents.documents.preprocess import prepare_for_ocr

# A page drawn at 600 dpi on A3 is ~70 Mpx; a "page" beyond this is a bomb, not a scan.
MAX_IMAGE_PIXELS = 80_000_000
OCR_DPI = 300
# Fewer characters than this on a PDF page means the page is an image (a scan saved as PDF).
MIN_TEXT_CHARS = 25
OCR_LANGUAGES = "eng+deu+fra"
OCR_LANGUAGES_JAPANESE = "jpn+eng"
RENDER_TIME_LIMIT_S = 60.0

PDF = "application/pdf"
TIFF = "image/tiff"
PNG = "image/png"
JPEG = "image/jpeg"
_EXTENSIONS = {PDF: (".pdf",), TIFF: (".tif", ".tiff"), PNG: (".png",), JPEG: (".jpg", ".jpeg", ".jpe")}


class DocumentRefused(Exception):
    """Clear, user-facing reason: encrypted, corrupt, too many pages, wrong type, too slow to read..."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0..100, 100 for born-digital text
    bbox: tuple[int, int, int, int] | None


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    text: str
    words: tuple[Word, ...]
    ocr: bool
    width: int | None
    height: int | None


@dataclass(frozen=True)
class Reading:
    content_type: str
    pages: tuple[Page, ...]
    ocr_used: bool
    warnings: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\f".join(p.text for p in self.pages)


def sniff_content_type(data: bytes) -> str | None:
    """The type the bytes say they are (magic numbers), never the file name."""
    head = data[:8]
    if data[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        return PDF
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def _content_type(data: bytes, filename: str, notes: list[str]) -> str:
    if not data:
        raise DocumentRefused(f"{filename}: the file is empty")
    kind = sniff_content_type(data)
    if kind is None:
        raise DocumentRefused(
            f"{filename}: not a PDF, TIFF, PNG or JPEG file (its first bytes are {data[:8]!r}); "
            "upload the office document itself, or a scan of it"
        )
    if not filename.lower().endswith(_EXTENSIONS[kind]):
        notes.append(f"{filename} is named like another type but its content is {kind}; read as {kind}")
    return kind


class _Clock:
    def __init__(self, limit_s: float):
        self.limit_s = limit_s
        self.deadline = time.monotonic() + limit_s

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.refusal()
        return left

    def refusal(self) -> DocumentRefused:
        return DocumentRefused(f"reading the document took longer than {self.limit_s:g} s; it was stopped")


# --- Tesseract ---------------------------------------------------------------------------------------------


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _tesseract(png: bytes, args: list[str], clock: _Clock) -> str:
    if not tesseract_available():
        raise DocumentRefused(
            "this document is a scan and needs OCR, but Tesseract is not installed on this server "
            "(Debian packages tesseract-ocr, tesseract-ocr-eng, -deu, -fra, -jpn)"
        )
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", *args],
            input=png, capture_output=True, timeout=clock.remaining(), env=env, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise clock.refusal() from exc
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


@dataclass(frozen=True)
class _Orientation:
    rotate: int  # degrees clockwise Tesseract says to turn the page
    confidence: float
    script: str


def _orientation(png: bytes, clock: _Clock) -> _Orientation | None:
    out = _tesseract(png, ["--psm", "0"], clock)
    rotate = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    script = re.search(r"Script:\s*(\S+)", out)
    if not rotate:
        return None
    return _Orientation(int(rotate.group(1)), float(conf.group(1)) if conf else 0.0, script.group(1) if script else "")


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def _join(words: list[str], japanese: bool) -> str:
    """Tesseract's Japanese model cuts a line into tokens; Japanese is written without spaces between them."""
    out = ""
    for word in words:
        if out and not (japanese and (_cjk(out[-1]) or _cjk(word[0]) or (out[-1].isdigit() and word[0].isdigit()))):
            out += " "
        out += word
    return out


def _parse_tsv(tsv: str, japanese: bool = False) -> tuple[str, tuple[Word, ...]]:
    words: list[Word] = []
    lines: dict[tuple[str, str, str], list[str]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        text = cols[11].strip()
        words.append(Word(text, max(0.0, float(cols[10])), (left, top, left + width, top + height)))
        lines.setdefault((cols[2], cols[3], cols[4]), []).append(text)
    return "\n".join(_join(ws, japanese) for ws in lines.values()), tuple(words)


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _mean_confidence(words: tuple[Word, ...]) -> float:
    return sum(w.confidence for w in words) / len(words) if words else 0.0


def _upright(
    image: Image.Image, number: int, clock: _Clock, notes: list[str]
) -> tuple[Image.Image, _Orientation | None]:
    """The page cleaned (preprocess.py) and turned upright by Tesseract's orientation detection (OSD)."""
    clean, done = prepare_for_ocr(image)
    notes.extend(f"page {number}: {d}" for d in done)
    # Orientation needs no fine detail: detect it on a half-size copy (a quarter of the pixels to look at).
    osd = _orientation(_png(clean.reduce(2) if clean.width > 1800 else clean), clock)
    if osd is not None and osd.rotate and osd.confidence >= 1.0:
        clean = clean.rotate(-osd.rotate, expand=True, fillcolor=255)
        notes.append(f"page {number}: turned {osd.rotate}° (orientation detection)")
    return clean, osd


def ocr_page(image: Image.Image, number: int, clock: _Clock, notes: list[str]) -> Page:
    """Preprocess, turn the page upright, OCR it. Where OSD cannot decide (too little text), the upright and
    the upside-down readings are compared by confidence."""
    clean, osd = _upright(image, number, clock, notes)
    japanese = osd is not None and osd.script in ("Japanese", "Han", "Hiragana", "Katakana")
    args = ["-l", OCR_LANGUAGES_JAPANESE if japanese else OCR_LANGUAGES, "--psm", "3", "tsv"]
    text, words = _parse_tsv(_tesseract(_png(clean), args, clock), japanese)
    if osd is None and _mean_confidence(words) < 60:
        turned = clean.rotate(180, expand=True, fillcolor=255)
        text2, words2 = _parse_tsv(_tesseract(_png(turned), args, clock), japanese)
        if _mean_confidence(words2) > _mean_confidence(words) + 10:
            clean, text, words = turned, text2, words2
            notes.append(f"page {number}: turned 180° (better OCR confidence)")
    if not words:
        notes.append(f"page {number}: OCR found no text")
    return Page(number=number, text=text, words=words, ocr=True, width=clean.width, height=clean.height)


# --- PDF ---------------------------------------------------------------------------------------------------


def _open_pdf(data: bytes, filename: str):  # -> pypdfium2.PdfDocument
    import pypdfium2 as pdfium

    try:
        # No init_forms(): PDFium's form environment (and with it any JavaScript) is never started.
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason or "security" in reason:
            raise DocumentRefused(
                f"{filename}: the PDF is encrypted (password-protected); save an unprotected copy and upload that"
            ) from exc
        raise DocumentRefused(f"{filename}: the PDF is damaged and cannot be read ({exc})") from exc


def _pdf_words(textpage, page_height: float) -> tuple[str, tuple[Word, ...]]:
    """Words with boxes from PDFium's characters: split on white space, one box per word (top-left origin)."""
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    words: list[Word] = []
    current: list[str] = []
    box: list[float] = []

    def flush() -> None:
        if current:
            left, bottom, right, top = box
            bbox = (int(left), int(page_height - top), int(right + 0.999), int(page_height - bottom + 0.999))
            words.append(Word("".join(current), 100.0, bbox))
            current.clear()
            box.clear()

    for index, char in enumerate(text[:count]):
        if char.isspace():
            flush()
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        if box:
            box[:] = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
        else:
            box[:] = [left, bottom, right, top]
        current.append(char)
    flush()
    return text.replace("\r\n", "\n").replace("\r", "\n"), tuple(words)


def _read_pdf(data: bytes, filename: str, max_pages: int, clock: _Clock, notes: list[str]) -> list[Page]:
    pdf = _open_pdf(data, filename)
    try:
        total = len(pdf)
        if total > max_pages:
            raise DocumentRefused(f"{filename}: the PDF has {total} pages; the limit is {max_pages}")
        if total == 0:
            raise DocumentRefused(f"{filename}: the PDF has no pages")
        pages: list[Page] = []
        for index in range(total):
            clock.remaining()
            page = pdf[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            text, words = _pdf_words(textpage, height)
            textpage.close()
            if sum(1 for c in text if not c.isspace()) >= MIN_TEXT_CHARS:
                pages.append(Page(index + 1, text, words, ocr=False, width=int(width), height=int(height)))
            else:
                image = _render(page, OCR_DPI, filename)
                pages.append(ocr_page(image, index + 1, clock, notes))
            page.close()
        return pages
    finally:
        pdf.close()


def _render(page, dpi: int, filename: str) -> Image.Image:
    width, height = page.get_size()
    if width * height * (dpi / 72) ** 2 > MAX_IMAGE_PIXELS:
        raise DocumentRefused(f"{filename}: a page is {width / 72:.0f} × {height / 72:.0f} inches, too large to render")
    return page.render(scale=dpi / 72, grayscale=True, may_draw_forms=False).to_pil()


# --- images ------------------------------------------------------------------------------------------------


def _open_image(data: bytes, filename: str) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it; we refuse at our own limit, before decoding.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise DocumentRefused(f"{filename}: the image is too large to read safely ({exc})") from exc
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken files
            raise DocumentRefused(f"{filename}: the image is damaged and cannot be read ({exc})") from exc
    return image


def _frames(image: Image.Image, filename: str, max_pages: int) -> Iterator[tuple[int, Image.Image]]:
    count = getattr(image, "n_frames", 1)
    if count > max_pages:
        raise DocumentRefused(f"{filename}: the image has {count} pages; the limit is {max_pages}")
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if frame.width * frame.height > MAX_IMAGE_PIXELS:
            raise DocumentRefused(
                f"{filename}: page {index + 1} is {frame.width} × {frame.height} pixels, more than "
                f"{MAX_IMAGE_PIXELS:,} — refused as a possible decompression bomb"
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                frame.load()
                yield index + 1, frame.copy()
        except (OSError, SyntaxError, ValueError) as exc:
            raise DocumentRefused(f"{filename}: page {index + 1} of the image is damaged ({exc})") from exc


def _read_image(data: bytes, filename: str, max_pages: int, clock: _Clock, notes: list[str]) -> list[Page]:
    image = _open_image(data, filename)
    return [ocr_page(frame, number, clock, notes) for number, frame in _frames(image, filename, max_pages)]


# --- entry points ------------------------------------------------------------------------------------------


def read_document(data: bytes, *, filename: str, max_pages: int, time_limit_s: float) -> Reading:
    """Read every page (text or OCR) or raise DocumentRefused; nothing is returned half-read."""
    notes: list[str] = []
    kind = _content_type(data, filename, notes)
    clock = _Clock(time_limit_s)
    if kind == PDF:
        pages = _read_pdf(data, filename, max_pages, clock, notes)
    else:
        pages = _read_image(data, filename, max_pages, clock, notes)
    return Reading(content_type=kind, pages=tuple(pages), ocr_used=any(p.ocr for p in pages), warnings=tuple(notes))


def render_page_png(data: bytes, page_number: int, *, filename: str, dpi: int = 100) -> bytes:
    """One page as PNG for the review page, in the geometry its word boxes refer to: a text page as printed
    (PDFium, no forms or scripts); a scanned page cleaned, deskewed and turned upright as it was read (the
    orientation detection runs again: a second or two), scaled to ``dpi``."""
    kind = _content_type(data, filename, [])
    clock = _Clock(RENDER_TIME_LIMIT_S)
    if kind == PDF:
        pdf = _open_pdf(data, filename)
        try:
            if not 1 <= page_number <= len(pdf):
                raise DocumentRefused(f"{filename}: there is no page {page_number}")
            page = pdf[page_number - 1]
            textpage = page.get_textpage()
            scanned = sum(1 for c in textpage.get_text_range() if not c.isspace()) < MIN_TEXT_CHARS
            textpage.close()
            image = _render(page, OCR_DPI if scanned else dpi, filename)
            page.close()
        finally:
            pdf.close()
        if not scanned:
            return _png(image)
        source_dpi = float(OCR_DPI)
    else:
        found = [frame for number, frame in _frames(_open_image(data, filename), filename, 10_000)
                 if number == page_number]
        if not found:
            raise DocumentRefused(f"{filename}: there is no page {page_number}")
        image = found[0]
        source_dpi = float((image.info.get("dpi") or (OCR_DPI, OCR_DPI))[0] or OCR_DPI)
    upright, _ = _upright(image, page_number, clock, [])
    scale = min(1.0, dpi / source_dpi)
    if scale < 1.0:
        upright = upright.resize((max(1, round(upright.width * scale)), max(1, round(upright.height * scale))))
    return _png(upright)
