"""JPO notices (拒絶理由通知書, 拒絶査定, 特許査定), in Japanese and in their English translations."""

from __future__ import annotations

from patents.documents.rules import Anchor, DateLabel, DocumentType, OfficeDocumentRules
from patents.offices import get_office

RULES = OfficeDocumentRules(
    office=get_office("JPO").code,
    names=(
        Anchor("特許庁"),
        Anchor("Japan Patent Office"),
        Anchor("特許庁審査官", 0.9),
        Anchor("Commissioner, Japan Patent Office", 1.0),
    ),
    types=(
        DocumentType(
            "JP.NOTICE_OF_REASONS_FOR_REFUSAL", "notice of reasons for refusal",
            (Anchor("拒絶理由通知書"), Anchor("Notice of Reasons for Refusal"),
             Anchor("Notification of Reasons for Refusal")),
        ),
        DocumentType(
            "JP.DECISION_OF_REFUSAL", "decision of refusal",
            # A decision of refusal cites the notice it follows (「…付け拒絶理由通知書に記載した理由」): the
            # title at the top of the page decides, not an exclusion.
            (Anchor("拒絶査定"), Anchor("Decision of Refusal")),
        ),
        DocumentType(
            "JP.DECISION_TO_GRANT", "decision to grant",
            (Anchor("特許査定"), Anchor("Decision to Grant a Patent"), Anchor("Decision to Grant", 0.9)),
        ),
    ),
    number_patterns=(r"特\s?願\s?(\d{4})\s?[-－‐—一ー]{0,2}\s?(\d{6})", r"\b((?:19|20)\d{2})\s?[-－‐—]\s?(\d{6})\b"),
    number_labels=("特許出願の番号", "出願番号", "Patent Application No", "Application No"),
    date_labels=(
        DateLabel("dispatch", ("発送日", "Dispatch Date", "Mailing Date", "Date of Dispatch")),
        DateLabel("document", ("起案日", "Drafting Date", "Date of Drafting")),
    ),
    event_date_from=("dispatch", "document"),
    reference_labels=("整理番号", "Reference No", "Applicant's Reference"),
)
