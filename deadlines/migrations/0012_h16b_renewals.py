"""Renewals: official fee tables (seeded below with their sources), the instruction per renewal fee, and
the closed status "let lapse" (docs/renewals.md)."""

import datetime as dt

import django.db.models.deletion
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


from docketapp.audit_chain import backfill_app

# The official tables as published, each with where its figures were read. Frozen here on purpose: a later
# change of fees is a new table with its own effective date (added in the admin or a new migration), never an
# edit of these rows. Years are renewal years (EPO, JPO) or maintenance stages in years after grant (USPTO).
REASON = "seeded by migration deadlines.0012 (official fee tables; the source is on each table)"

TABLES = [
    {
        "office": "EP",
        "name": "EPO renewal fees for European patent applications",
        "rule_ids": "EP.RENEWAL_FEE EP.RENEWAL_FEE_DIVISIONAL",
        "currency": "EUR",
        "effective_from": dt.date(2024, 4, 1),
        "legal_basis": "EPC Art. 86(1); Rules relating to Fees Art. 2(1) item 4, as amended by decision of the "
        "Administrative Council CA/D 16/23 of 14 December 2023 (OJ EPO 2024), for payments from 1 April 2024",
        "source": "CA/D 16/23 as summarised by Williams Powell, 'European Patent Office Fees increase from "
        "1 April 2024' (renewal fees for years 3 to 20); decision date and effect from Mewburn Ellis, "
        "'EPO announces fee increases from 1 April 2024' (6 February 2024)",
        "source_url": "https://www.williamspowell.com/news/european-patent-office-fees-increase-from-1-april-2024",
        "surcharge_percent": Decimal("50"),
        "surcharge_basis": "EPC Rule 51(2); Rules relating to Fees Art. 2(1) item 5 (additional fee of 50 % of the "
        "belated renewal fee, EPO Guide for applicants)",
        "notes": "Standard amounts: the 30 % reduction for micro-entities introduced on 1 April 2024 and the "
        "language reduction are not applied. Renewal fees after grant are national fees (EPC Art. 141), not "
        "in this table.",
        "amounts": [
            (3, 3, "", "690"), (4, 4, "", "845"), (5, 5, "", "1000"), (6, 6, "", "1155"), (7, 7, "", "1310"),
            (8, 8, "", "1465"), (9, 9, "", "1620"), (10, 20, "", "1775"),
        ],
    },
    {
        "office": "US",
        "name": "USPTO maintenance fees for utility patents",
        "rule_ids": "US.MAINTENANCE_FEE",
        "currency": "USD",
        "effective_from": dt.date(2025, 1, 19),
        "legal_basis": "35 U.S.C. 41(b), 41(h); 37 CFR 1.20(e), (f), (g) as set by 'Setting and Adjusting Patent "
        "Fees During Fiscal Year 2025', final rule, 89 FR 91898 (20 November 2024), effective 19 January 2025",
        "source": "89 FR 91898 (govinfo FR Doc 2024-26821) for the rule and its effective date; the undiscounted "
        "amounts ($2,150 / $4,040 / $8,280) as listed by Fish & Richardson, 'New USPTO Patent Fees Go Into "
        "Effect January 19, 2025'; small entity = 40 % and micro entity = 20 % of the undiscounted fee "
        "(35 U.S.C. 41(h)(1), (3) as amended by the Unleashing American Innovators Act of 2022)",
        "source_url": "https://www.govinfo.gov/content/pkg/FR-2024-11-20/html/2024-26821.htm",
        "surcharge_percent": None,
        "surcharge_basis": "37 CFR 1.20(h); 37 CFR 1.362(e) (surcharge for payment in the six-month grace period)",
        "notes": "The 37 CFR 1.20(h) surcharge amounts of this fee rule could not be verified when the table was "
        "seeded, so the table has none: the renewals page says so instead of showing a figure. Enter them "
        "from the USPTO fee schedule (FeeAmount.surcharge). Design and plant patents pay no maintenance fees.",
        "amounts": [
            ("3.5", "3.5", "large", "2150"), ("3.5", "3.5", "small", "860"), ("3.5", "3.5", "micro", "430"),
            ("7.5", "7.5", "large", "4040"), ("7.5", "7.5", "small", "1616"), ("7.5", "7.5", "micro", "808"),
            ("11.5", "11.5", "large", "8280"), ("11.5", "11.5", "small", "3312"), ("11.5", "11.5", "micro", "1656"),
        ],
    },
    {
        "office": "JP",
        "name": "JPO patent annuities",
        "rule_ids": "JP.ANNUITY",
        "currency": "JPY",
        "effective_from": dt.date(2022, 4, 1),
        "legal_basis": "Patent Act (Japan) Art. 107(1) table (base amount + amount per claim, per year), as "
        "revised with effect from 1 April 2022 (fees paid on or after that date)",
        "source": "Karin IP, 'Revision of official fees in JPO (from April 1, 2022)' (old and new amounts per "
        "year band); Saegusa & Partners, IP update 1903 (the new schedule applies to fees paid on or after "
        "1 April 2022)",
        "source_url": "https://karin-ip.com/2022/02/01/revision-of-official-fees-in-jpo-from-april-1-2022/",
        "surcharge_percent": Decimal("100"),
        "surcharge_basis": "Patent Act (Japan) Art. 112(1), (2) (late payment within six months with a surcharge "
        "equal to the annuity)",
        "notes": "For patents on applications whose examination was requested on or after 1 April 2004; older "
        "applications pay a different table (not seeded). Reductions for SMEs and others (Art. 109, 109-2) are "
        "not applied. Years 1-3 are paid at registration (Art. 108(1)).",
        "amounts": [
            (1, 3, "", "4300", "300"), (4, 6, "", "10300", "800"), (7, 9, "", "24800", "1900"),
            (10, 25, "", "59400", "4600"),
        ],
    },
]


def _history(apps, model_name: str, obj, now) -> None:
    Model = apps.get_model("deadlines", model_name)
    Historical = apps.get_model("deadlines", f"Historical{model_name}")
    values = {f.attname: getattr(obj, f.attname) for f in Model._meta.concrete_fields}
    values["id"] = obj.pk
    Historical.objects.create(
        history_date=now, history_type="+", history_change_reason=REASON, history_actor="process:migrate", **values
    )


def seed_fee_tables(apps, schema_editor):
    """Create the tables that do not exist yet (an admin may have entered them first), each row with a history
    row saying it was seeded here, then chain those history rows (docs/audit.md)."""
    from django.utils import timezone

    FeeSchedule = apps.get_model("deadlines", "FeeSchedule")
    FeeAmount = apps.get_model("deadlines", "FeeAmount")
    now = timezone.now()
    for table in TABLES:
        fields = {k: v for k, v in table.items() if k != "amounts"}
        if FeeSchedule.objects.filter(
            office=fields["office"], name=fields["name"], effective_from=fields["effective_from"]
        ).exists():
            continue
        schedule = FeeSchedule.objects.create(**fields)
        _history(apps, "FeeSchedule", schedule, now)
        for row in table["amounts"]:
            year_from, year_to, entity, amount, *per_claim = row
            fee = FeeAmount.objects.create(
                schedule=schedule, year_from=Decimal(str(year_from)), year_to=Decimal(str(year_to)),
                entity_size=entity, amount=Decimal(amount), per_claim=Decimal(per_claim[0] if per_claim else "0"),
            )
            _history(apps, "FeeAmount", fee, now)
    backfill_app(apps, schema_editor, "deadlines")


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0011_h16c_saved_view'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='deadline',
            name='status',
            field=models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('missed', 'Missed'), ('superseded', 'Superseded'), ('waived', 'Waived'), ('completed', 'Done (proven by a later office fact)'), ('moot', 'Moot (the right ended)'), ('let_lapse', 'Closed: instructed to let lapse')], db_index=True, default='open', max_length=12),
        ),
        migrations.AlterField(
            model_name='historicaldeadline',
            name='status',
            field=models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('missed', 'Missed'), ('superseded', 'Superseded'), ('waived', 'Waived'), ('completed', 'Done (proven by a later office fact)'), ('moot', 'Moot (the right ended)'), ('let_lapse', 'Closed: instructed to let lapse')], db_index=True, default='open', max_length=12),
        ),
        migrations.CreateModel(
            name='FeeSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('office', models.CharField(help_text='ST.3 code of the office that charges the fee', max_length=2)),
                ('name', models.CharField(help_text='e.g. EPO renewal fees for European patent applications', max_length=200)),
                ('rule_ids', models.CharField(help_text='Deadline rules this table prices, separated by spaces (e.g. EP.RENEWAL_FEE)', max_length=300)),
                ('currency', models.CharField(help_text='ISO 4217, e.g. EUR, USD, JPY', max_length=3)),
                ('effective_from', models.DateField(help_text='First day of payment on which these amounts apply')),
                ('effective_until', models.DateField(blank=True, help_text='Last day; empty while in force', null=True)),
                ('legal_basis', models.CharField(help_text='The provision that sets the amounts', max_length=300)),
                ('source', models.TextField(help_text='Where the figures were read (publication)')),
                ('source_url', models.URLField(blank=True, max_length=500)),
                ('surcharge_percent', models.DecimalField(blank=True, decimal_places=2, help_text='Surcharge for payment in the grace period as a percentage of the fee (EPO 50, JPO 100); empty when the table gives fixed surcharge amounts per row, or none is known', max_digits=5, null=True)),
                ('surcharge_basis', models.CharField(blank=True, help_text='The provision for the surcharge', max_length=300)),
                ('notes', models.TextField(blank=True, help_text='What the table does not cover (reductions, transitional rules)')),
            ],
            options={
                'ordering': ['office', 'name', '-effective_from'],
                'constraints': [models.UniqueConstraint(fields=('office', 'name', 'effective_from'), name='one_fee_table_per_start')],
            },
        ),
        migrations.CreateModel(
            name='FeeAmount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year_from', models.DecimalField(decimal_places=1, help_text='First renewal year (or maintenance stage, e.g. 3.5) covered', max_digits=4)),
                ('year_to', models.DecimalField(decimal_places=1, help_text='Last one covered (inclusive)', max_digits=4)),
                ('entity_size', models.CharField(blank=True, choices=[('', 'Any applicant'), ('large', 'Large (undiscounted)'), ('small', 'Small entity'), ('micro', 'Micro entity')], default='', max_length=10)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12)),
                ('per_claim', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Added per claim (JPO annuities)', max_digits=12)),
                ('surcharge', models.DecimalField(blank=True, decimal_places=2, help_text="Fixed surcharge in the grace period (USPTO 37 CFR 1.20(h)); empty: the table's percentage", max_digits=12, null=True)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('schedule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='amounts', to='deadlines.feeschedule')),
            ],
            options={
                'ordering': ['schedule', 'year_from', 'entity_size'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalFeeAmount',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_actor', models.CharField(blank=True, default='', max_length=150)),
                ('chain_seq', models.BigIntegerField(blank=True, db_index=True, editable=False, null=True)),
                ('row_hash', models.CharField(blank=True, default='', editable=False, max_length=64)),
                ('year_from', models.DecimalField(decimal_places=1, help_text='First renewal year (or maintenance stage, e.g. 3.5) covered', max_digits=4)),
                ('year_to', models.DecimalField(decimal_places=1, help_text='Last one covered (inclusive)', max_digits=4)),
                ('entity_size', models.CharField(blank=True, choices=[('', 'Any applicant'), ('large', 'Large (undiscounted)'), ('small', 'Small entity'), ('micro', 'Micro entity')], default='', max_length=10)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12)),
                ('per_claim', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Added per claim (JPO annuities)', max_digits=12)),
                ('surcharge', models.DecimalField(blank=True, decimal_places=2, help_text="Fixed surcharge in the grace period (USPTO 37 CFR 1.20(h)); empty: the table's percentage", max_digits=12, null=True)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('schedule', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='deadlines.feeschedule')),
            ],
            options={
                'verbose_name': 'historical fee amount',
                'verbose_name_plural': 'historical fee amounts',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalFeeSchedule',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_actor', models.CharField(blank=True, default='', max_length=150)),
                ('chain_seq', models.BigIntegerField(blank=True, db_index=True, editable=False, null=True)),
                ('row_hash', models.CharField(blank=True, default='', editable=False, max_length=64)),
                ('office', models.CharField(help_text='ST.3 code of the office that charges the fee', max_length=2)),
                ('name', models.CharField(help_text='e.g. EPO renewal fees for European patent applications', max_length=200)),
                ('rule_ids', models.CharField(help_text='Deadline rules this table prices, separated by spaces (e.g. EP.RENEWAL_FEE)', max_length=300)),
                ('currency', models.CharField(help_text='ISO 4217, e.g. EUR, USD, JPY', max_length=3)),
                ('effective_from', models.DateField(help_text='First day of payment on which these amounts apply')),
                ('effective_until', models.DateField(blank=True, help_text='Last day; empty while in force', null=True)),
                ('legal_basis', models.CharField(help_text='The provision that sets the amounts', max_length=300)),
                ('source', models.TextField(help_text='Where the figures were read (publication)')),
                ('source_url', models.URLField(blank=True, max_length=500)),
                ('surcharge_percent', models.DecimalField(blank=True, decimal_places=2, help_text='Surcharge for payment in the grace period as a percentage of the fee (EPO 50, JPO 100); empty when the table gives fixed surcharge amounts per row, or none is known', max_digits=5, null=True)),
                ('surcharge_basis', models.CharField(blank=True, help_text='The provision for the surcharge', max_length=300)),
                ('notes', models.TextField(blank=True, help_text='What the table does not cover (reductions, transitional rules)')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical fee schedule',
                'verbose_name_plural': 'historical fee schedules',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalRenewalInstruction',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_actor', models.CharField(blank=True, default='', max_length=150)),
                ('chain_seq', models.BigIntegerField(blank=True, db_index=True, editable=False, null=True)),
                ('row_hash', models.CharField(blank=True, default='', editable=False, max_length=64)),
                ('decision', models.CharField(choices=[('undecided', 'Undecided'), ('pay', 'Pay'), ('let_lapse', 'Let lapse')], default='undecided', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('note', models.TextField(blank=True, help_text='e.g. who at the client gave the instruction, and how')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('deadline', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='deadlines.deadline')),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical renewal instruction',
                'verbose_name_plural': 'historical renewal instructions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='RenewalInstruction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(choices=[('undecided', 'Undecided'), ('pay', 'Pay'), ('let_lapse', 'Let lapse')], default='undecided', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('note', models.TextField(blank=True, help_text='e.g. who at the client gave the instruction, and how')),
                ('deadline', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='instruction', to='deadlines.deadline')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AlterField(
            model_name='reminder',
            name='kind',
            field=models.CharField(choices=[('before_due', 'Before the due date'), ('before_latest', 'Before the latest possible date'), ('overdue', 'Overdue escalation'), ('digest', 'Daily digest'), ('report', 'Weekly docket report'), ('instruction', 'Renewal instruction needed')], max_length=16),
        ),
        migrations.AddIndex(
            model_name='deadline',
            index=models.Index(fields=['matter', 'rule_id', 'due_date'], name='deadline_matter_rule_due'),
        ),
        migrations.RunPython(seed_fee_tables, migrations.RunPython.noop),
    ]
