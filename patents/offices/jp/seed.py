"""JP (JPO Patent Information Retrieval API): canonical event types and the office-code mapping seed.

Data only, no Django. ``patents.code_seed`` gathers every office's rows through the registry; why the
rows are chosen as they are (one trigger per real communication, mailing dates, biblio facts) is written there.
"""

from __future__ import annotations

# (code, label, office, internal)
EVENT_TYPES: list[tuple[str, str, str, bool]] = [
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
    # canonical types the deadline rules react to (a code a rule names must exist as an event type)
    ('JP.PRIORITY_APPLICATION_FILED', 'First filing whose priority a Japanese application may claim', 'JP', False),
    ('JP.APPEAL_FILED', 'Appeal against decision of refusal filed', 'JP', False),
    ('JP.ANNUITY_PAID', 'Annual fee paid (params.year)', 'JP', False),
    ('JP.DIVISIONAL_FILED', 'Divisional application filed (date of actual filing; Art. 44)', 'JP', False),
    ('JP.PRIORITY_DOCUMENT_FILED', 'Priority document submitted (Art. 43(2))', 'JP', False),
    ('JP.NATIONAL_DOCUMENTS_FILED', 'National documents filed (Art. 184-5)', 'JP', False),
    ('JP.TRANSLATION_FILED', 'Translation of the international application filed (Art. 184-4)', 'JP', False),
    ('JP.GAZETTE_PUBLISHED', 'Patent gazette issued (params.watched for a watched patent)', 'JP', False),
    ('JP.OPPOSITION_FILED', 'Opposition filed (Art. 113)', 'JP', False),
]

# (office, source, code, canonical code, note)
MAPPINGS: list[tuple[str, str, str, str, str]] = [
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
]

# --- Office codes for rule triggers that were entered by hand (h15) ------------------------------------------
# JPO intermediate-document codes as the Patent Information Retrieval API writes them (law digit dropped:
# A63 特許願, A53 意見書, A621 出願審査請求書 in our recorded answers are A163, A153, A1621 in full). The two
# below are not in a recorded answer of ours; they are read in public code lists that agree: the short form
# "A632 国内書面" (with "A63 特許願", "A61 登録料納付", "A621 出願審査請求書" as in our answers) and the full
# forms "A1632 国内書面", "A1634 国際出願翻訳文提出書" in several JPO-data projects. A634 means another document
# for trade marks (書換登録申請書), which are out of scope (quarantined), never docketed.
MAPPINGS += [
    ("JP", "jpo-progress", "A632", "JP.NATIONAL_DOCUMENTS_FILED", "国内書面, Patent Act Art. 184-5(1)"),
    ("JP", "jpo-progress", "A634", "JP.TRANSLATION_FILED", "国際出願翻訳文提出書, Patent Act Art. 184-4(1)"),
]

# Registered rights (registration_info, fetched for registered matters): the facts it states are "biblio"
# facts (codes starting with "@", built by jp/documents.py), not office document codes.
EVENT_TYPES += [
    ("JP.RIGHT_LAPSED", "Patent right extinguished for non-payment of an annuity (Art. 112(4))", "JP", False),
    ("JP.RIGHT_EXTINGUISHED", "Patent right extinguished (registry; cause other than non-payment)", "JP", False),
    ("JP.RESTORATION_REQUESTED", "Restoration of the right requested (Art. 112-2)", "JP", False),
    ("JP.RESTORED", "Patent right restored (Art. 112-2, 112-3)", "JP", False),
]
MAPPINGS += [
    ("JP", "biblio", "@annuity_paid", "JP.ANNUITY_PAID",
     "registration_info lastPaymentYearly: one event per year paid from year 4 (params.year)"),
    ("JP", "biblio", "@right_lapsed", "JP.RIGHT_LAPSED",
     "registration_info disappearanceDate at the end of the paid-up period: Art. 112(4)"),
    ("JP", "biblio", "@right_extinguished", "JP.RIGHT_EXTINGUISHED",
     "registration_info erasureIdentifier not 00 on another date (term, surrender, invalidation)"),
]
