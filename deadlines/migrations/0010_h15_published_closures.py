"""Closing-day lists read in the offices' own publications (deadlines.closure_data.PUBLISHED_LISTS).

A database that holds the closure seed (``deadlines seed-closures`` was run) gets the rows it lacks, each with
a history row attributed to this migration and sealed on the audit chain; a closure someone deleted is not
re-added (its history shows it existed). A fresh database (no closures stored yet) is left alone:
``seed-closures`` stores the whole seed, these rows included.

A year that gains its published list stops being provisional, so every open engine deadline that can fall in
it may move: those matters are marked for recompute, and the recompute-pending sweep recomputes them.
"""

import datetime as dt

from django.db import migrations, transaction
from django.db.models import Q
from django.utils import timezone

REASON = (
    "published closure lists entered from the offices' notices (deadlines.closure_data.PUBLISHED_LISTS; "
    "Rule 134(1) EPC, PCT Rule 80.5)"
)
ACTOR = "process:migrate"
ROLL_DAYS = 60  # deadlines.rules.calendars.MAX_ROLL_DAYS, copied: a migration must not follow later code


def add_published_closures(apps, schema_editor):
    from deadlines.closure_data import published_lists

    add_closure_rows(apps, schema_editor, rows=published_lists(), reason=REASON)


def add_closure_rows(apps, schema_editor, *, rows, reason):
    """Store the seed ``rows`` this database lacks, with sealed history attributed to the migration (``reason``),
    and mark for recompute the matters whose open deadlines can fall in their years (also used by 0014)."""
    from docketapp.audit_chain import seal

    using = schema_editor.connection.alias
    closure = apps.get_model("deadlines", "OfficeClosure")
    historical = apps.get_model("deadlines", "HistoricalOfficeClosure")
    if not closure.objects.using(using).exists():
        return
    known = set(closure.objects.using(using).values_list("office", "date"))
    known |= set(historical.objects.using(using).values_list("office", "date"))
    rows = [r for r in rows if (r.office, r.date) not in known]
    if not rows:
        return
    now = timezone.now()
    with transaction.atomic(using=using):
        created = []
        for r in rows:
            obj = closure(office=r.office, date=r.date, reason=r.reason[:200], source=r.source[:300], kind="closure")
            obj.save(using=using)
            created.append(obj)
        history = [
            historical(
                id=obj.pk, office=obj.office, date=obj.date, reason=obj.reason, source=obj.source, kind=obj.kind,
                history_date=now, history_type="+", history_change_reason=reason, history_actor=ACTOR,
            )
            for obj in created
        ]
        # Historical models of a migration lack the chained save(): seal them here (docs/audit.md).
        seal(historical, history, using)
        historical.objects.using(using).bulk_create(history)
        _mark_recompute_pending(apps, using, years={r.date.year for r in rows}, now=now)


def _mark_recompute_pending(apps, using, *, years, now):
    deadline = apps.get_model("deadlines", "Deadline")
    computation = apps.get_model("deadlines", "MatterComputation")
    window = Q()
    for year in years:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31) + dt.timedelta(days=ROLL_DAYS)
        window |= Q(due_date__range=(start, end)) | Q(latest_date__range=(start, end))
    matter_ids = set(
        deadline.objects.using(using)
        .filter(window, origin="engine", status="open")
        .values_list("matter_id", flat=True)
    )
    if matter_ids:
        # MatterComputation is bookkeeping without history: a plain upsert.
        computation.objects.using(using).bulk_create(
            [computation(matter_id=m, recompute_requested_at=now) for m in sorted(matter_ids)],
            update_conflicts=True,
            unique_fields=["matter"],
            update_fields=["recompute_requested_at"],
        )


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0009_computation_problems")]

    operations = [migrations.RunPython(add_published_closures, migrations.RunPython.noop)]
