"""More closing days read in the offices' own publications (issue 15, closure data).

Adds to a database that holds the closure seed the rows of ``deadlines.closure_data`` read in a notice that
it lacks: the 2017 list (OJ EPO 2016, A74), the 31 Oct 2017 extension, the 22 May 2020 closure decision, and
the single-day notices of ``PARTIAL_LISTS`` (the COVID closure to 10 Jan 2021, the Christmas closures of
2021 and 2022, the IB's end of 2016). Same way as 0010: each row gets a history row attributed to this
migration and sealed on the audit chain, a closure someone deleted is not re-added, a database without
closures is left to ``deadlines seed-closures``, and every matter with an open engine deadline that can fall
in an affected year is marked for recompute (the recompute-pending sweep recomputes it).
"""

from importlib import import_module

from django.db import migrations, transaction
from django.utils import timezone

REASON = (
    "closing days entered from the offices' notices (deadlines.closure_data.PUBLISHED_LISTS and PARTIAL_LISTS; "
    "Rule 134(1) EPC, PCT Rule 80.5)"
)
ACTOR = "process:migrate"

_0010 = import_module("deadlines.migrations.0010_h15_published_closures")


def add_closures(apps, schema_editor):
    from deadlines.closure_data import partial_lists, published_lists
    from docketapp.audit_chain import seal

    using = schema_editor.connection.alias
    closure = apps.get_model("deadlines", "OfficeClosure")
    historical = apps.get_model("deadlines", "HistoricalOfficeClosure")
    if not closure.objects.using(using).exists():
        return
    known = set(closure.objects.using(using).values_list("office", "date"))
    known |= set(historical.objects.using(using).values_list("office", "date"))
    rows = [r for r in (*published_lists(), *partial_lists()) if (r.office, r.date) not in known]
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
                history_date=now, history_type="+", history_change_reason=REASON, history_actor=ACTOR,
            )
            for obj in created
        ]
        # Historical models of a migration lack the chained save(): seal them here (docs/audit.md).
        seal(historical, history, using)
        historical.objects.using(using).bulk_create(history)
        _0010._mark_recompute_pending(apps, using, years={r.date.year for r in rows}, now=now)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0013_g14_optional")]

    operations = [migrations.RunPython(add_closures, migrations.RunPython.noop)]
