"""USPTO correspondence: Office actions (PTOL-326 summary), restriction, allowance (PTOL-85), missing parts."""

from __future__ import annotations

from patents.documents.rules import Anchor, DateLabel, DocumentType, OfficeDocumentRules
from patents.offices import get_office

RULES = OfficeDocumentRules(
    office=get_office("USPTO").code,
    names=(
        Anchor("UNITED STATES PATENT AND TRADEMARK OFFICE"),
        Anchor("UNITED STATES DEPARTMENT OF COMMERCE", 0.8),
        Anchor("Commissioner for Patents", 0.8),
        Anchor("www.uspto.gov"),
        Anchor("USPTO", 0.7),
    ),
    types=(
        DocumentType(
            "US.FINAL_REJECTION", "final rejection",
            (Anchor("THIS ACTION IS MADE FINAL"), Anchor("Final Rejection", 0.6)),
        ),
        DocumentType(
            "US.NON_FINAL_REJECTION", "non-final rejection",
            (Anchor("Non-Final Rejection"), Anchor("This action is non-final", 0.8),
             Anchor("Claim Rejections - 35 USC", 0.4)),
            excluded_by=("THIS ACTION IS MADE FINAL",),
        ),
        DocumentType(
            "US.RESTRICTION_REQUIREMENT", "restriction requirement",
            (Anchor("REQUIREMENT FOR RESTRICTION/ELECTION"), Anchor("is required under 35 U.S.C. 121", 0.95),
             Anchor("Election/Restrictions", 0.7)),
        ),
        DocumentType(
            "US.NOTICE_OF_ALLOWANCE", "notice of allowance",
            (Anchor("NOTICE OF ALLOWANCE AND FEE(S) DUE"), Anchor("Notice of Allowability", 0.7)),
        ),
        DocumentType(
            "US.MISSING_PARTS_NOTICE", "notice to file missing parts",
            (Anchor("NOTICE TO FILE MISSING PARTS OF NONPROVISIONAL APPLICATION"),
             Anchor("NOTICE TO FILE MISSING PARTS", 0.9)),
        ),
    ),
    number_patterns=(r"\b(\d{2}\s?/\s?\d{3}\s?,\s?\d{3})\b",),
    number_labels=("APPLICATION NO", "APPLICATION NUMBER"),
    date_labels=(
        DateLabel("mailing", ("NOTIFICATION DATE", "MAIL DATE", "Date Mailed", "MAILING DATE", "-- The MAILING DATE")),
    ),
    event_date_from=("mailing",),
    reference_labels=("ATTORNEY DOCKET NO", "ATTY. DOCKET NO", "DOCKET NO"),
    day_first=False,
    period_patterns=(
        # PTOL-326 and the MPEP form paragraphs: "A SHORTENED STATUTORY PERIOD FOR REPLY IS SET TO EXPIRE 3
        # MONTH(S)", "A shortened statutory period for reply to this action is set to expire TWO MONTHS",
        # "within a shortened statutory period set to expire TWO (2) MONTHS".
        r"SHORTENED\s+STATUTORY\s+PERIOD\s+(?:FOR\s+REPLY\s+)?(?:TO\s+THIS\s+(?:ACTION|LETTER)\s+)?(?:IS\s+)?SET\s+"
        r"TO\s+EXPIRE\s+(?P<n>\d{1,2}|[A-Z]+)\s+(?:\(\d{1,2}\)\s+)?(?P<unit>MONTHS?|MONTH\(S\)|DAYS?|DAY\(S\))",
        r"given\s+(?P<n>\d{1,2}|[A-Z]+)\s+(?:\(\d{1,2}\)\s+)?(?P<unit>MONTHS?|DAYS?)\s+from\s+the\s+(?:date|mail\s+date)\s+"
        r"of\s+this\s+Notice",
    ),
)
