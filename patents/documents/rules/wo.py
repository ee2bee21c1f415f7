"""PCT (WIPO / International Searching Authority) forms: the ISR transmittal (PCT/ISA/220)."""

from __future__ import annotations

from patents.documents.rules import Anchor, DateLabel, DocumentType, OfficeDocumentRules
from patents.offices import get_office

RULES = OfficeDocumentRules(
    office=get_office("WO").code,
    names=(
        Anchor("PATENT COOPERATION TREATY"),
        Anchor("World Intellectual Property Organization"),
        Anchor("PCT/ISA/220", 0.9),
    ),
    types=(
        DocumentType(
            "WO.ISR_TRANSMITTED", "international search report and written opinion (transmittal)",
            (Anchor("NOTIFICATION OF TRANSMITTAL OF THE INTERNATIONAL SEARCH REPORT"),
             Anchor("INTERNATIONAL SEARCH REPORT", 0.7), Anchor("PCT/ISA/220", 0.9)),
        ),
    ),
    number_patterns=(r"\b(PCT\s?/\s?[A-Z]{2}\s?\d{4}\s?/\s?\d{6})\b",),
    number_labels=("International application No", "International application number"),
    date_labels=(DateLabel("mailing", ("Date of mailing", "Date d'expédition")),),
    event_date_from=("mailing",),
    reference_labels=("Applicant's or agent's file reference",),
)
