"""US (USPTO Open Data Portal): canonical event types and the office-code mapping seed.

Data only, no Django. ``patents.code_seed`` gathers every office's rows through the registry; why the
rows are chosen as they are (one trigger per real communication, mailing dates, biblio facts) is written there.
"""

from __future__ import annotations

# (code, label, office, internal)
EVENT_TYPES: list[tuple[str, str, str, bool]] = [
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
    # canonical types the deadline rules react to (a code a rule names must exist as an event type)
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
]

# (office, source, code, canonical code, note)
MAPPINGS: list[tuple[str, str, str, str, str]] = [
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
    # Appeal, Quayle and advisory actions: the mailing events trigger, the counted action is an internal
    # step (as for CTNF/MCTNF)
    ("US", "odp-transaction", "N/AP", "US.NOTICE_OF_APPEAL_FILED", "Notice of Appeal Filed; 37 CFR 41.37(a)"),
    ("US", "odp-transaction", "AP.B", "US.APPEAL_BRIEF_FILED", "Appeal Brief Filed"),
    ("US", "odp-transaction", "MCTEQ", "US.EX_PARTE_QUAYLE", "Mail Ex Parte Quayle Action"),
    ("US", "odp-transaction", "CTEQ", "US.EX_PARTE_QUAYLE_PREPARED", "period runs from MCTEQ"),
    ("US", "odp-transaction", "MCTAV", "US.ADVISORY_ACTION", "Mail Advisory Action (PTOL-303); MPEP 706.07(f)"),
    ("US", "odp-transaction", "CTAV", "US.ADVISORY_ACTION_PREPARED", "the mailing (MCTAV) counts"),
    ("US", "biblio", "@filing_date", "US.FILED", "35 USC 111"),
    ("US", "biblio", "@grant_date", "US.PATENT_GRANTED", "issue date; maintenance fees run from it (37 CFR 1.362)"),
]
for _code in (
    "IEXX", "BIG.", "FLRCPT.O", "FLRCPT.U", "EML_NTF", "EML_NTR", "OIPE", "DOCK", "PTAC", "EPG/", "EPG_NTF",
    "MEPG_NTF", "PGM/", "APPERMS", "CCRDY", "D1935", "ELC_RVW", "FLFEE", "FTFI", "IDSC",
    "M844", "MOPPT", "MP014", "MPTDI", "OPPT", "P014", "PET.", "PILS", "PTA.RFE", "PTDI", "SMAL", "SREXR141",
    "WIDS",
):
    MAPPINGS.append(("US", "odp-transaction", _code, "US.OFFICE_STEP", "administrative step"))

# --- Office codes for rule triggers that were entered by hand (h15) ------------------------------------------
# From the recorded ODP answer tests/fixtures/offices/uspto/odp-transactions-17248024.json (SOURCES.md): the
# notice to file missing parts is mailed as INCD and the office records COMP once the parts are in (there:
# INCD 2021-01-29, fee paid 2021-03-26, COMP 2021-03-30). Both were administrative steps before.
MAPPINGS += [
    ("US", "odp-transaction", "INCD", "US.MISSING_PARTS_NOTICE",
     "Notice Mailed--Application Incomplete--Filing Date Assigned: notice to file missing parts, 37 CFR 1.53(f)"),
    ("US", "odp-transaction", "COMP", "US.MISSING_PARTS_FILED",
     "Application Is Now Complete: the missing parts were received (answers the 1.53(f) notice)"),
]

# Fees, lapse and revival in ODP transactions (codes as recorded in real USPTO transaction histories:
# tests/fixtures/offices/uspto/peds-application-12721698-facets-removed.json has M2551, M2552, EXP., PMFP,
# M2558, PMFG, MPMFG; the large- and micro-entity codes follow the same M<entity>55<n> scheme). The parser
# puts the instance paid (3.5 / 7.5 / 11.5) in params.year.
EVENT_TYPES += [
    ("US.EXPIRED_MAINTENANCE_FEE", "Patent expired for failure to pay a maintenance fee", "US", False),
    ("US.MAINTENANCE_FEE_REINSTATED", "Late maintenance fee payment accepted, patent reinstated", "US", False),
    ("US.PETITION_TO_REVIVE_FILED", "Petition to revive an abandoned application filed (37 CFR 1.137)", "US", False),
    ("US.PETITION_TO_REVIVE_GRANTED", "Petition to revive granted (37 CFR 1.137)", "US", False),
    ("US.REVIVED", "Application revived (37 CFR 1.137)", "US", False),
]
for _entity, _label in (("1", "large entity"), ("2", "small entity"), ("3", "micro entity")):
    for _n, _year in (("1", "4th"), ("2", "8th"), ("3", "12th")):
        MAPPINGS.append(("US", "odp-transaction", f"M{_entity}55{_n}", "US.MAINTENANCE_FEE_PAID",
                         f"Payment of Maintenance Fee, {_year} Year, {_label}; 35 USC 41(b)"))
MAPPINGS += [
    ("US", "odp-transaction", "EXP.", "US.EXPIRED_MAINTENANCE_FEE", "Expire Patent; 37 CFR 1.362(g)"),
    ("US", "odp-transaction", "PMFG", "US.MAINTENANCE_FEE_REINSTATED",
     "Petition Decision - Accept Late Payment of Maintenance Fees - Granted; 37 CFR 1.378"),
    ("US", "odp-transaction", "MPMFG", "US.OFFICE_STEP", "mailing of the PMFG decision (PMFG reinstates)"),
    ("US", "odp-transaction", "PMFP", "US.OFFICE_STEP", "petition to accept late maintenance fee filed"),
    ("US", "odp-transaction", "M2558", "US.OFFICE_STEP", "surcharge for the late maintenance fee (37 CFR 1.20(i))"),
]
