"""Office-action-like documents made for the tests: a born-digital PDF (real text objects), a scan (the same
page rendered to an image at 300 dpi, as a PNG, TIFF, JPEG or an image-only PDF), and the bad inputs.

The wording follows the USPTO's Office Action Summary (PTOL-326) and its cover sheet: the application number
box, the notification date, "Non-Final Rejection" and the shortened statutory period sentence of 37 CFR 1.134.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def us_office_action(*, number: str = "17/123,456", mailed: str = "03/04/2025", docket: str = "ACME-001",
                     kind: str = "Non-Final Rejection") -> list[str]:
    return [
        "UNITED STATES PATENT AND TRADEMARK OFFICE",
        "Commissioner for Patents, www.uspto.gov",
        f"APPLICATION NO. {number}    FILING DATE 03/15/2021    ATTORNEY DOCKET NO. {docket}",
        f"NOTIFICATION DATE {mailed}",
        "Office Action Summary",
        f"{kind}. This action is non-final.",
        "A SHORTENED STATUTORY PERIOD FOR REPLY IS SET TO EXPIRE 3 MONTHS FROM THE MAILING DATE",
        "OF THIS COMMUNICATION.",
        "Claim Rejections - 35 USC 103",
        "Claims 1-20 are rejected under 35 U.S.C. 103 as being unpatentable over Smith.",
    ]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(pages: list[list[str]]) -> bytes:
    """A born-digital PDF: each page's lines as Helvetica text objects (no images, no OCR needed)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font_id = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for lines in pages:
        stream = "BT /F1 10 Tf 50 750 Td 14 TL " + " ".join(f"({_escape(line)}) '" for line in lines) + " ET"
        content_id = len(objects) + 1
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream.encode("latin-1") + b"\nendstream")
        page_id = len(objects) + 1
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id))
        kids.append(page_id)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def page_image(lines: list[str], *, dpi: int = 300) -> Image.Image:
    """The page as a scanner would give it: black text on white, US Letter at ``dpi``."""
    width, height = int(8.5 * dpi), int(11 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size=int(dpi * 0.14))
    y = int(dpi * 0.8)
    for line in lines:
        draw.text((int(dpi * 0.7), y), line, fill=0, font=font)
        y += int(dpi * 0.24)
    return image


def scan(lines: list[str], *, fmt: str = "PNG", dpi: int = 300) -> bytes:
    out = io.BytesIO()
    image = page_image(lines, dpi=dpi)
    image.save(out, format=fmt, **({"resolution": dpi} if fmt == "PDF" else {"dpi": (dpi, dpi)}))
    return out.getvalue()


def encrypted_pdf(lines: list[str]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf([lines]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
