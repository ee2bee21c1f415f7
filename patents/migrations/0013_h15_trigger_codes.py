"""Office codes for rule triggers that were entered by hand (the h15 blocks of patents/offices/*/seed.py).

USPTO ODP INCD and COMP: the notice to file missing parts and its answer, no longer office steps. A fresh
database gets the mappings from the seed (patents/offices/us/seed.py, read by 0005). A database
seeded before has them pointing at US.OFFICE_STEP: a mapping still as seeded is re-pointed (an admin's own
correction is left alone), and the events already recorded with those codes follow it, so a notice mailed
before the upgrade gets its deadline too (and an application already complete shows it answered). Every
change has a history row attributed to this migration, sealed on the audit chain. The deadlines of those
matters follow at the next recompute: their events are part of each matter's inputs hash.

JPO A632 (国内書面) and A634 (国際出願翻訳文提出書): new mappings, created where missing (a database seeded
before this migration), with sealed history. Events with these codes were quarantined as unmapped before.
"""

from django.db import migrations, transaction
from django.utils import timezone

REASON = (
    "office code re-mapped: USPTO ODP {code} is {canonical} (recorded answer tests/fixtures/offices/uspto/"
    "odp-transactions-17248024.json), no longer an administrative step"
)
ACTOR = "process:migrate"
SEEDED_AS = "US.OFFICE_STEP"
CODES = {
    "INCD": (
        "US.MISSING_PARTS_NOTICE",
        "Notice Mailed--Application Incomplete--Filing Date Assigned: notice to file missing parts, 37 CFR 1.53(f)",
    ),
    "COMP": (
        "US.MISSING_PARTS_FILED",
        "Application Is Now Complete: the missing parts were received (answers the 1.53(f) notice)",
    ),
}


NEW = (
    ("JP", "jpo-progress", "A632", "JP.NATIONAL_DOCUMENTS_FILED", "国内書面, Patent Act Art. 184-5(1)"),
    ("JP", "jpo-progress", "A634", "JP.TRANSLATION_FILED", "国際出願翻訳文提出書, Patent Act Art. 184-4(1)"),
)
NEW_REASON = "office code mapped: JPO {code} is {canonical} (JPO document code lists; patents/offices/jp/seed.py)"


def _history_row(historical, model, obj, *, now, reason, kind="~"):
    fields = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    fields["id"] = fields.pop(model._meta.pk.attname)
    return historical(
        **fields, history_date=now, history_type=kind, history_change_reason=reason, history_actor=ACTOR
    )


def remap(apps, schema_editor):
    from docketapp.audit_chain import seal

    using = schema_editor.connection.alias
    event_type = apps.get_model("patents", "EventType")
    mapping = apps.get_model("patents", "OfficeCodeMapping")
    event = apps.get_model("patents", "OfficeEvent")
    hist_mapping = apps.get_model("patents", "HistoricalOfficeCodeMapping")
    hist_event = apps.get_model("patents", "HistoricalOfficeEvent")
    now = timezone.now()
    with transaction.atomic(using=using):
        mapping_rows, event_rows = [], []
        for code, (canonical, note) in CODES.items():
            row = (
                mapping.objects.using(using)
                .filter(office="US", source="odp-transaction", code=code, event_type__code=SEEDED_AS)
                .first()
            )
            target = event_type.objects.using(using).filter(code=canonical).first()
            if row is None or target is None:
                continue  # fresh database (seeded right) or corrected by someone: leave it
            reason = REASON.format(code=code, canonical=canonical)
            row.event_type_id, row.note = target.pk, note
            row.save(using=using, update_fields=["event_type", "note"])
            mapping_rows.append(_history_row(hist_mapping, mapping, row, now=now, reason=reason))
            for ev in event.objects.using(using).filter(
                matter__office="US", office_code=code, event_type__code=SEEDED_AS
            ):
                ev.event_type_id = target.pk
                ev.save(using=using, update_fields=["event_type"])
                event_rows.append(_history_row(hist_event, event, ev, now=now, reason=reason))
        for office, source, code, canonical, note in NEW:
            target = event_type.objects.using(using).filter(code=canonical).first()
            if target is None or mapping.objects.using(using).filter(office=office, source=source, code=code).exists():
                continue
            row = mapping(office=office, source=source, code=code, event_type_id=target.pk, note=note)
            row.save(using=using)
            reason = NEW_REASON.format(code=code, canonical=canonical)
            mapping_rows.append(_history_row(hist_mapping, mapping, row, now=now, reason=reason, kind="+"))
        # Historical models of a migration lack the chained save(): seal them here (docs/audit.md).
        for historical, rows in ((hist_mapping, mapping_rows), (hist_event, event_rows)):
            if rows:
                seal(historical, rows, using)
                historical.objects.using(using).bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("patents", "0012_matter_lifecycle")]

    operations = [migrations.RunPython(remap, migrations.RunPython.noop)]
