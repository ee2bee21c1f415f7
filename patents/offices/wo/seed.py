"""WO (PCT applications, through OPS): canonical event types and the office-code mapping seed.

Data only, no Django. ``patents.code_seed`` gathers every office's rows through the registry; why the
rows are chosen as they are (one trigger per real communication, mailing dates, biblio facts) is written there.
"""

from __future__ import annotations

# (code, label, office, internal)
EVENT_TYPES: list[tuple[str, str, str, bool]] = [
    # WO
    ("WO.FILED", "International application filed", "WO", False),
    ("WO.NATIONAL_PHASE_ENTERED", "Entry into a national or regional phase", "WO", False),
    ("WO.EP_DESIGNATED", "EPO informed by WIPO that EP was designated", "WO", True),
    ("WO.EP_NON_ENTRY", "No entry into the European phase", "WO", True),
    ("WO.INPADOC_EVENT", "Other INPADOC event of a PCT application", "WO", True),
    # canonical types the deadline rules react to (a code a rule names must exist as an event type)
    ('WO.PRIORITY_APPLICATION_FILED', 'First filing whose priority a PCT application may claim', 'WO', False),
    ('WO.ISR_TRANSMITTED', 'International search report transmitted', 'WO', False),
    ('WO.ART19_AMENDMENTS_FILED', 'Amendments under PCT Art. 19 filed', 'WO', False),
    ('WO.DEMAND_FILED', 'Demand for international preliminary examination filed', 'WO', False),
    ('WO.WITHDRAWN', 'International application withdrawn / considered withdrawn', 'WO', False),
    ('WO.FEES_PAID', 'Transmittal, international filing and search fees paid', 'WO', False),
    ('WO.PRIORITY_CLAIM_CORRECTED', 'Priority claim corrected or added (Rule 26bis.1)', 'WO', False),
]

# (office, source, code, canonical code, note)
MAPPINGS: list[tuple[str, str, str, str, str]] = [
    # --- WO (PCT): facts from the bibliographic data, events from INPADOC
    ("WO", "biblio", "@filing_date", "WO.FILED", "PCT Art. 11; national phase periods run from the priority date"),
    ("WO", "inpadoc", "121", "WO.EP_DESIGNATED", ""),
    ("WO", "inpadoc", "122", "WO.EP_NON_ENTRY", ""),
    ("WO", "inpadoc", "ENP", "WO.NATIONAL_PHASE_ENTERED", "L501EP ref country → param office"),
    ("WO", "inpadoc", "WWE", "WO.INPADOC_EVENT", "WIPO information: entry into national phase"),
]
