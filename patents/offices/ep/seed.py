"""EP (EPO Register, INPADOC, published data): canonical event types and the office-code mapping seed.

Data only, no Django. ``patents.code_seed`` gathers every office's rows through the registry; why the
rows are chosen as they are (one trigger per real communication, mailing dates, biblio facts) is written there.
"""

from __future__ import annotations

# (code, label, office, internal)
EVENT_TYPES: list[tuple[str, str, str, bool]] = [
    # EP — triggering or answering events the rules know
    ("EP.FILED", "European application filed", "EP", False),
    ("EP.SEARCH_REPORT_PUBLISHED", "Mention of the European search report in the Bulletin", "EP", False),
    ("EP.EXAMINATION_REQUESTED", "Request for examination filed", "EP", False),
    ("EP.COMMUNICATION_94_3", "Communication under Art. 94(3) EPC", "EP", False),
    ("EP.REPLY_FILED", "Reply to a communication filed", "EP", False),
    ("EP.RULE_71_3_COMMUNICATION", "Communication under Rule 71(3) EPC (intention to grant)", "EP", False),
    ("EP.R71_3_APPROVED", "Grant and publishing fees paid, text approved (Rule 71(3) EPC)", "EP", False),
    ("EP.RULE_161_162_COMMUNICATION", "Communication under Rules 161/162 EPC", "EP", False),
    ("EP.LOSS_OF_RIGHTS_NOTED", "Communication of loss of rights (Rule 112(1) EPC)", "EP", False),
    ("EP.RENEWAL_FEE_PAID", "Renewal fee paid", "EP", False),
    ("EP.PATENT_GRANTED", "European patent granted (mention in the Bulletin)", "EP", False),
    ("EP.DEEMED_WITHDRAWN", "Application deemed to be withdrawn", "EP", False),
    ("EP.REGIONAL_PHASE_ENTERED", "Entry into the European phase", "EP", False),
    # EP — internal steps (kept, trigger nothing)
    ("EP.EXAM_REPORT_ENTRY", "Register entry: despatch of examination report", "EP", True),
    ("EP.FIRST_EXAM_REPORT_ENTRY", "Register entry: first examination report", "EP", True),
    ("EP.SEARCH_REPORT_DESPATCHED", "Extended European search report despatched", "EP", True),
    ("EP.INTENTION_TO_GRANT_ENTRY", "Register entry: communication of intention to grant", "EP", True),
    ("EP.FEE_PAYMENT_ENTRY", "Register entry: fee payment", "EP", True),
    ("EP.TRANSLATION_FILED", "Translation of the claims filed", "EP", True),
    ("EP.GRANT_DECISION", "Decision to grant / (expected) grant", "EP", True),
    ("EP.NO_OPPOSITION", "No opposition filed within time limit", "EP", True),
    ("EP.NATIONAL_LAPSE", "Lapse of the patent in a contracting state", "EP", True),
    ("EP.LOSS_OF_RIGHTS_ENTRY", "Register entry: communication of loss of rights", "EP", True),
    ("EP.R161_ENTRY", "Register entry: communication under Rules 161/162", "EP", True),
    ("EP.AMENDMENTS_FILED", "Amendments by the applicant", "EP", True),
    ("EP.DATA_CHANGED", "Register data changed (applicant, representative, title, classification)", "EP", True),
    ("EP.PROCEDURE_INFO", "Procedural information (language, searching authority, extension states)", "EP", True),
    ("EP.INPADOC_EVENT", "INPADOC legal event (Bulletin/gazette date)", "EP", True),
    ("EP.OFFICE_STEP", "Other office step (accepted from quarantine)", "EP", True),
    # canonical types the deadline rules react to (a code a rule names must exist as an event type)
    ('EP.PRIORITY_APPLICATION_FILED', 'First filing whose priority a European application may claim', 'EP', False),
    ('EP.DESIGNATION_FEE_PAID', 'Designation fee paid', 'EP', False),
    ('EP.FURTHER_PROCESSING_REQUESTED', 'Further processing requested (Art. 121 EPC)', 'EP', False),
    ('EP.LOSS_OF_RIGHTS_REVOKED', 'Communication of loss of rights revoked', 'EP', False),
    ('EP.SUMMONS_ORAL_PROCEEDINGS', 'Summons to oral proceedings', 'EP', False),
    ('EP.APPEALABLE_DECISION', 'Decision open to appeal notified (refusal, opposition, ...)', 'EP', False),
    ('EP.APPEAL_FILED', 'Notice of appeal filed, appeal fee paid (Art. 108 EPC)', 'EP', False),
    ('EP.APPEAL_GROUNDS_FILED', 'Statement of grounds of appeal filed', 'EP', False),
    ('EP.DIVISIONAL_FILED', 'Divisional application filed (date of actual filing; Rule 51(3) EPC)', 'EP', False),
    ('EP.OPPOSITION_FILED', 'Opposition filed (Art. 99 EPC)', 'EP', False),
    ('EP.UNITARY_EFFECT_REQUESTED', 'Request for unitary effect filed (Rule 6 UPR)', 'EP', False),
    ('EP.VALIDATED', 'Validated in a contracting state (params.office = state)', 'EP', False),
    ('EP.REVOKED', 'European patent revoked', 'EP', False),
    ('EP.NON_COMPLIANCE_CAUSE_REMOVED', 'Cause of non-compliance removed (params.time_limit_expired)', 'EP', False),
    ('EP.RE_ESTABLISHMENT_REQUESTED', 'Re-establishment of rights requested (Art. 122 EPC)', 'EP', False),
]

_EXAM = "the procedural step carries the dispatch date and time limit and triggers"

# (office, source, code, canonical code, note)
MAPPINGS: list[tuple[str, str, str, str, str]] = [
    # --- EP Register procedural steps (the triggering feed for EP)
    ("EP", "procedural-step", "EXRE", "EP.COMMUNICATION_94_3", "Art. 94(3) EPC; date = DATE_OF_DISPATCH"),
    ("EP", "procedural-step", "DDIV", "EP.COMMUNICATION_94_3", "first communication from the examining division"),
    ("EP", "procedural-step", "IGRA", "EP.RULE_71_3_COMMUNICATION", "Rule 71(3) EPC; date = DATE_OF_DISPATCH"),
    ("EP", "procedural-step", "R161", "EP.RULE_161_162_COMMUNICATION", "Rules 161(1)/162 EPC"),
    ("EP", "procedural-step", "RFEE", "EP.RENEWAL_FEE_PAID", "Art. 86 EPC; YEAR → param year"),
    ("EP", "procedural-step", "EXAM", "EP.EXAMINATION_REQUESTED", "Art. 94(1) EPC"),
    ("EP", "procedural-step", "LOPR", "EP.LOSS_OF_RIGHTS_NOTED", "Rule 112(1) EPC"),
    ("EP", "procedural-step", "ADWI", "EP.DEEMED_WITHDRAWN", ""),
    ("EP", "procedural-step", "ABEX", "EP.AMENDMENTS_FILED", "amendments; the reply itself is a dossier event"),
    ("EP", "procedural-step", "EXPT", "EP.PROCEDURE_INFO", "extension of the patent (extension states)"),
    ("EP", "procedural-step", "PROL", "EP.PROCEDURE_INFO", "language of the procedure (no date)"),
    ("EP", "procedural-step", "ISAT", "EP.PROCEDURE_INFO", "international searching authority (no date)"),
    # --- EP Register dossier events
    ("EP", "register-event", "0009012", "EP.SEARCH_REPORT_PUBLISHED",
     "publication of the application (A1, with the search report) in the Bulletin; Rule 70(1) EPC runs from it"),
    ("EP", "register-event", "0009171", "EP.EXAMINATION_REQUESTED", "answers Rule 70(1); answers may repeat"),
    ("EP", "register-event", "EPIDOSNREX", "EP.EXAMINATION_REQUESTED", "answers Rule 70(1); answers may repeat"),
    ("EP", "register-event", "0009185", "EP.FIRST_EXAM_REPORT_ENTRY", _EXAM),
    ("EP", "register-event", "EPIDOSNEXR2", "EP.EXAM_REPORT_ENTRY", _EXAM),
    ("EP", "register-event", "EPIDOSCEXR2", "EP.EXAM_REPORT_ENTRY", _EXAM),
    ("EP", "register-event", "EPIDOSNEXR3", "EP.REPLY_FILED", "reply to the examination report"),
    ("EP", "register-event", "EPIDOSNR161", "EP.REPLY_FILED", "reply to the Rules 161/162 communication"),
    ("EP", "register-event", "EPIDOSNSRE", "EP.SEARCH_REPORT_DESPATCHED", "despatch, not the Bulletin mention"),
    ("EP", "register-event", "EPIDOSNIGR1", "EP.INTENTION_TO_GRANT_ENTRY", "the IGRA procedural step triggers"),
    ("EP", "register-event", "EPIDOSNIGR3", "EP.R71_3_APPROVED", "fee for grant paid: approval under Rule 71(5)"),
    ("EP", "register-event", "EPIDOSNIGR5", "EP.FEE_PAYMENT_ENTRY", "fee for publishing/printing"),
    ("EP", "register-event", "EPIDOSNIGR7", "EP.TRANSLATION_FILED", "Rule 71(3) translations of the claims"),
    ("EP", "register-event", "0009210", "EP.GRANT_DECISION", "grant is recorded from the biblio grant date"),
    ("EP", "register-event", "EPIDOSNRFE2", "EP.FEE_PAYMENT_ENTRY", "the RFEE procedural step carries the year"),
    ("EP", "register-event", "EPIDOSNEXP2", "EP.FEE_PAYMENT_ENTRY", "fee for an extension state"),
    ("EP", "register-event", "0009261", "EP.NO_OPPOSITION", ""),
    ("EP", "register-event", "0009250", "EP.NATIONAL_LAPSE", ""),
    ("EP", "register-event", "EPIDOSNLOR1", "EP.LOSS_OF_RIGHTS_ENTRY", "the LOPR procedural step triggers"),
    ("EP", "register-event", "0009299DEWI", "EP.DEEMED_WITHDRAWN", ""),
    ("EP", "register-event", "EPIDOSNRPE", "EP.REGIONAL_PHASE_ENTERED", "Euro-PCT: Art. 153 EPC"),
    ("EP", "register-event", "EPIDOSN1612", "EP.R161_ENTRY", "the R161 procedural step triggers"),
    ("EP", "register-event", "EPIDOS ABEX", "EP.AMENDMENTS_FILED", ""),
    ("EP", "register-event", "EPIDOS FREP", "EP.DATA_CHANGED", ""),
    ("EP", "register-event", "0008199IPCL", "EP.DATA_CHANGED", ""),
    ("EP", "register-event", "0009199APPR", "EP.DATA_CHANGED", ""),
    ("EP", "register-event", "0009199FREP", "EP.DATA_CHANGED", ""),
    ("EP", "register-event", "0009199TIDE", "EP.DATA_CHANGED", ""),
    ("EP", "register-event", "0009199TIEN", "EP.DATA_CHANGED", ""),
    ("EP", "register-event", "0009199TIFR", "EP.DATA_CHANGED", ""),
    # --- EP bibliographic facts
    ("EP", "biblio", "@filing_date", "EP.FILED", "Art. 80 EPC date of filing; renewal fees run from it"),
    ("EP", "biblio", "@grant_date", "EP.PATENT_GRANTED", "Art. 97(3) EPC: mention of the grant"),
]
# INPADOC events of EP documents: all internal (gazette dates; the register reports the acts themselves).
for _code in (
    "AK", "AX", "17P", "17Q", "GRAP", "INTG", "GRAS", "GRAA", "REG", "26N", "PLBE", "PG25", "PGFP", "18D",
    "PUAI", "STAA", "RAP1", "RIC1", "RBV", "R17P", "R18D", "R079", "REF", "RIN1", "RIN2",
):
    MAPPINGS.append(("EP", "inpadoc", _code, "EP.INPADOC_EVENT", "INPADOC (gazette date): information only"))

# Remedies (entered by hand until a register code for them is verified against a recorded answer): the
# re-establishment decision closes the remedy deadlines and brings the right back (Art. 122(3) EPC).
EVENT_TYPES += [
    ("EP.RE_ESTABLISHMENT_GRANTED", "Re-establishment of rights granted (Art. 122(3) EPC)", "EP", False),
]
