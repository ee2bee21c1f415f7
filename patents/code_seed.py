"""The office-code mapping seed, gathered from the office packages (loaded by migrations 0005 and 0009;
afterwards the admin owns it). Two tables:

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

from patents.offices import OFFICES

# Every office's rows, gathered from its package (``patents/offices/<code>/seed.py``), in registry order.
# (code, label, office, internal)
EVENT_TYPES: list[tuple[str, str, str, bool]] = [row for office in OFFICES for row in office.event_types]
# (office, source, code, canonical code, note)
MAPPINGS: list[tuple[str, str, str, str, str]] = [row for office in OFFICES for row in office.mappings]


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
