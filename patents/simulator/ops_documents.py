"""OPS XML documents for synthetic matters, in the shapes OPS 3.2 serves today.

Register documents use the current ns2 (http://ops.epo.org) / ns3 (http://www.epo.org/register) prefixes;
legal, published-data, family and number-service documents use the exchange namespace as default and the
``ops:`` prefix, exactly as the real service does (see tests/fixtures/offices/epo).

Codes: the register event codes, procedural-step codes and INPADOC legal codes the simulator emits are
listed in ``REGISTER_EVENTS``, ``PROCEDURAL_STEPS`` and ``LEGAL_EVENTS`` so the normalization table can
map every one of them. Codes marked ``real`` appear in recorded OPS responses; the others follow the
same naming patterns and are the simulator's own.
"""

# XML templates read best on one line each; long literal lines are deliberate here.
# ruff: noqa: E501

from __future__ import annotations

from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

from patents.simulator.portfolio import EP_STATES, Event, MatterHeader, SyntheticMatter

NS_OPS = "http://ops.epo.org"
NS_REG = "http://www.epo.org/register"
NS_EXCH = "http://www.epo.org/exchange"

XML_DECL = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
REGISTER_ROOT_OPEN = (
    "<?xml-stylesheet type='text/xsl' href='../../../../../style/rplus.xsl' ?>"
    '<ns2:world-patent-data xmlns:ns6="http://www.epo.org/cpcdefinition" '
    'xmlns:ns5="http://www.epo.org/cpcexport" xmlns:ns2="http://ops.epo.org" '
    'xmlns:ns4="http://www.w3.org/1999/xlink" xmlns:ns3="http://www.epo.org/register">'
)
EXCHANGE_ROOT_OPEN = (
    '<ops:world-patent-data xmlns="http://www.epo.org/exchange" xmlns:ops="http://ops.epo.org" '
    'xmlns:xlink="http://www.w3.org/1999/xlink">'
)

# kind → (event-code, event-text, has gazette reference, real?)
REGISTER_EVENTS: dict[str, tuple[str, str, bool, bool]] = {
    "publication": ("0009012", "Publication in section I.1 EP Bulletin", True, True),
    "search_report": (
        "EPIDOSNSRE",
        "New entry: Despatch of the extended European search report",
        False,
        False,
    ),
    "exam_request": ("EPIDOSNREX", "New entry: Request for examination filed", False, False),
    "first_exam_report": ("0009185", "First examination report", False, True),
    "exam_report": ("EPIDOSNEXR2", "New entry: Despatch of examination report + time limit", False, False),
    "exam_reply": ("EPIDOSNEXR3", "New entry: Reply to examination report", False, True),
    "r71_3": ("EPIDOSNIGR1", "New entry: Communication of intention to grant the patent", False, False),
    "grant_fee_paid": ("EPIDOSNIGR3", "New entry: Payment of fee for grant", False, True),
    "translations_filed": (
        "EPIDOSNIGR7",
        "New entry: Receipt of the translation of the claim(s)",
        False,
        True,
    ),
    "grant_decision": ("0009210", "(Expected) grant", True, True),
    "renewal_paid": ("EPIDOSNRFE2", "New entry: Renewal fee paid", False, True),
    "no_opposition": ("0009261", "No opposition filed within time limit", True, True),
    "national_lapse": ("0009250", "Lapse of the patent in a contracting state", True, True),
    "loss_of_rights": (
        "EPIDOSNLOR1",
        "New entry: Communication of loss of rights (Rule 112(1) EPC)",
        False,
        False,
    ),
    "deemed_withdrawn": ("0009299DEWI", "Application deemed to be withdrawn", True, False),
    "ep_entry": ("EPIDOSNRPE", "New entry: Entry into the regional phase", False, False),
    "r161": ("EPIDOSN1612", "New entry: Communication pursuant to Rules 161(1) and 162 EPC", False, False),
    "r161_reply": (
        "EPIDOSNR161",
        "New entry: Reply to communication pursuant to Rules 161(1) and 162 EPC",
        False,
        False,
    ),
}

# kind → (step code, description, date type, real?)
PROCEDURAL_STEPS: dict[str, tuple[str, str, str, bool]] = {
    "renewal_paid": ("RFEE", "Renewal fee payment", "DATE_OF_PAYMENT", True),
    "exam_report": ("EXRE", "Communication from the examining division", "DATE_OF_DISPATCH", True),
    "r71_3": ("IGRA", "Intention to grant the patent", "DATE_OF_DISPATCH", True),
    "exam_request": ("EXAM", "Request for examination", "DATE_OF_REQUEST", False),
    "loss_of_rights": ("LOPR", "Loss of particular right", "DATE_OF_DISPATCH", False),
    "deemed_withdrawn": ("ADWI", "Application deemed to be withdrawn", "DATE_LEGAL_EFFECT", False),
    "r161": ("R161", "Communication pursuant to Rules 161(1) and 162 EPC", "DATE_OF_DISPATCH", False),
}

# kind → (INPADOC code (4 chars, space padded), description, influence, real?)
LEGAL_EVENTS: dict[str, tuple[str, str, str, bool]] = {
    "publication": ("AK  ", "DESIGNATED CONTRACTING STATES", "+", True),
    "exam_request": ("17P ", "REQUEST FOR EXAMINATION FILED", "+", True),
    "first_exam_report": ("17Q ", "FIRST EXAMINATION REPORT DESPATCHED", "+", True),
    "r71_3": ("GRAP", "DESPATCH OF COMMUNICATION OF INTENTION TO GRANT A PATENT", "+", True),
    "r71_3_intg": ("INTG", "INTENTION TO GRANT ANNOUNCED", "+", True),
    "grant_fee_paid": ("GRAS", "GRANT FEE PAID", "+", True),
    "grant_decision": ("GRAA", "(EXPECTED) GRANT", "+", True),
    "grant": ("AK  ", "DESIGNATED CONTRACTING STATES", "+", True),
    "grant_reg": ("REG ", "REFERENCE TO A NATIONAL CODE", " ", True),
    "no_opposition": ("26N ", "NO OPPOSITION FILED", "+", True),
    "no_opposition_plbe": ("PLBE", "NO OPPOSITION FILED WITHIN TIME LIMIT", "+", True),
    "national_lapse": (
        "PG25",
        "LAPSED IN A CONTRACTING STATE [ANNOUNCED VIA POSTGRANT INFORMATION FROM NATIONAL OFFICE TO EPO]",
        "-",
        True,
    ),
    "national_renewal_paid": (
        "PGFP",
        "ANNUAL FEE PAID TO NATIONAL OFFICE  [ANNOUNCED VIA POSTGRANT INFORMATION FROM NATIONAL OFFICE TO EPO]",
        "+",
        True,
    ),
    "deemed_withdrawn": ("18D ", "APPLICATION DEEMED TO BE WITHDRAWN", "-", True),
    "ep_entry": (
        "PUAI",
        "PUBLIC REFERENCE MADE UNDER ARTICLE 153(3) EPC TO A PUBLISHED INTERNATIONAL APPLICATION THAT HAS "
        "ENTERED THE EUROPEAN PHASE",
        "+",
        True,
    ),
    "status": (
        "STAA",
        "INFORMATION ON THE STATUS OF AN EP PATENT APPLICATION OR GRANTED EP PATENT",
        " ",
        True,
    ),
    "wo_designated_ep": (
        "121 ",
        "EP: THE EPO HAS BEEN INFORMED BY WIPO THAT EP WAS DESIGNATED IN THIS APPLICATION",
        "+",
        True,
    ),
    "national_phase_entry": ("ENP ", "ENTRY INTO THE NATIONAL PHASE", "+", True),
    "wo_non_entry_ep": ("122 ", "EP: PCT APPLICATION NON-ENTRY IN EUROPEAN PHASE", "-", True),
}

EP_STATUS_BY_KIND = {
    "publication": ("16", "The application has been published"),
    "exam_request": ("15", "Request for examination was made"),
    "first_exam_report": ("14", "Examination is in progress"),
    "r161_reply": ("14", "Examination is in progress"),
    "r71_3": ("12", "Grant of patent is intended"),
    "grant": ("8", "The patent has been granted"),
    "no_opposition": ("7", "No opposition filed within time limit"),
    "deemed_withdrawn": ("10", "The application is deemed to be withdrawn"),
}


def d8(d: date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def gazette(d: date) -> tuple[str, date]:
    """The EP Bulletin issue (published on Wednesdays) that would announce an event of date ``d``."""
    days = (2 - d.weekday()) % 7 + 14
    wed = d + timedelta(days=days)
    y, w, _ = wed.isocalendar()
    return f"{y}/{w:02d}", wed


def t(tag: str, text: object, attrs: str = "") -> str:
    return f"<{tag}{attrs}>{escape(str(text))}</{tag}>"


def a(**attrs: object) -> str:
    return "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())


def title_languages(m: SyntheticMatter | MatterHeader) -> list[tuple[str, str]]:
    return [("de", m.title.upper() + " (DE)"), ("en", m.title.upper()), ("fr", m.title.upper() + " (FR)")]


def _expanded_events(m: SyntheticMatter) -> list[Event]:
    """Events with the first examination report marked, as the register reports it separately."""
    out: list[Event] = []
    first = True
    for e in m.events:
        out.append(e)
        if e.kind == "exam_report" and first:
            first = False
            out.append(Event(e.date + timedelta(days=2), "first_exam_report"))
    return out


def ep_status_history(m: SyntheticMatter) -> list[tuple[date, str, str]]:
    hist: list[tuple[date, str, str]] = []
    for e in _expanded_events(m):
        if e.kind in EP_STATUS_BY_KIND:
            code, text = EP_STATUS_BY_KIND[e.kind]
            if not hist or hist[-1][1] != code:
                hist.append((e.date, code, text))
    if not hist:
        hist.append((m.filing_date, "16", "The application has been published"))
    return hist


def ep_current_status(m: SyntheticMatter) -> tuple[str, str]:
    _, code, text = ep_status_history(m)[-1]
    return code, text


def is_in_register(m: SyntheticMatter) -> bool:
    """EP applications become public (and appear in the Register) with their publication."""
    if m.office != "EP":
        return False
    return any(e.kind in ("publication", "wo_publication", "ep_entry") for e in m.events)


# Register --------------------------------------------------------------------------------------
def register_document(m: SyntheticMatter, constituents: list[str], produced: date) -> str:
    code, text = ep_current_status(m)
    parts = [
        f"<ns3:register-document{a(date_produced=d8(produced), dtd_version='1.3.3', lang='en', produced_by='RO', status=text)}>",
        "<ns3:ep-patent-statuses>",
    ]
    for when, c, txt in reversed(ep_status_history(m)):
        parts.append(t("ns3:ep-patent-status", txt, a(change_date=d8(when), status_code=c)))
    parts.append("</ns3:ep-patent-statuses>")
    if "biblio" in constituents or "upp" in constituents:
        parts.append(register_biblio(m, text))
    if "events" in constituents:
        parts.extend(register_events(m))
    if "procedural-steps" in constituents:
        parts.append(register_procedural_steps(m))
    parts.append("</ns3:register-document>")
    return "".join(parts)


def register_search_wrapper(query: str, docs: list[str], total: int, begin: int, end: int) -> str:
    return (
        XML_DECL
        + REGISTER_ROOT_OPEN
        + f'<ns2:register-search total-result-count="{total}">'
        + t("ns2:query", query, a(syntax="CQL"))
        + f'<ns2:range begin="{begin}" end="{end}"/>'
        + '<ns3:register-documents produced-by="RO">'
        + "".join(docs)
        + "</ns3:register-documents></ns2:register-search></ns2:world-patent-data>"
    )


def _docid(country: str, number: str, kind: str = "", when: date | None = None, lang: str = "") -> str:
    out = f"<ns3:document-id{a(lang=lang) if lang else ''}>" + t("ns3:country", country)
    out += t("ns3:doc-number", number)
    if kind:
        out += t("ns3:kind", kind)
    if when:
        out += t("ns3:date", d8(when))
    return out + "</ns3:document-id>"


def _addressbook(name: str, lines: tuple[str, ...], country: str, cdsid: str | None = None) -> str:
    out = f"<ns3:addressbook{a(cdsid=cdsid) if cdsid else ''}>" + t("ns3:name", name) + "<ns3:address>"
    for i, line in enumerate(lines, 1):
        out += t(f"ns3:address-{i}", line)
    return out + t("ns3:country", country) + "</ns3:address></ns3:addressbook>"


# Long because: the register's bibliographic-data XML, element by element.
def register_biblio(m: SyntheticMatter, status_text: str) -> str:
    first_gazette = gazette(m.publication_date or m.filing_date)[0]
    p = [
        f"<ns3:bibliographic-data{a(country='EP', id=f'EP{m.ep_application_digits}P', lang='en', status=status_text)}>"
    ]
    if m.kind == "euro-pct" and m.wo_publication_number:
        p.append(f'<ns3:publication-reference change-gazette-num="{first_gazette}">')
        p.append(_docid("WO", m.wo_publication_number[2:], "A1", m.wo_publication_date, "en"))
        p.append("</ns3:publication-reference>")
    if m.kind == "ep-direct" and m.publication_number:
        p.append(f'<ns3:publication-reference change-gazette-num="{first_gazette}">')
        p.append(_docid("EP", m.publication_number[2:], "A1", m.publication_date, "en"))
        p.append("</ns3:publication-reference>")
    if m.grant_date:
        p.append(f'<ns3:publication-reference change-gazette-num="{gazette(m.grant_date - timedelta(days=14))[0]}">')
        p.append(_docid("EP", m.grant_number[2:], "B1", m.grant_date, "en"))
        p.append("</ns3:publication-reference>")
    p.append(
        f'<ns3:classifications-ipcr change-date="{d8(m.publication_date or m.filing_date)}" '
        f'change-gazette-num="{first_gazette}"><ns3:classification-ipcr id="CLASSIFICATION_{m.index + 1000}">'
        f"<ns3:text>{_ipc(m)}</ns3:text></ns3:classification-ipcr></ns3:classifications-ipcr>"
    )
    p.append(f'<ns3:application-reference change-gazette-num="{first_gazette}">')
    p.append(_docid("EP", m.ep_application_digits, "", m.filing_date))
    p.append("</ns3:application-reference>")
    if m.pct_application_number:
        p.append("<ns3:application-reference>")
        p.append(_docid("WO", _pct_register_form(m.pct_application_number)))
        p.append("</ns3:application-reference>")
    p.append(t("ns3:language-of-filing", "en"))
    if m.priorities:
        p.append(f'<ns3:priority-claims change-date="{d8(m.filing_date)}" change-gazette-num="{first_gazette}">')
        for n, pr in enumerate(m.priorities, 1):
            p.append(
                f'<ns3:priority-claim kind="national" sequence="{n}">'
                + t("ns3:country", pr.country)
                + t("ns3:doc-number", pr.number)
                + t("ns3:date", d8(pr.date))
                + "</ns3:priority-claim>"
            )
        p.append("</ns3:priority-claims>")
    p.append("<ns3:parties>")
    p.append(f'<ns3:applicants change-date="{d8(m.filing_date)}" change-gazette-num="{first_gazette}">')
    p.append('<ns3:applicant app-type="applicant" designation="all" sequence="1">')
    p.append(_addressbook(m.applicant, m.applicant_address, m.applicant_country, f"01{m.index % 10**8:08d}"))
    p.append(
        "<ns3:nationality><ns3:country></ns3:country></ns3:nationality>"
        "<ns3:residence><ns3:country></ns3:country></ns3:residence></ns3:applicant></ns3:applicants>"
    )
    p.append(f'<ns3:inventors change-date="{d8(m.filing_date)}" change-gazette-num="{first_gazette}">')
    for n, inv in enumerate(m.inventors, 1):
        p.append(
            f'<ns3:inventor sequence="{n:02d}">'
            + _addressbook(inv, ("c/o " + m.applicant,), m.applicant_country)
            + "</ns3:inventor>"
        )
    p.append("</ns3:inventors>")
    p.append(
        f'<ns3:agents change-date="{d8(m.filing_date)}" change-gazette-num="{first_gazette}">'
        '<ns3:agent rep-type="agent" sequence="1">'
        + _addressbook(m.agent, ("Postfach 1",), "DE")
        + "</ns3:agent></ns3:agents>"
    )
    p.append("</ns3:parties>")
    p.append(
        f'<ns3:designation-of-states change-date="{d8(m.filing_date)}" change-gazette-num="{first_gazette}">'
        "<ns3:designation-pct><ns3:regional><ns3:region><ns3:country>EP</ns3:country></ns3:region>"
    )
    p.extend(t("ns3:country", c) for c in EP_STATES)
    p.append("</ns3:regional></ns3:designation-pct></ns3:designation-of-states>")
    for lang, ttl in title_languages(m):
        p.append(
            t(
                "ns3:invention-title",
                ttl,
                a(lang=lang, change_date=d8(m.filing_date), change_gazette_num=first_gazette),
            )
        )
    if m.lapsed_states:
        last = max(d for _, d in m.lapsed_states)
        p.append(f'<ns3:term-of-grant change-date="{d8(last)}" change-gazette-num="{gazette(last)[0]}">')
        for country, when in sorted(m.lapsed_states, key=lambda x: (x[1], x[0])):
            p.append(
                "<ns3:lapsed-in-country>"
                + t("ns3:country", country)
                + t("ns3:date", d8(when))
                + "</ns3:lapsed-in-country>"
            )
        p.append("</ns3:term-of-grant>")
    req = m.last("exam_request")
    first_report = next(iter(m.events_of("exam_report")), None)
    if req or first_report:
        p.append("<ns3:dates-rights-effective>")
        if req:
            p.append(
                f'<ns3:request-for-examination change-gazette-num="{gazette(req.date)[0]}">'
                + t("ns3:date", d8(req.date))
                + "</ns3:request-for-examination>"
            )
        if first_report:
            p.append(
                "<ns3:first-examination-report-despatched>"
                + t("ns3:date", d8(first_report.date))
                + "</ns3:first-examination-report-despatched>"
            )
        p.append("</ns3:dates-rights-effective>")
    no_opp = m.last("no_opposition")
    if no_opp and m.grant_date:
        p.append(
            f'<ns3:opposition-data change-date="{d8(no_opp.date)}" change-gazette-num="{gazette(no_opp.date)[0]}">'
            "<ns3:opposition-not-filed>"
            + t("ns3:date", d8(m.grant_date + timedelta(days=274)))
            + "</ns3:opposition-not-filed></ns3:opposition-data>"
        )
    dw = m.last("deemed_withdrawn")
    if dw:
        p.append(
            f'<ns3:date-application-deemed-withdrawn change-gazette-num="{gazette(dw.date)[0]}">'
            + t("ns3:date", d8(dw.date))
            + "</ns3:date-application-deemed-withdrawn>"
        )
    p.append("<ns3:search-reports-information>")
    if m.kind == "euro-pct" and m.wo_publication_number:
        p.append(
            '<ns3:search-report-information office="EP" search-type="isr" declaration-of-no-search='
            f'"not-determined" change-gazette-num="{first_gazette}"><ns3:search-report-publication>'
            + _docid("WO", m.wo_publication_number[2:], "A1", m.wo_publication_date, "en")
            + "</ns3:search-report-publication></ns3:search-report-information>"
        )
    for sr in m.events_of("search_report"):
        p.append(
            '<ns3:search-report-information office="EP" search-type="national-supplementary" '
            'declaration-of-no-search="not-determined"><ns3:date-search-report-mailed>'
            + t("ns3:date", d8(sr.date))
            + "</ns3:date-search-report-mailed></ns3:search-report-information>"
        )
    p.append("</ns3:search-reports-information>")
    p.append(related_documents_xml(m))
    p.append("</ns3:bibliographic-data>")
    return "".join(p)


def related_documents_xml(m: SyntheticMatter) -> str:
    """An EP divisional's ``related-documents/division`` as the register writes it: the application itself
    an empty placeholder, the parent in the long application form (20110776418 for EP11776418)."""
    if m.office != "EP" or m.parent_relation_code != "DIV" or not m.parent_application_number:
        return ""
    digits = m.parent_application_number[2:]
    long_form = f"20{digits[:2]}0{digits[2:]}"
    return (
        "<ns3:related-documents><ns3:division><ns3:relation>"
        "<ns3:child-doc><ns3:document-id><ns3:country></ns3:country><ns3:doc-number></ns3:doc-number>"
        "</ns3:document-id></ns3:child-doc>"
        '<ns3:parent-doc><ns3:document-id document-id-type="application number"><ns3:country>EP</ns3:country>'
        f"<ns3:doc-number>{long_form}</ns3:doc-number><ns3:kind>D</ns3:kind></ns3:document-id>"
        "</ns3:parent-doc></ns3:relation></ns3:division></ns3:related-documents>"
    )


def register_events(m: SyntheticMatter) -> list[str]:
    out = []
    events = [e for e in _expanded_events(m) if e.kind in REGISTER_EVENTS]
    for n, e in sorted(enumerate(events), key=lambda x: (x[1].date, x[0]), reverse=True):
        code, text, has_gazette, _ = REGISTER_EVENTS[e.kind]
        ev_id = f"EVT_{400000000 + m.index * 200 + n}"
        body = (
            f'<ns3:dossier-event id="{ev_id}" event-type="new"><ns3:event-date>{t("ns3:date", d8(e.date))}'
            f"</ns3:event-date>{t('ns3:event-code', code)}"
            f"{t('ns3:event-text', text, a(event_text_type='DESCRIPTION'))}"
        )
        if has_gazette:
            num, when = gazette(e.date)
            body += (
                f"<ns3:gazette-reference>{t('ns3:gazette-num', num)}{t('ns3:date', d8(when))}</ns3:gazette-reference>"
            )
        out.append(f"<ns3:events-data>{body}</ns3:dossier-event></ns3:events-data>")
    return out


def register_procedural_steps(m: SyntheticMatter) -> str:
    p = ["<ns3:procedural-data>"]
    replies = [e for e in m.events if e.kind in ("exam_reply", "loss_of_rights", "deemed_withdrawn")]
    fee_paid = m.last("grant_fee_paid")
    translations = m.last("translations_filed")
    for n, e in enumerate(m.events):
        if e.kind not in PROCEDURAL_STEPS:
            continue
        code, desc, date_type, _ = PROCEDURAL_STEPS[e.kind]
        prefix = "RENEWAL" if code == "RFEE" else f"STEP_{code}"
        phase = "undefined" if code == "RFEE" else ("entry-regional-phase" if code == "R161" else "examination")
        s = f'<ns3:procedural-step id="{prefix}_{50000000 + m.index * 200 + n}" procedure-step-phase="{phase}">'
        s += t("ns3:procedural-step-code", code)
        s += t("ns3:procedural-step-text", desc, a(step_text_type="STEP_DESCRIPTION"))
        if code == "RFEE":
            s += t("ns3:procedural-step-text", e.get("year"), a(step_text_type="YEAR"))
        s += f'<ns3:procedural-step-date step-date-type="{date_type}">{t("ns3:date", d8(e.date))}</ns3:procedural-step-date>'
        if code == "EXRE":
            reply = next((r for r in replies if r.date > e.date), None)
            if reply is not None and reply.kind == "exam_reply":
                s += (
                    '<ns3:procedural-step-date step-date-type="DATE_OF_REPLY">'
                    f"{t('ns3:date', d8(reply.date))}</ns3:procedural-step-date>"
                )
        if code == "IGRA":
            for date_type_paid, ev in (
                ("GRANT_FEE_PAID", fee_paid),
                ("PRINT_FEE_PAID", fee_paid),
                ("TRANSLATION_CLAIMS", translations),
            ):
                if ev is not None:
                    s += (
                        f'<ns3:procedural-step-date step-date-type="{date_type_paid}">'
                        f"{t('ns3:date', d8(ev.date))}</ns3:procedural-step-date>"
                    )
        if e.period_months:
            s += t("ns3:time-limit", f"{e.period_months:02d}", a(time_limit_unit="months"))
        p.append(s + "</ns3:procedural-step>")
    p.append(
        f'<ns3:procedural-step id="STEP_PROL_{14000000 + m.index}" procedure-step-phase="examination">'
        + t("ns3:procedural-step-code", "PROL")
        + t("ns3:procedural-step-text", "Language of the procedure", a(step_text_type="STEP_DESCRIPTION"))
        + t("ns3:procedural-step-text", "en", a(step_text_type="procedure language"))
        + "</ns3:procedural-step>"
    )
    if m.kind == "euro-pct":
        p.append(
            f'<ns3:procedural-step id="STEP_ISAT_{14500000 + m.index}" procedure-step-phase="entry-regional-phase">'
            + t("ns3:procedural-step-code", "ISAT")
            + t(
                "ns3:procedural-step-text",
                "International searching authority",
                a(step_text_type="STEP_DESCRIPTION"),
            )
            + t("ns3:procedural-step-text", "EP", a(step_text_type="searching authority"))
            + "</ns3:procedural-step>"
        )
    p.append("</ns3:procedural-data>")
    return "".join(p)


def _pct_register_form(pct: str) -> str:
    # PCT/EP2021/100012 -> WO2021EP100012 (register form, cf. WO2014EP63108)
    ro, year, serial = pct[4:6], pct[6:10], pct[11:]
    return f"WO{year}{ro}{serial}"


def _ipc(m: SyntheticMatter) -> str:
    classes = (
        "H01M4/04",
        "G01N21/64",
        "B25J15/00",
        "F03D1/06",
        "A61K39/395",
        "H01L23/31",
        "F28D9/00",
        "H04W84/18",
        "A61M5/20",
        "H02M3/335",
        "A01C1/06",
        "H04N19/85",
        "C25B1/04",
        "A61B17/072",
    )
    return classes[m.index % len(classes)]


# docdb / epodoc forms ------------------------------------------------------------------------------
def docdb_parts(number: str, kind: str) -> tuple[str, str, str]:
    """'EP3900012','A1' -> ('EP','3900012','A1'); 'WO2021100012' -> ('WO','2021100012','A1')."""
    return number[:2], number[2:], kind


def publications(m: SyntheticMatter) -> list[tuple[str, str, str, date]]:
    """(country, number, kind, date) for every publication of the matter, oldest first."""
    pubs: list[tuple[str, str, str, date]] = []
    if m.wo_publication_number and m.wo_publication_date:
        pubs.append(("WO", m.wo_publication_number[2:], "A1", m.wo_publication_date))
    if m.publication_number and m.publication_date and not m.publication_number.startswith("WO"):
        c, n, k = docdb_parts(m.publication_number, m.publication_kind)
        pubs.append((c, n, k, m.publication_date))
    if m.grant_number and m.grant_date:
        if m.office == "JP":
            pubs.append(("JP", m.grant_number, m.grant_kind, m.grant_date))
        else:
            c, n, k = docdb_parts(m.grant_number, m.grant_kind)
            pubs.append((c, n, k, m.grant_date))
    return pubs


def application_docdb(m: SyntheticMatter) -> tuple[str, str, str]:
    if m.office == "EP":
        return "EP", m.ep_application_digits, "A"
    if m.office == "WO":
        ro, year, serial = (
            m.pct_application_number[4:6],
            m.pct_application_number[6:10],
            m.pct_application_number[11:],
        )
        # As OPS writes a PCT application in docdb (recorded: family/published-data of WO2009085664):
        # the receiving office as country, year + serial as number, kind W (US / 2008086599 / W).
        return ro, f"{year}{serial}", "W"
    if m.office == "US":
        return "US", m.application_digits, "A"
    return "JP", m.application_digits, "A"


def member_application_docdb(m: SyntheticMatter, publication_country: str) -> tuple[str, str, str]:
    """The application a family member's publication was published from: a Euro-PCT matter's WO
    publication is the PCT application's (receiving office docdb form, kind W), not the EP one."""
    if publication_country == "WO" and m.pct_application_number:
        ro, year, serial = m.pct_application_number[4:6], m.pct_application_number[6:10], m.pct_application_number[11:]
        return ro, f"{year}{serial}", "W"
    return application_docdb(m)


def _exch_docid(kind: str, country: str | None, number: str, doc_kind: str | None, when: date | None) -> str:
    out = f'<document-id document-id-type="{kind}">'
    if country:
        out += t("country", country)
    out += t("doc-number", number)
    if doc_kind:
        out += t("kind", doc_kind)
    if when:
        out += t("date", d8(when))
    return out + "</document-id>"


def _family_member(m: SyntheticMatter, pub: tuple[str, str, str, date], extra: str = "") -> str:
    country, number, kind, when = pub
    ac, an, ak = member_application_docdb(m, country)
    out = f'<ops:family-member family-id="{m.family_id}"><publication-reference>'
    out += _exch_docid("docdb", country, number, kind, when)
    out += _exch_docid("epodoc", None, f"{country}{number}", None, when)
    out += f'</publication-reference><application-reference doc-id="{316000000 + m.index}" is-representative="YES">'
    out += _exch_docid("docdb", ac, an, ak, m.filing_date) + "</application-reference>"
    prios = m.priorities or ()
    if prios:
        for n, pr in enumerate(prios, 1):
            out += (
                f'<priority-claim sequence="{n}" kind="national">'
                + _exch_docid("docdb", pr.country, pr.number, "A", pr.date)
                + "<priority-active-indicator>YES</priority-active-indicator></priority-claim>"
            )
    else:
        out += (
            '<priority-claim sequence="1" kind="regional">'
            + _exch_docid("docdb", ac, an, ak, m.filing_date)
            + "<priority-active-indicator>YES</priority-active-indicator></priority-claim>"
        )
    return out + extra + "</ops:family-member>"


# Legal (INPADOC) -----------------------------------------------------------------------------------
def _legal_event(
    m: SyntheticMatter, key: str, gazette_date: date, fields: list[tuple[str, str, str]], doc_kind: str = "A "
) -> str:
    code, desc, infl, _ = LEGAL_EVENTS[key]
    ac, an, app_kind = application_docdb(m)
    if app_kind == "W":
        # The application as DOCDB writes it: a PCT application's events carry kind W (receiving office as
        # the country), as INPADOC sends them for WO publications.
        doc_kind = "W "
    head = f"{ac:<6}{an}{doc_kind.strip()}  {gazette_date.isoformat()}{code}{infl}{desc}"
    out = f'<ops:legal code="{code}" desc={quoteattr(desc)} infl="{infl}" dateMigr="00010101">'
    for n, (_, label, value) in enumerate(fields or [("", "", "")], 1):
        line = head + (f" {label} {value}" if label else "")
        out += t("ops:pre", line, a(line=f"{n:05d}"))
    out += t("ops:L001EP", ac, a(desc="Country Code"))
    out += t("ops:L002EP", "F", a(desc="Filing / Published Document"))
    out += t("ops:L003EP", f"{an:>12}", a(desc="Document Number"))
    out += t("ops:L004EP", doc_kind, a(desc="Kind Code"))
    out += t("ops:L005EP", "PI", a(desc="IPR Type"))
    out += t("ops:L007EP", gazette_date.isoformat(), a(desc="Gazette DATE"))
    out += t("ops:L008EP", code.strip(), a(desc="Legal Event Code 1"))
    out += t("ops:L018EP", (gazette_date + timedelta(days=1)).isoformat(), a(desc="DATE last exchanged"))
    out += t("ops:L019EP", (gazette_date + timedelta(days=1)).isoformat(), a(desc="DATE first created"))
    if fields:
        out += "<ops:L500EP>"
        for tag, label, value in fields:
            out += t(f"ops:{tag}", value, a(desc=label))
        out += "</ops:L500EP>"
    return out + "</ops:legal>"


# Long because: INPADOC legal events XML, one event kind after the other.
def legal_events_xml(m: SyntheticMatter) -> str:
    out: list[str] = []
    for e in _expanded_events(m):
        g = gazette(e.date)[1]
        k = e.kind
        if k == "publication" or (k == "grant" and m.office == "EP"):
            out.append(
                _legal_event(
                    m,
                    k,
                    e.date,
                    [
                        ("L506EP", "Kind Code of Ref Document", "A1" if k == "publication" else "B1"),
                        ("L507EP", "Designated State(s)", " ".join(EP_STATES)),
                    ],
                )
            )
            if k == "grant":
                out.append(
                    _legal_event(
                        m,
                        "grant_reg",
                        e.date,
                        [("L501EP", "Ref Country Code", "GB"), ("L502EP", "Ref Legal Event Code", "FG4D")],
                    )
                )
        elif k in ("exam_request", "first_exam_report", "no_opposition", "deemed_withdrawn"):
            out.append(_legal_event(m, k, g, [("L525EP", "Effective DATE", d8(e.date))]))
            if k == "no_opposition":
                out.append(
                    _legal_event(
                        m,
                        "no_opposition_plbe",
                        e.date,
                        [("L510EP", "Free Format Text", "ORIGINAL CODE: 0009261")],
                    )
                )
        elif k == "r71_3":
            out.append(_legal_event(m, "r71_3", e.date, [("L510EP", "Free Format Text", "ORIGINAL CODE: EPIDOSNIGR1")]))
            out.append(_legal_event(m, "r71_3_intg", g, [("L525EP", "Effective DATE", d8(e.date))]))
        elif k == "grant_fee_paid":
            out.append(_legal_event(m, k, e.date, [("L510EP", "Free Format Text", "ORIGINAL CODE: EPIDOSNIGR3")]))
        elif k == "grant_decision":
            out.append(_legal_event(m, k, e.date, [("L510EP", "Free Format Text", "ORIGINAL CODE: 0009210")]))
        elif k == "national_lapse":
            out.append(
                _legal_event(
                    m,
                    k,
                    e.date,
                    [
                        ("L501EP", "Ref Country Code", e.get("country")),
                        (
                            "L510EP",
                            "Free Format Text",
                            "LAPSE BECAUSE OF FAILURE TO SUBMIT A TRANSLATION OF THE DESCRIPTION OR TO PAY THE FEE WITHIN THE "
                            "PRESCRIBED TIME-LIMIT",
                        ),
                        ("L525EP", "Effective DATE", e.get("effective")),
                    ],
                )
            )
        elif k == "national_renewal_paid":
            out.append(
                _legal_event(
                    m,
                    k,
                    e.date + timedelta(days=18),
                    [
                        ("L501EP", "Ref Country Code", e.get("country")),
                        ("L518EP", "Payment DATE", d8(e.date)),
                        ("L520EP", "Year of Fee Payment", e.get("year")),
                    ],
                )
            )
        elif k == "ep_entry":
            out.append(_legal_event(m, k, g, []))
        elif k == "wo_publication" and m.office == "WO":
            out.append(
                _legal_event(
                    m,
                    "wo_designated_ep",
                    g,
                    [("L510EP", "Free Format Text", f"REF DOCUMENT NUMBER: {m.application_number}")],
                )
            )
        elif k == "national_phase_entry":
            out.append(_legal_event(m, k, g, [("L501EP", "Ref Country Code", e.get("country"))]))
        if k in EP_STATUS_BY_KIND and m.office == "EP":
            _, text = EP_STATUS_BY_KIND[k]
            out.append(_legal_event(m, "status", e.date, [("L510EP", "Free Format Text", f"STATUS: {text.upper()}")]))
    return "".join(out)


def legal_document(m: SyntheticMatter, requested: tuple[str, str, str]) -> str:
    c, n, k = requested
    pubs = publications(m) or [(c, n, k, m.filing_date)]
    members = "".join(_family_member(m, p, legal_events_xml(m) if i == 0 else "") for i, p in enumerate(pubs))
    return (
        XML_DECL.replace(' standalone="yes"', "").replace("utf-8", "UTF-8")
        + '<?xml-stylesheet type="text/xsl" href="../../../../style/legal.xsl"?>'
        + EXCHANGE_ROOT_OPEN
        + f'<ops:patent-family legal="true" total-result-count="{len(pubs)}"><ops:publication-reference>'
        + _exch_docid("docdb", c, n, k, None)
        + "</ops:publication-reference>"
        + members
        + "</ops:patent-family></ops:world-patent-data>"
    )


# Published data ------------------------------------------------------------------------------------
def exchange_document(m: SyntheticMatter, pub: tuple[str, str, str, date]) -> str:
    country, number, kind, when = pub
    ac, an, ak = application_docdb(m)
    out = (
        f'<exchange-document system="ops.epo.org" family-id="{m.family_id}" country="{country}" '
        f'doc-number="{number}" kind="{kind}"><bibliographic-data><publication-reference>'
    )
    out += _exch_docid("docdb", country, number, kind, when)
    out += _exch_docid("epodoc", None, f"{country}{number}", None, when)
    out += "</publication-reference>"
    out += (
        f'<classifications-ipcr><classification-ipcr sequence="1"><text>{escape(_ipc(m))}  A I</text>'
        "</classification-ipcr></classifications-ipcr>"
    )
    out += f'<application-reference doc-id="{316000000 + m.index}">'
    out += _exch_docid("docdb", ac, an, ak, None)
    out += _exch_docid("epodoc", None, m.epodoc_application, None, m.filing_date)
    # "original" is the number as the office printed it: PCT numbers lose "PCT/" (US2008/086599).
    original = f"{ac}{an[:4]}/{an[4:]}" if m.office == "WO" else an
    out += _exch_docid("original", None, original, None, None)
    out += "</application-reference><priority-claims>"
    if m.priorities:
        for n_, pr in enumerate(m.priorities, 1):
            out += (
                f'<priority-claim sequence="{n_}" kind="national">'
                + _exch_docid("epodoc", None, f"{pr.country}{pr.number}", None, pr.date)
                + "</priority-claim>"
            )
    else:
        out += (
            '<priority-claim sequence="1" kind="national">'
            + _exch_docid("epodoc", None, m.epodoc_application, None, m.filing_date)
            + "</priority-claim>"
        )
    out += "</priority-claims><parties><applicants>"
    out += (
        f'<applicant sequence="1" data-format="epodoc"><applicant-name>'
        f"<name>{escape(m.applicant.upper())} [{m.applicant_country}]</name></applicant-name></applicant>"
    )
    out += (
        f'<applicant sequence="1" data-format="original"><applicant-name>'
        f"<name>{escape(m.applicant)}</name></applicant-name></applicant></applicants><inventors>"
    )
    for n_, inv in enumerate(m.inventors, 1):
        out += (
            f'<inventor sequence="{n_}" data-format="original"><inventor-name><name>{escape(inv)}</name>'
            "</inventor-name></inventor>"
        )
    out += "</inventors></parties>"
    for lang, ttl in title_languages(m):
        out += t("invention-title", ttl, a(lang=lang))
    out += "</bibliographic-data>"
    out += (
        f'<abstract lang="en"><p>{escape(m.title)}. A synthetic abstract generated by the docketapp office '
        "simulator.</p></abstract>"
    )
    return out + "</exchange-document>"


def published_biblio_document(m: SyntheticMatter, pubs: list[tuple[str, str, str, date]]) -> str:
    return (
        XML_DECL.replace(' standalone="yes"', "").replace("utf-8", "UTF-8")
        + '<?xml-stylesheet type="text/xsl" href="../../../../../style/exchange.xsl"?>'
        + EXCHANGE_ROOT_OPEN
        + "<exchange-documents>"
        + "".join(exchange_document(m, p) for p in pubs)
        + "</exchange-documents></ops:world-patent-data>"
    )


def family_document(m: SyntheticMatter, requested: tuple[str, str, str], constituents: list[str]) -> str:
    c, n, k = requested
    pubs = publications(m) or [(c, n, k, m.filing_date)]
    members = []
    for p in pubs:
        extra = ""
        if "biblio" in constituents:
            extra += exchange_document(m, p)
        if "legal" in constituents:
            extra += legal_events_xml(m)
        members.append(_family_member(m, p, extra))
    legal = "true" if "legal" in constituents else "false"
    return (
        XML_DECL.replace(' standalone="yes"', "").replace("utf-8", "UTF-8")
        + '<?xml-stylesheet type="text/xsl" href="../../../../style/family.xsl"?>'
        + EXCHANGE_ROOT_OPEN
        + f'<ops:patent-family legal="{legal}" total-result-count="{len(pubs)}"><ops:publication-reference>'
        + _exch_docid("docdb", c, n, k, None)
        + "</ops:publication-reference>"
        + "".join(members)
        + "</ops:patent-family></ops:world-patent-data>"
    )


def number_service_document(
    m: SyntheticMatter, ref_type: str, input_format: str, output_format: str, raw_input: str
) -> str:
    if ref_type == "application":
        country, number, kind = application_docdb(m)
        when = m.filing_date
        epodoc = m.epodoc_application
        original = m.application_number
    else:
        pubs = publications(m)
        country, number, kind, when = pubs[0]
        epodoc = f"{country}{number}"
        original = number
    tag = f"ops:{ref_type}-reference"
    if output_format == "docdb":
        out_id = _exch_docid("docdb", country, number, kind, when)
    elif output_format == "epodoc":
        out_id = _exch_docid("epodoc", None, epodoc, kind, when)
    else:
        out_id = _exch_docid("original", country, original, kind, when)
    return (
        XML_DECL.replace(' standalone="yes"', "").replace("utf-8", "UTF-8")
        + EXCHANGE_ROOT_OPEN
        + f'<ops:standardization inputFormat="{input_format}" outputFormat="{output_format}">'
        + f"<ops:input><{tag}>"
        + _exch_docid(input_format, None, raw_input, None, None)
        + f"</{tag}></ops:input>"
        + f"<ops:output><{tag}>"
        + out_id
        + f"</{tag}></ops:output>"
        + "</ops:standardization></ops:world-patent-data>"
    )


def biblio_search_document(
    query: str,
    total: int,
    begin: int,
    end: int,
    hits: list[tuple[SyntheticMatter, tuple[str, str, str, date]]],
    constituents: list[str],
) -> str:
    out = [
        XML_DECL.replace(' standalone="yes"', "").replace("utf-8", "UTF-8"),
        EXCHANGE_ROOT_OPEN,
        f'<ops:biblio-search total-result-count="{total}">',
        t("ops:query", query, a(syntax="CQL")),
        f'<ops:range begin="{begin}" end="{end}"/><ops:search-result>',
    ]
    for m, pub in hits:
        if "biblio" in constituents:
            out.append(exchange_document(m, pub))
        else:
            c, n, k, _ = pub
            out.append(
                f'<ops:publication-reference system="ops.epo.org" family-id="{m.family_id}">'
                + _exch_docid("docdb", c, n, k, None)
                + "</ops:publication-reference>"
            )
    out.append("</ops:search-result></ops:biblio-search></ops:world-patent-data>")
    return "".join(out)
