"""Seed the canonical event types and office-code mappings added for the deadline rules (issue 15).

The same seed as migration 0005, from patents/code_seed.py: rows that already exist are left alone (an admin
may have corrected them); every row created gets a history row naming this migration. Idempotent. On a fresh
database 0005 already reads the current seed, so this one finds nothing to do.
"""

from django.db import migrations
from django.utils import timezone

REASON = "seeded by migration patents.0010 (patents/code_seed.py, deadline rules)"
ACTOR = "process:migrate"


def _history(apps, model_name, obj, fields):
    historical = apps.get_model("patents", f"Historical{model_name}")
    values = {name: getattr(obj, name) for name in fields}
    historical.objects.create(
        id=obj.pk,
        history_date=timezone.now(),
        history_type="+",
        history_change_reason=REASON,
        history_actor=ACTOR,
        **values,
    )


def forwards(apps, schema_editor):
    from patents.code_seed import EVENT_TYPES, MAPPINGS

    EventType = apps.get_model("patents", "EventType")
    Mapping = apps.get_model("patents", "OfficeCodeMapping")
    types = {}
    for code, label, office, internal in EVENT_TYPES:
        et = EventType.objects.filter(code=code).first()
        if et is None:
            et = EventType.objects.create(code=code, label=label, office=office, internal=internal)
            _history(apps, "EventType", et, ["code", "label", "office", "internal", "description"])
        types[code] = et
    for office, source, code, canonical, note in MAPPINGS:
        if Mapping.objects.filter(office=office, source=source, code=code).exists():
            continue
        mapping = Mapping.objects.create(
            office=office, source=source, code=code, event_type=types[canonical], note=note
        )
        _history(
            apps, "OfficeCodeMapping", mapping, ["office", "source", "code", "event_type_id", "note", "created_at"]
        )


class Migration(migrations.Migration):
    dependencies = [("patents", "0008_payload_processing")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
