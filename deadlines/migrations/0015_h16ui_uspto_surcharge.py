"""The USPTO grace-period surcharge (37 CFR 1.20(h)) on the maintenance fee table seeded by 0012, which left
it empty because the figures could not be verified then (docs/renewals.md).

The figures are not a change of fees (the rule and its effective date are the table's own: 89 FR 91898,
effective 19 January 2025), so they complete the existing rows rather than start a new table; each row that
changes gets a history row saying so. A surcharge an admin already entered is left alone.
"""

from decimal import Decimal

from django.db import migrations

from docketapp.audit_chain import backfill_app

REASON = (
    "USPTO grace-period surcharge 37 CFR 1.20(h) added by migration deadlines.0015 (Table 10 to paragraph (h) "
    "as set by 89 FR 91898, effective 19 January 2025)"
)
TABLE = {"office": "US", "name": "USPTO maintenance fees for utility patents", "effective_from": "2025-01-19"}
# Table 10 to 37 CFR 1.20(h): micro $108, small $216, other than small or micro $540 (the same for each of
# the three maintenance fees). Checked on 4 December 2026 against the text of 37 CFR 1.20 beside Tables 7-9
# (1.20(e)-(g): 430/860/2,150; 808/1,616/4,040; 1,656/3,312/8,280, the amounts of the 0012 table).
SURCHARGE = {"large": Decimal("540"), "small": Decimal("216"), "micro": Decimal("108")}
SOURCE = (
    "89 FR 91898 (govinfo FR Doc 2024-26821) for the rule and its effective date; the amounts of 37 CFR "
    "1.20(e)-(h) (Tables 7 to 10: maintenance fees $2,150 / $4,040 / $8,280 and the grace-period surcharge "
    "$540 for other than small or micro entities, $860 / $1,616 / $3,312 and $216 small, $430 / $808 / $1,656 "
    "and $108 micro) as in the text of 37 CFR 1.20 in force from 19 January 2025 (eCFR; casetext copy of "
    "§ 1.20 'Post-issuance fees'), consistent with Fish & Richardson, 'New USPTO Patent Fees Go Into Effect "
    "January 19, 2025'; small entity = 40 % and micro entity = 20 % of the undiscounted fee (35 U.S.C. "
    "41(h)(1), (3) as amended by the Unleashing American Innovators Act of 2022)"
)
NOTES = (
    "The surcharge for payment in the six-month grace period (37 CFR 1.20(h)) is a fixed amount per entity size "
    "(FeeAmount.surcharge), added by migration deadlines.0015. Design and plant patents pay no maintenance fees."
)


def _history(apps, model_name, obj, now):
    Model = apps.get_model("deadlines", model_name)
    Historical = apps.get_model("deadlines", f"Historical{model_name}")
    values = {f.attname: getattr(obj, f.attname) for f in Model._meta.concrete_fields}
    values["id"] = obj.pk
    Historical.objects.create(
        history_date=now, history_type="~", history_change_reason=REASON, history_actor="process:migrate", **values
    )


def add_surcharge(apps, schema_editor):
    from django.utils import timezone

    FeeSchedule = apps.get_model("deadlines", "FeeSchedule")
    now = timezone.now()
    schedule = FeeSchedule.objects.filter(**TABLE).first()
    if schedule is None:  # an installation that deleted or never had the seeded table: nothing to complete
        return
    changed = False
    for line in schedule.amounts.all():
        figure = SURCHARGE.get(line.entity_size)
        if figure is None or line.surcharge is not None:
            continue
        line.surcharge = figure
        line.save(update_fields=["surcharge"])
        _history(apps, "FeeAmount", line, now)
        changed = True
    if changed:
        schedule.source, schedule.notes = SOURCE, NOTES
        schedule.save(update_fields=["source", "notes"])
        _history(apps, "FeeSchedule", schedule, now)
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        # The rows above queued Django's deferred foreign-key checks; PostgreSQL refuses the ALTER TABLE with
        # which backfill_app lifts the append-only guard while such trigger events are pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    backfill_app(apps, schema_editor, "deadlines")


class Migration(migrations.Migration):

    dependencies = [
        ("deadlines", "0014_h15cal_more_closures"),
    ]

    operations = [migrations.RunPython(add_surcharge, migrations.RunPython.noop)]
