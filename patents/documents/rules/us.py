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
            (Anchor("Restriction is required under 35 U.S.C. 121"), Anchor("REQUIREMENT FOR RESTRICTION/ELECTION"),
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
    number_labels=("APPLICATION NO", "Application No", "APPLICATION NUMBER"),
    date_labels=(
        DateLabel("mailing", ("NOTIFICATION DATE", "MAIL DATE", "Date Mailed", "MAILING DATE", "-- The MAILING DATE")),
    ),
    event_date_from=("mailing",),
    reference_labels=("ATTORNEY DOCKET NO", "Attorney Docket No", "DOCKET NO"),
    day_first=False,
    period_patterns=(
        r"SHORTENED\s+STATUTORY\s+PERIOD\s+FOR\s+REPLY\s+IS\s+SET\s+TO\s+EXPIRE\s+(?P<n>\d{1,2}|[A-Z]+)\s+"
        r"(?P<unit>MONTHS?|MONTH\(S\)|DAYS?|DAY\(S\))",
        r"period\s+for\s+reply\s+(?:is\s+set\s+to\s+expire|of)\s+(?P<n>\d{1,2}|[a-z]+)\s+(?P<unit>months?|month\(s\)|days?)",
    ),
)
