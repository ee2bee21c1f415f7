"""EPO communications (EPO Forms 2001, 2004, 1226, 2524, 1507, ...), in English, German and French."""

from __future__ import annotations

from patents.documents.rules import Anchor, DateLabel, DocumentType, OfficeDocumentRules
from patents.offices import get_office

RULES = OfficeDocumentRules(
    office=get_office("EPO").code,
    names=(
        Anchor("European Patent Office"),
        Anchor("Europäisches Patentamt"),
        Anchor("Office européen des brevets"),
        Anchor("EPO Form", 0.8),
        Anchor("80298 Munich", 0.6),
        Anchor("2280 HV Rijswijk", 0.6),
    ),
    types=(
        DocumentType(
            "EP.COMMUNICATION_94_3", "communication under Art. 94(3) EPC",
            (Anchor("Communication pursuant to Article 94(3) EPC"), Anchor("Bescheid gemäß Artikel 94(3) EPÜ"),
             Anchor("Notification établie conformément à l'article 94(3) CBE"), Anchor("Article 94(3) EPC", 0.8),
             Anchor("Artikel 94(3) EPÜ", 0.8), Anchor("article 94(3) CBE", 0.8)),
            period_param="period_months",
        ),
        DocumentType(
            "EP.RULE_71_3_COMMUNICATION", "communication under Rule 71(3) EPC (intention to grant)",
            (Anchor("Communication under Rule 71(3) EPC"), Anchor("Mitteilung gemäß Regel 71(3) EPÜ"),
             Anchor("Notification selon la règle 71(3) CBE"), Anchor("Intention to grant", 0.8),
             Anchor("Rule 71(3) EPC", 0.8), Anchor("Regel 71(3) EPÜ", 0.8)),
        ),
        DocumentType(
            "EP.RULE_161_162_COMMUNICATION", "communication under Rules 161(1) and 162 EPC",
            (Anchor("Communication pursuant to Rules 161(1) and 162 EPC"),
             Anchor("Mitteilung gemäß den Regeln 161(1) und 162 EPÜ"), Anchor("Rules 161(1) and 162 EPC", 0.9),
             Anchor("Rules 161 and 162 EPC", 0.9), Anchor("Regeln 161(1) und 162 EPÜ", 0.9)),
        ),
        DocumentType(
            "EP.SEARCH_REPORT_DESPATCHED", "extended European search report",
            (Anchor("Transmission of the extended European search report"),
             Anchor("EXTENDED EUROPEAN SEARCH REPORT", 0.9), Anchor("EUROPEAN SEARCH REPORT", 0.8),
             Anchor("Europäischer Recherchenbericht", 0.8), Anchor("Rapport de recherche européenne", 0.8)),
        ),
        DocumentType(
            "EP.LOSS_OF_RIGHTS_NOTED", "noting of loss of rights (Rule 112(1) EPC)",
            (Anchor("Noting of loss of rights pursuant to Rule 112(1) EPC"),
             Anchor("Feststellung eines Rechtsverlusts nach Regel 112(1) EPÜ"),
             Anchor("Constatation de la perte d'un droit conformément à la règle 112(1) CBE"),
             Anchor("Rule 112(1) EPC", 0.8), Anchor("loss of rights", 0.6)),
        ),
    ),
    number_patterns=(r"\b(\d{2}\s?\d{3}\s?\d{3}\s?\.\s?\d)\b", r"\bEP\s?(\d{8})\b"),
    number_labels=("Application No", "Anmeldung Nr", "Demande n°", "Application number", "Aktenzeichen"),
    date_labels=(
        DateLabel("document", ("Date", "Datum", "Date of the communication")),
        DateLabel("dispatch", ("Date of dispatch", "Versanddatum", "Date d'envoi")),
    ),
    event_date_from=("document", "dispatch"),
    reference_labels=("Reference", "Your reference", "Ihr Zeichen", "Zeichen", "Référence", "Votre référence"),
)
