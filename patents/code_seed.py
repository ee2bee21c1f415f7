"""Seed data for the office-code mapping table (loaded by migration 0005; afterwards the admin owns it).

Data only, no Django. Two tables:

``EVENT_TYPES``: canonical event types (code, label, office, internal). The deadline rules
(``deadlines/rules``) are keyed on the non-internal ones; internal types are office steps that stay in the
timeline but trigger nothing.

``MAPPINGS``: (office, source, office code, canonical code, note). Choices that matter for deadlines:

- **One trigger per real communication.** The EPO Register reports an examination report twice — as the
  dossier event ``EPIDOSNEXR2`` and as the procedural step ``EXRE`` (which carries the time limit and the
  dispatch date). Only the procedural step triggers; the dossier event is an internal step. Likewise IGRA
  (not EPIDOSNIGR1), RFEE (not EPIDOSNRFE2), R161 (not EPIDOSN1612), LOPR (not EPIDOSNLOR1). INPADOC events
  for EP applications are all internal: their date is the Bulletin (gazette) date, not the date of the
  document, and the register already reports the act.
- **USPTO periods run from the mailing date** (37 CFR 1.134, MPEP 710.01): ``MCTNF`` "Mail Non-Final
  Rejection" is US.NON_FINAL_REJECTION; ``CTNF`` (the examiner's action being counted) is the internal
  US.NON_FINAL_REJECTION_PREPARED. The same for CTFR/MCTFR, CTRS/MCTRS, N/=./MN/=. (notice of allowance).
- **Filing and grant** are facts of the bibliographic data, not entries in every feed: source ``biblio``
  codes ``@filing_date`` / ``@grant_date`` record them once per matter (the renewal, annuity, maintenance
  and PCT national-phase rules run from them).
- **EPO documents** carry the date they bear (procedural-step DATE_OF_DISPATCH); the 10-day rule for
  documents dated before 1 Nov 2023 is applied by the deadline engine (EPC R126(2) old version).
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
    # US
    ("US.FILED", "US application filed", "US", False),
    ("US.NON_FINAL_REJECTION", "Non-final rejection mailed", "US", False),
    ("US.FINAL_REJECTION", "Final rejection mailed", "US", False),
    ("US.RESTRICTION_REQUIREMENT", "Restriction/election requirement mailed", "US", False),
    ("US.NOTICE_OF_ALLOWANCE", "Notice of allowance mailed", "US", False),
    ("US.RESPONSE_FILED", "Response filed", "US", False),
    ("US.RCE_FILED", "Request for continued examination filed", "US", False),
    ("US.ISSUE_FEE_PAID", "Issue fee paid", "US", False),
    ("US.PATENT_GRANTED", "Patent granted (issue date)", "US", False),
    ("US.ISSUE_NOTIFICATION", "Issue notification mailed", "US", False),
    ("US.ABANDONED", "Abandonment mailed", "US", False),
    ("US.NON_FINAL_REJECTION_PREPARED", "Non-final rejection counted (not yet mailed)", "US", True),
    ("US.FINAL_REJECTION_PREPARED", "Final rejection counted (not yet mailed)", "US", True),
    ("US.RESTRICTION_PREPARED", "Restriction requirement counted (not yet mailed)", "US", True),
    ("US.NOTICE_OF_ALLOWANCE_PREPARED", "Notice of allowance data verified (not yet mailed)", "US", True),
    ("US.ABANDONMENT_PREPARED", "Abandonment decided (not yet mailed)", "US", True),
    ("US.PUBLISHED", "Pre-grant publication issued", "US", True),
    ("US.OFFICE_STEP", "USPTO internal or administrative step", "US", True),
    # JP
    ("JP.FILED", "Japanese application filed", "JP", False),
    ("JP.EXAMINATION_REQUESTED", "Request for examination filed", "JP", False),
    ("JP.NOTICE_OF_REASONS_FOR_REFUSAL", "Notice of reasons for refusal", "JP", False),
    ("JP.RESPONSE_FILED", "Written opinion / amendment filed", "JP", False),
    ("JP.DECISION_TO_GRANT", "Decision to grant", "JP", False),
    ("JP.DECISION_OF_REFUSAL", "Decision of refusal", "JP", False),
    ("JP.REGISTERED", "Patent registered", "JP", False),
    ("JP.FILING_DOCUMENT", "Filing document (request, description, claims, drawings, abstract)", "JP", True),
    ("JP.SEARCH_REPORT", "Search report (registered searching organisation)", "JP", True),
    ("JP.REGISTRATION_FEE_PAID", "Registration fee paid", "JP", True),
    ("JP.CERTIFICATE_ISSUED", "Patent certificate issued", "JP", True),
    ("JP.OFFICE_STEP", "Other JPO step", "JP", True),
    # WO
    ("WO.FILED", "International application filed", "WO", False),
    ("WO.NATIONAL_PHASE_ENTERED", "Entry into a national or regional phase", "WO", False),
    ("WO.EP_DESIGNATED", "EPO informed by WIPO that EP was designated", "WO", True),
    ("WO.EP_NON_ENTRY", "No entry into the European phase", "WO", True),
    ("WO.INPADOC_EVENT", "Other INPADOC event of a PCT application", "WO", True),
]

# Canonical types the deadline rules react to (trigger, answer or replace) that had no seeded row (issue 15).
# A code a rule names must exist as an event type, or nobody can record the fact that closes the deadline
# (tests/deadlines/test_rules_codes.py keeps the two in step).
EVENT_TYPES += [
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
    ('US.PROVISIONAL_FILED', 'US provisional application filed', 'US', False),
    ('US.NONPROVISIONAL_FILED', 'Non-provisional application claiming the provisional filed', 'US', False),
    ('US.PRIORITY_APPLICATION_FILED', 'First filing whose priority a US application may claim', 'US', False),
    ('US.MISSING_PARTS_NOTICE', 'Notice to file missing parts mailed', 'US', False),
    ('US.MISSING_PARTS_FILED', 'Missing parts filed', 'US', False),
    ('US.ADVISORY_ACTION', 'Advisory action mailed (after final)', 'US', False),
    ('US.ADVISORY_ACTION_PREPARED', 'Advisory action counted (not yet mailed)', 'US', True),
    ('US.NOTICE_OF_APPEAL_FILED', 'Notice of appeal filed', 'US', False),
    ('US.APPEAL_BRIEF_FILED', 'Appeal brief filed', 'US', False),
    ('US.EX_PARTE_QUAYLE', 'Ex parte Quayle action mailed', 'US', False),
    ('US.EX_PARTE_QUAYLE_PREPARED', 'Ex parte Quayle action counted (not yet mailed)', 'US', True),
    ('US.MAINTENANCE_FEE_PAID', 'Maintenance fee paid (params.year = 3.5 / 7.5 / 11.5)', 'US', False),
    ('US.CONTINUATION_FILED', 'Continuing application filed claiming this one (35 USC 120)', 'US', False),
    ('US.WITHDRAWN_FROM_ISSUE', 'Application withdrawn from issue (37 CFR 1.313)', 'US', False),
    ('US.IDS_FILED', 'Information disclosure statement filed', 'US', False),
    ('US.FOREIGN_OFFICE_CITATION', 'Communication of a foreign office citing art (counterpart)', 'US', False),
    ('US.PRIORITY_CLAIM_FILED', 'Foreign priority / benefit claim filed (ADS)', 'US', False),
    ('US.PTA_RECONSIDERATION_FILED', 'Request for reconsideration of patent term adjustment filed', 'US', False),
    ('JP.PRIORITY_APPLICATION_FILED', 'First filing whose priority a Japanese application may claim', 'JP', False),
    ('JP.APPEAL_FILED', 'Appeal against decision of refusal filed', 'JP', False),
    ('JP.ANNUITY_PAID', 'Annual fee paid (params.year)', 'JP', False),
    ('JP.DIVISIONAL_FILED', 'Divisional application filed (date of actual filing; Art. 44)', 'JP', False),
    ('JP.PRIORITY_DOCUMENT_FILED', 'Priority document submitted (Art. 43(2))', 'JP', False),
    ('JP.NATIONAL_DOCUMENTS_FILED', 'National documents filed (Art. 184-5)', 'JP', False),
    ('JP.TRANSLATION_FILED', 'Translation of the international application filed (Art. 184-4)', 'JP', False),
    ('JP.GAZETTE_PUBLISHED', 'Patent gazette issued (params.watched for a watched patent)', 'JP', False),
    ('JP.OPPOSITION_FILED', 'Opposition filed (Art. 113)', 'JP', False),
    ('WO.PRIORITY_APPLICATION_FILED', 'First filing whose priority a PCT application may claim', 'WO', False),
    ('WO.ISR_TRANSMITTED', 'International search report transmitted', 'WO', False),
    ('WO.ART19_AMENDMENTS_FILED', 'Amendments under PCT Art. 19 filed', 'WO', False),
    ('WO.DEMAND_FILED', 'Demand for international preliminary examination filed', 'WO', False),
    ('WO.WITHDRAWN', 'International application withdrawn / considered withdrawn', 'WO', False),
    ('WO.FEES_PAID', 'Transmittal, international filing and search fees paid', 'WO', False),
    ('WO.PRIORITY_CLAIM_CORRECTED', 'Priority claim corrected or added (Rule 26bis.1)', 'WO', False),
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
    # --- US ODP transactions: the mailing events trigger (37 CFR 1.134)
    ("US", "odp-transaction", "MCTNF", "US.NON_FINAL_REJECTION", "Mail Non-Final Rejection"),
    ("US", "odp-transaction", "CTNF", "US.NON_FINAL_REJECTION_PREPARED", "period runs from MCTNF"),
    ("US", "odp-transaction", "MCTFR", "US.FINAL_REJECTION", "Mail Final Rejection"),
    ("US", "odp-transaction", "CTFR", "US.FINAL_REJECTION_PREPARED", "period runs from MCTFR"),
    ("US", "odp-transaction", "MCTRS", "US.RESTRICTION_REQUIREMENT", "Mail Restriction Requirement"),
    ("US", "odp-transaction", "CTRS", "US.RESTRICTION_PREPARED", "period runs from MCTRS"),
    ("US", "odp-transaction", "MN/=.", "US.NOTICE_OF_ALLOWANCE", "Mail Notice of Allowance; 35 USC 151"),
    ("US", "odp-transaction", "N/=.", "US.NOTICE_OF_ALLOWANCE_PREPARED", "period runs from MN/=."),
    ("US", "odp-transaction", "NOA", "US.NOTICE_OF_ALLOWANCE_PREPARED", "period runs from MN/=."),
    ("US", "odp-transaction", "MC/N=", "US.OFFICE_STEP", "corrected notice of allowance (no new period)"),
    ("US", "odp-transaction", "C/N=", "US.OFFICE_STEP", ""),
    ("US", "odp-transaction", "A...", "US.RESPONSE_FILED", "Response after Non-Final Action"),
    ("US", "odp-transaction", "A.NE", "US.RESPONSE_FILED", "Response after Final Action"),
    ("US", "odp-transaction", "ELC.", "US.RESPONSE_FILED", "Response to Election / Restriction"),
    ("US", "odp-transaction", "RCEX", "US.RCE_FILED", "Request for Continued Examination"),
    ("US", "odp-transaction", "IFEE", "US.ISSUE_FEE_PAID", "Issue Fee Payment Received"),
    ("US", "odp-transaction", "N084", "US.OFFICE_STEP", "issue fee payment verified"),
    ("US", "odp-transaction", "WPIR", "US.ISSUE_NOTIFICATION", "Issue Notification Mailed"),
    ("US", "odp-transaction", "MABN2", "US.ABANDONED", "Mail Abandonment for Failure to Respond"),
    ("US", "odp-transaction", "ABN2", "US.ABANDONMENT_PREPARED", ""),
    ("US", "odp-transaction", "PG-ISSUE", "US.PUBLISHED", ""),
    # issue 15: the mailing events trigger, the counted action is an internal step (as for CTNF/MCTNF)
    ("US", "odp-transaction", "N/AP", "US.NOTICE_OF_APPEAL_FILED", "Notice of Appeal Filed; 37 CFR 41.37(a)"),
    ("US", "odp-transaction", "AP.B", "US.APPEAL_BRIEF_FILED", "Appeal Brief Filed"),
    ("US", "odp-transaction", "MCTEQ", "US.EX_PARTE_QUAYLE", "Mail Ex Parte Quayle Action"),
    ("US", "odp-transaction", "CTEQ", "US.EX_PARTE_QUAYLE_PREPARED", "period runs from MCTEQ"),
    ("US", "odp-transaction", "MCTAV", "US.ADVISORY_ACTION", "Mail Advisory Action (PTOL-303); MPEP 706.07(f)"),
    ("US", "odp-transaction", "CTAV", "US.ADVISORY_ACTION_PREPARED", "the mailing (MCTAV) counts"),
]
for _code in (
    "IEXX", "BIG.", "FLRCPT.O", "FLRCPT.U", "EML_NTF", "EML_NTR", "OIPE", "DOCK", "PTAC", "EPG/", "EPG_NTF",
    "MEPG_NTF", "PGM/", "APPERMS", "CCRDY", "COMP", "D1935", "ELC_RVW", "FLFEE", "FTFI", "IDSC", "INCD",
    "M844", "MOPPT", "MP014", "MPTDI", "OPPT", "P014", "PET.", "PILS", "PTA.RFE", "PTDI", "SMAL", "SREXR141",
    "WIDS",
):
    MAPPINGS.append(("US", "odp-transaction", _code, "US.OFFICE_STEP", "administrative step"))
MAPPINGS += [
    ("US", "biblio", "@filing_date", "US.FILED", "35 USC 111"),
    ("US", "biblio", "@grant_date", "US.PATENT_GRANTED", "issue date; maintenance fees run from it (37 CFR 1.362)"),
    # --- JPO progress documents
    ("JP", "jpo-progress", "A63", "JP.FILING_DOCUMENT", "filing is recorded once, from the biblio filing date"),
    ("JP", "jpo-progress", "A621", "JP.EXAMINATION_REQUESTED", "出願審査請求書, Patent Act Art. 48-3"),
    ("JP", "jpo-progress", "A971007", "JP.SEARCH_REPORT", "検索報告書"),
    ("JP", "jpo-progress", "A131", "JP.NOTICE_OF_REASONS_FOR_REFUSAL", "拒絶理由通知書, Art. 50"),
    ("JP", "jpo-progress", "A53", "JP.RESPONSE_FILED", "意見書"),
    ("JP", "jpo-progress", "A523", "JP.RESPONSE_FILED", "手続補正書"),
    ("JP", "jpo-progress", "A01", "JP.DECISION_TO_GRANT", "特許査定"),
    ("JP", "jpo-progress", "A02", "JP.DECISION_OF_REFUSAL", "拒絶査定, Art. 121 appeal period"),
    ("JP", "jpo-progress", "A61", "JP.REGISTRATION_FEE_PAID", "登録料納付"),
    ("JP", "jpo-progress", "R100", "JP.REGISTRATION_FEE_PAID", "特許料納付書"),
    ("JP", "jpo-progress", "R150", "JP.CERTIFICATE_ISSUED", "特許証"),
    ("JP", "biblio", "@filing_date", "JP.FILED", "Art. 36"),
    ("JP", "biblio", "@grant_date", "JP.REGISTERED", "registration date; annuities run from it (Art. 108)"),
    # --- WO (PCT): facts from the bibliographic data, events from INPADOC
    ("WO", "biblio", "@filing_date", "WO.FILED", "PCT Art. 11; national phase periods run from the priority date"),
    ("WO", "inpadoc", "121", "WO.EP_DESIGNATED", ""),
    ("WO", "inpadoc", "122", "WO.EP_NON_ENTRY", ""),
    ("WO", "inpadoc", "ENP", "WO.NATIONAL_PHASE_ENTERED", "L501EP ref country → param office"),
    ("WO", "inpadoc", "WWE", "WO.INPADOC_EVENT", "WIPO information: entry into national phase"),
]
# INPADOC events of EP documents: all internal (gazette dates; the register reports the acts themselves).
for _code in (
    "AK", "AX", "17P", "17Q", "GRAP", "INTG", "GRAS", "GRAA", "REG", "26N", "PLBE", "PG25", "PGFP", "18D",
    "PUAI", "STAA", "RAP1", "RIC1", "RBV", "R17P", "R18D", "R079", "REF", "RIN1", "RIN2",
):
    MAPPINGS.append(("EP", "inpadoc", _code, "EP.INPADOC_EVENT", "INPADOC (gazette date): information only"))


def seed_code_table(apps, *, reason: str) -> None:
    """Create the event types and mappings above that do not exist yet, each with a history row (for migrations).

    Rows that already exist are left alone: an admin may have corrected them. ``apps`` is the migration's app
    registry, so this works at any point of the migration history.
    """
    from django.utils import timezone

    def history(model_name: str, obj, fields: list[str]) -> None:
        historical = apps.get_model("patents", f"Historical{model_name}")
        historical.objects.create(
            id=obj.pk, history_date=timezone.now(), history_type="+", history_change_reason=reason,
            history_actor="process:migrate", **{name: getattr(obj, name) for name in fields},
        )

    EventType = apps.get_model("patents", "EventType")
    Mapping = apps.get_model("patents", "OfficeCodeMapping")
    types = {}
    for code, label, office, internal in EVENT_TYPES:
        et = EventType.objects.filter(code=code).first()
        if et is None:
            et = EventType.objects.create(code=code, label=label, office=office, internal=internal)
            history("EventType", et, ["code", "label", "office", "internal", "description"])
        types[code] = et
    for office, source, code, canonical, note in MAPPINGS:
        if Mapping.objects.filter(office=office, source=source, code=code).exists():
            continue
        mapping = Mapping.objects.create(office=office, source=source, code=code, event_type=types[canonical],
                                         note=note)
        history("OfficeCodeMapping", mapping, ["office", "source", "code", "event_type_id", "note", "created_at"])
