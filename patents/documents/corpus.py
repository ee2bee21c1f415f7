"""A generated corpus of office-action-like pages, clean and degraded, for tests and ``bench documents``.

Each ``Sample`` is one document type with the offices' real phrasing (titles, period sentences, header
labels laid out as the forms lay them out) and known values: the application number as printed and in
canonical form, the date the event is dated by, the stated period. ``page_image`` draws it onto A4 at a
given resolution (DejaVu Sans; Noto Sans CJK for Japanese, from Debian's fonts-dejavu-core and
fonts-noto-cjk), ``text_pdf`` writes it as a born-digital PDF (Helvetica, Latin text only), and ``degrade``
applies what scanners and fax machines do to paper: noise, blur, skew, JPEG artefacts, quarter turns, low
resolution. Deterministic: a seed fixes every random choice.

A development and test tool, like the office simulator: nothing on the request path imports it.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_MM = (210.0, 297.0)
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

DEGRADATIONS = ("clean", "dpi200", "noise", "blur", "skew", "jpeg", "rot90", "rot180", "fax")


@dataclass(frozen=True)
class Line:
    x_mm: float
    y_mm: float
    text: str
    size_pt: float = 10.0


@dataclass(frozen=True)
class Sample:
    name: str
    code: str  # canonical event code expected
    office: str
    number: str  # canonical
    event_date: date
    period_months: int | None
    period_days: int | None
    lines: tuple[Line, ...]
    japanese: bool = False


def _flow(x: float, y: float, paragraphs: list[str], size: float = 10.0, width_chars: int = 95) -> list[Line]:
    """Paragraphs wrapped at ``width_chars`` into lines 5 mm apart (a blank line between paragraphs)."""
    out: list[Line] = []
    for paragraph in paragraphs:
        words, current = paragraph.split(), ""
        for word in words:
            if current and len(current) + 1 + len(word) > width_chars:
                out.append(Line(x, y, current, size))
                y += size * 0.5
                current = word
            else:
                current = f"{current} {word}".strip()
        if current:
            out.append(Line(x, y, current, size))
            y += size * 0.5
        y += size * 0.3
    return out


def _us_header(number: str, docket: str, mailed: str, date_label: str = "NOTIFICATION DATE") -> list[Line]:
    return [
        Line(15, 15, "UNITED STATES PATENT AND TRADEMARK OFFICE", 12),
        Line(120, 22, "UNITED STATES DEPARTMENT OF COMMERCE", 9),
        Line(120, 27, "United States Patent and Trademark Office", 9),
        Line(120, 32, "Address: COMMISSIONER FOR PATENTS", 8),
        Line(120, 36, "P.O. Box 1450, Alexandria, Virginia 22313-1450", 8),
        Line(120, 40, "www.uspto.gov", 8),
        Line(15, 50, "APPLICATION NO.", 8), Line(50, 50, "FILING DATE", 8), Line(80, 50, "FIRST NAMED INVENTOR", 8),
        Line(125, 50, "ATTORNEY DOCKET NO.", 8), Line(170, 50, "CONFIRMATION NO.", 8),
        Line(15, 56, number, 10), Line(50, 56, "03/14/2019", 10), Line(80, 56, "Jane A. Smith", 10),
        Line(125, 56, docket, 10), Line(170, 56, "7781", 10),
        Line(125, 66, "EXAMINER", 8), Line(125, 71, "DOE, JOHN", 10),
        Line(125, 78, "ART UNIT", 8), Line(160, 78, "PAPER NUMBER", 8), Line(125, 83, "2123", 10),
        Line(125, 92, date_label, 8), Line(165, 92, "DELIVERY MODE", 8),
        Line(125, 98, mailed, 10), Line(165, 98, "ELECTRONIC", 10),
    ]


_SSP = ("A SHORTENED STATUTORY PERIOD FOR REPLY IS SET TO EXPIRE {n} MONTH(S) OR THIRTY (30) DAYS, WHICHEVER IS "
        "LONGER, FROM THE MAILING DATE OF THIS COMMUNICATION.")


def _us_action(final: bool) -> list[str]:
    status = ["Status", "1) Responsive to communication(s) filed on 15 September 2023.",
              f"2a) [{'X' if final else ' '}] This action is FINAL.   2b) [{' ' if final else 'X'}] This action is "
              "non-final."]
    body = ["Office Action Summary", _SSP.format(n=3), *status,
            "Disposition of Claims: Claim(s) 1-20 is/are pending in the application. Claim(s) 1-20 is/are rejected."]
    if final:
        body += ["Applicant's amendment necessitated the new ground(s) of rejection presented in this Office action. "
                 "Accordingly, THIS ACTION IS MADE FINAL. See MPEP 706.07(a). Applicant is reminded of the "
                 "extension of time policy as set forth in 37 CFR 1.136(a)."]
    else:
        body += ["DETAILED ACTION", "Claim Rejections - 35 USC 103",
                 "Claims 1-20 are rejected under 35 U.S.C. 103 as being unpatentable over Jones (US 9,876,543) "
                 "in view of Lee (US 2018/0123456 A1)."]
    return body


def samples() -> tuple[Sample, ...]:
    """One sample per document type and language the extraction knows."""
    us_number, us_printed, docket = "16123456", "16/123,456", "ACME-0042US"
    ep_number, ep_printed, ep_ref = "EP19123456", "19123456.7", "ACME-0042EP"
    jp_number = "2022123456"
    out = [
        Sample("us-non-final", "US.NON_FINAL_REJECTION", "US", us_number, date(2024, 1, 5), 3, None, tuple(
            _us_header(us_printed, docket, "01/05/2024") + _flow(15, 110, _us_action(final=False)))),
        Sample("us-final", "US.FINAL_REJECTION", "US", us_number, date(2024, 2, 9), 3, None, tuple(
            _us_header(us_printed, docket, "02/09/2024") + _flow(15, 110, _us_action(final=True)))),
        Sample("us-restriction", "US.RESTRICTION_REQUIREMENT", "US", us_number, date(2023, 11, 20), 2, None, tuple(
            _us_header(us_printed, docket, "11/20/2023") + _flow(15, 110, [
                "Office Action Summary", _SSP.format(n=2), "DETAILED ACTION", "Election/Restrictions",
                "Restriction to one of the following inventions is required under 35 U.S.C. 121:",
                "I. Claims 1-10, drawn to a method of sorting parcels, classified in B07C 3/00.",
                "II. Claims 11-20, drawn to an apparatus for sorting parcels, classified in B65G 47/00.",
                "Applicant is advised that the reply to this requirement to be complete must include an election "
                "of the invention to be examined even though the requirement may be traversed (37 CFR 1.143).",
            ]))),
        Sample("us-allowance", "US.NOTICE_OF_ALLOWANCE", "US", us_number, date(2024, 3, 1), 3, None, tuple(
            _us_header(us_printed, docket, "03/01/2024", "DATE MAILED") + _flow(15, 110, [
                "NOTICE OF ALLOWANCE AND FEE(S) DUE",
                "The application identified above has been examined and is allowed for issuance as a patent. "
                "PROSECUTION ON THE MERITS IS CLOSED. This notice of allowance is not a grant of patent rights.",
                "THE ISSUE FEE AND PUBLICATION FEE (IF REQUIRED) MUST BE PAID WITHIN THREE MONTHS FROM THE MAILING "
                "DATE OF THIS NOTICE OR THIS APPLICATION SHALL BE REGARDED AS ABANDONED. THIS STATUTORY PERIOD "
                "CANNOT BE EXTENDED.",
            ]))),
        Sample("us-missing-parts", "US.MISSING_PARTS_NOTICE", "US", "17654321", date(2023, 9, 12), 2, None, tuple([
            Line(15, 15, "UNITED STATES PATENT AND TRADEMARK OFFICE", 12),
            Line(120, 22, "UNITED STATES DEPARTMENT OF COMMERCE", 9),
            Line(120, 27, "www.uspto.gov", 8),
            Line(15, 40, "APPLICATION NUMBER", 8), Line(55, 40, "FILING OR 371(C) DATE", 8),
            Line(100, 40, "FIRST NAMED APPLICANT", 8), Line(150, 40, "ATTY. DOCKET NO./TITLE", 8),
            Line(15, 46, "17/654,321", 10), Line(55, 46, "08/01/2023", 10), Line(100, 46, "Jane A. Smith", 10),
            Line(150, 46, "ACME-0077US", 10),
            Line(150, 56, "CONFIRMATION NO. 4410", 9),
            Line(15, 64, "Date Mailed: 09/12/2023", 10),
            *_flow(15, 75, [
                "NOTICE TO FILE MISSING PARTS OF NONPROVISIONAL APPLICATION",
                "FILED UNDER 37 CFR 1.53(b)",
                "Filing Date Granted",
                "Items Required To Avoid Abandonment: An application number and filing date have been accorded "
                "to this application. The item(s) indicated below, however, are missing. Applicant is given TWO "
                "MONTHS from the date of this Notice within which to file all required items below to avoid "
                "abandonment. Extensions of time may be obtained by filing a petition accompanied by the "
                "extension fee under the provisions of 37 CFR 1.136(a).",
                "The statutory basic filing fee is missing. Applicant must submit $ 320 to complete the basic "
                "filing fee.",
            ]),
        ])),
    ]
    out += _ep_samples(ep_number, ep_printed, ep_ref)
    out += _jp_samples(jp_number)
    out.append(Sample("wo-isr", "WO.ISR_TRANSMITTED", "WO", "PCT/EP2023/012345", date(2024, 1, 5), None, None, tuple([
        Line(15, 15, "PATENT COOPERATION TREATY", 12),
        Line(15, 25, "From the INTERNATIONAL SEARCHING AUTHORITY", 9),
        Line(120, 35, "PCT", 12),
        *_flow(100, 42, ["NOTIFICATION OF TRANSMITTAL OF THE INTERNATIONAL SEARCH REPORT AND THE WRITTEN OPINION "
                         "OF THE INTERNATIONAL SEARCHING AUTHORITY, OR THE DECLARATION (PCT Rule 44.1)"],
                size=9, width_chars=55),
        Line(100, 75, "Date of mailing (day/month/year) 05 January 2024", 10),
        Line(15, 90, "Applicant's or agent's file reference ACME-0042WO", 10),
        Line(15, 100, "International application No. PCT/EP2023/012345", 10),
        Line(110, 100, "International filing date (day/month/year) 14 March 2023", 9),
        *_flow(15, 115, [
            "Applicant ACME Corp.",
            "1. The applicant is hereby notified that the international search report and the written opinion of "
            "the International Searching Authority have been established and are transmitted herewith.",
            "Filing of amendments and statement under Article 19: The applicant is entitled, if he so wishes, to "
            "amend the claims of the international application (see Rule 46).",
        ]),
    ])))
    return tuple(out)


def _ep_header(printed: str, ref: str, dated: str, lang: str) -> list[Line]:
    labels = {"en": ("Date", "Reference", "Application No./Patent No.", "Applicant/Proprietor"),
              "de": ("Datum", "Zeichen", "Anmeldung Nr./Patent Nr.", "Anmelder/Inhaber"),
              "fr": ("Date", "Référence", "Demande n°/Brevet n°", "Demandeur/Titulaire")}[lang]
    return [
        Line(15, 12, "Europäisches Patentamt", 11), Line(15, 17, "European Patent Office", 11),
        Line(15, 22, "Office européen des brevets", 11),
        Line(120, 12, "80298 München, Germany", 8), Line(120, 16, "Tel. +49 (0)89 2399-0", 8),
        Line(15, 40, "Patentanwälte Muster & Partner", 9), Line(15, 44, "Musterstraße 1", 9),
        Line(15, 48, "80331 München, ALLEMAGNE", 9),
        Line(120, 55, f"{labels[0]}  {dated}", 10),
        Line(15, 65, labels[1], 8), Line(60, 65, labels[2], 8),
        Line(15, 70, ref, 10), Line(60, 70, f"{printed} - 1210", 10),
        Line(15, 78, labels[3], 8), Line(15, 83, "ACME Corp.", 10),
    ]


def _ep_samples(number: str, printed: str, ref: str) -> list[Sample]:
    def sample(name, code, dated: date, months, lang, paragraphs):
        header = _ep_header(printed, ref, dated.strftime("%d.%m.%Y"), lang)
        return Sample(name, code, "EP", number, dated, months, None, tuple(header + _flow(15, 95, paragraphs)))

    return [
        sample("ep-94-3-en", "EP.COMMUNICATION_94_3", date(2024, 1, 5), 4, "en", [
            "Communication pursuant to Article 94(3) EPC",
            "The examination of the above-identified application has revealed that it does not meet the "
            "requirements of the European Patent Convention for the reasons enclosed herewith. If the "
            "deficiencies indicated are not rectified the application may be refused pursuant to Article 97(2) EPC.",
            "You are invited to file your observations and insofar as the deficiencies are such as to be "
            "rectifiable, to correct the indicated deficiencies within a period of 4 months from the notification "
            "of this communication, the said period being computed in accordance with Rules 126(2) and 131(2) and "
            "(4) EPC.",
        ]),
        sample("ep-94-3-de", "EP.COMMUNICATION_94_3", date(2024, 3, 12), 6, "de", [
            "Bescheid gemäß Artikel 94(3) EPÜ",
            "Die Prüfung der oben genannten Anmeldung hat ergeben, dass sie den Erfordernissen des Europäischen "
            "Patentübereinkommens aus den beigefügten Gründen nicht genügt.",
            "Sie werden aufgefordert, innerhalb einer Frist von 6 Monaten nach Zustellung dieses Bescheids Ihre "
            "Stellungnahme einzureichen und die Mängel zu beseitigen.",
        ]),
        sample("ep-94-3-fr", "EP.COMMUNICATION_94_3", date(2023, 12, 7), 4, "fr", [
            "Notification établie conformément à l'article 94(3) CBE",
            "L'examen de la demande mentionnée ci-dessus a révélé qu'elle ne satisfait pas aux exigences de la "
            "Convention sur le brevet européen pour les motifs exposés ci-joint.",
            "Vous êtes invité à présenter vos observations dans un délai de 4 mois à compter de la signification "
            "de la présente notification.",
        ]),
        sample("ep-71-3", "EP.RULE_71_3_COMMUNICATION", date(2024, 4, 2), 4, "en", [
            "Communication under Rule 71(3) EPC",
            "Intention to grant",
            "You are informed that the examining division intends to grant a European patent on the basis of the "
            "above application, with the text and drawings and the related bibliographic data as indicated below.",
            "Within a period of four months from the notification of this communication, the applicant must pay "
            "the fee for grant and publishing and file a translation of the claims in the two official languages "
            "of the EPO other than the language of the proceedings.",
        ]),
        sample("ep-161-162", "EP.RULE_161_162_COMMUNICATION", date(2023, 10, 20), 6, "en", [
            "Communication pursuant to Rules 161(1) and 162 EPC",
            "The above-mentioned international application has entered the European phase. You are invited to "
            "correct the deficiencies noted in the written opinion of the International Searching Authority and "
            "to comply with Rule 137(4) within a period of six months after notification of this communication.",
        ]),
        sample("ep-esr", "EP.SEARCH_REPORT_DESPATCHED", date(2023, 6, 14), None, "en", [
            "Transmission of the extended European search report",
            "Pursuant to Rule 62 EPC, the extended European search report, consisting of the European search "
            "report and the European search opinion, is hereby transmitted.",
            "Date of completion of the search: 31.05.2023",
        ]),
        sample("ep-loss-of-rights", "EP.LOSS_OF_RIGHTS_NOTED", date(2024, 5, 21), 2, "en", [
            "Noting of loss of rights pursuant to Rule 112(1) EPC",
            "The application is deemed to be withdrawn because the renewal fee and the additional fee were not "
            "paid in due time (Article 86(1) EPC).",
            "If you consider that the findings of the EPO are inaccurate, you may, within two months of "
            "notification of this communication, apply for a decision on the matter (Rule 112(2) EPC).",
        ]),
    ]


def _jp_samples(number: str) -> list[Sample]:
    def header(title: str, drafted: str, dispatched: str) -> list[Line]:
        return [
            Line(150, 12, "発送番号　４５６７８９", 10), Line(150, 18, f"発送日　{dispatched}", 10),
            Line(80, 30, title, 16),
            Line(20, 45, "特許出願の番号　　　特願２０２２－１２３４５６", 11),
            Line(20, 52, f"起案日　　　　　　　{drafted}", 11),
            Line(20, 59, "特許庁審査官　　　　山田　太郎　　　　１２３４　５Ａ００", 11),
            Line(20, 66, "発明の名称　　　　　搬送装置", 11),
            Line(20, 73, "特許出願人代理人　　鈴木　一郎　様", 11),
            Line(20, 80, "整理番号　　　　　　ACME0042JP", 11),
        ]

    notice = ["この出願は、次の理由によって拒絶をすべきものです。これについて意見がありましたら、",
              "この通知書の発送の日から６０日以内に意見書を提出してください。", "理由",
              "１．（進歩性）この出願の下記の請求項に係る発明は、",
              "その出願前に日本国内又は外国において頒布された下記の刊行物に記載された発明に基いて、",
              "その出願前にその発明の属する技術の分野における通常の知識を有する者が容易に発明を",
              "することができたものであるから、特許法第２９条第２項の規定により特許を受けることができない。"]
    refusal = ["この出願については、令和５年６月１日付け拒絶理由通知書に記載した理由によって、",
               "拒絶をすべきものです。",
               "なお、意見書及び手続補正書の内容を検討しましたが、拒絶理由を覆すに足りる根拠が見いだせません。"]
    grant = ["この出願については、拒絶の理由を発見しないから、特許査定をします。"]

    def lines(texts: list[str]) -> list[Line]:
        return [Line(20, 95 + 8 * i, t, 11) for i, t in enumerate(texts)]

    return [
        Sample("jp-reasons", "JP.NOTICE_OF_REASONS_FOR_REFUSAL", "JP", number, date(2023, 12, 5), None, 60, tuple(
            header("拒絶理由通知書", "令和５年１２月１日", "令和５年１２月５日") + lines(notice)), japanese=True),
        Sample("jp-refusal", "JP.DECISION_OF_REFUSAL", "JP", number, date(2023, 10, 3), None, None, tuple(
            header("拒絶査定", "令和５年９月２８日", "令和５年１０月３日") + lines(refusal)), japanese=True),
        Sample("jp-grant", "JP.DECISION_TO_GRANT", "JP", number, date(2024, 2, 20), None, None, tuple(
            header("特許査定", "令和６年２月１４日", "令和６年２月２０日") + lines(grant)), japanese=True),
    ]


def fonts_available(japanese: bool = False) -> bool:
    return LATIN_FONT.exists() and (not japanese or CJK_FONT.exists())


def page_image(sample: Sample, dpi: int = 300) -> Image.Image:
    """The sample drawn on a white A4 page, grey-scale, at ``dpi``."""
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    fonts: dict[float, ImageFont.FreeTypeFont] = {}
    path = CJK_FONT if sample.japanese else LATIN_FONT
    for line in sample.lines:
        if line.size_pt not in fonts:
            fonts[line.size_pt] = ImageFont.truetype(str(path), round(line.size_pt / 72 * dpi))
        draw.text((line.x_mm / 25.4 * dpi, line.y_mm / 25.4 * dpi), line.text, font=fonts[line.size_pt], fill=0)
    return image


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_pdf(samples_: list[Sample]) -> bytes:
    """A born-digital PDF, one page per sample (Helvetica, WinAnsi: Latin text only)."""
    pt_w, pt_h = (mm / 25.4 * 72 for mm in A4_MM)
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: pages (filled in below)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")  # 3
    kids = []
    for sample in samples_:
        ops = [b"BT"]
        for line in sample.lines:
            x = line.x_mm / 25.4 * 72
            y = pt_h - line.y_mm / 25.4 * 72 - line.size_pt
            ops.append(b"/F1 %.1f Tf 1 0 0 1 %.2f %.2f Tm " % (line.size_pt, x, y) + _pdf_string(line.text) + b" Tj")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R >> "
                       b">> /Contents %d 0 R >>" % (pt_w, pt_h, content))
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
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


def image_pdf(images: list[Image.Image], dpi: int = 300) -> bytes:
    """A PDF of page images (a scan saved as PDF): no text layer."""
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def degrade(sample: Sample, kind: str, seed: int = 0) -> Image.Image:
    """The sample's page as a scanner or fax would return it (``DEGRADATIONS``)."""
    rng = random.Random(f"{sample.name}:{kind}:{seed}")
    image = page_image(sample, dpi=200 if kind in ("dpi200", "fax") else 300)
    if kind in ("noise", "fax"):
        image = _noise(image, rng, sigma=35 if kind == "noise" else 25, specks=0.004)
    if kind in ("blur", "fax"):
        image = image.filter(ImageFilter.GaussianBlur(1.2 if kind == "blur" else 0.8))
    if kind in ("skew", "fax"):
        angle = rng.uniform(2.0, 5.0) * rng.choice((-1, 1))
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if kind in ("jpeg", "fax"):
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=12 if kind == "jpeg" else 25)
        image = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    if kind == "rot90":
        image = image.rotate(90, expand=True)
    if kind == "rot180":
        image = image.rotate(180, expand=True)
    return image


def _noise(image: Image.Image, rng: random.Random, sigma: float, specks: float) -> Image.Image:
    import numpy as np

    gen = np.random.default_rng(rng.randrange(2**32))
    pixels = np.asarray(image, dtype=np.float64)
    pixels = pixels + gen.normal(0, sigma, pixels.shape)
    mask = gen.random(pixels.shape)
    pixels[mask < specks / 2] = 0
    pixels[mask > 1 - specks / 2] = 255
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")


def encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()
