"""Matter facts renewal fees depend on: claim count (JPO annuities) and USPTO entity size; unknown by default."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patents', '0018_h13_parent_number'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmatter',
            name='claim_count',
            field=models.PositiveIntegerField(blank=True, help_text='Claims in force (JPO annuities are charged per claim); empty: unknown', null=True),
        ),
        migrations.AddField(
            model_name='historicalmatter',
            name='entity_size',
            field=models.CharField(blank=True, choices=[('', 'Unknown'), ('large', 'Large (undiscounted)'), ('small', 'Small entity'), ('micro', 'Micro entity')], default='', help_text='USPTO fee entity status (37 CFR 1.27, 1.29); empty: unknown', max_length=10),
        ),
        migrations.AddField(
            model_name='matter',
            name='claim_count',
            field=models.PositiveIntegerField(blank=True, help_text='Claims in force (JPO annuities are charged per claim); empty: unknown', null=True),
        ),
        migrations.AddField(
            model_name='matter',
            name='entity_size',
            field=models.CharField(blank=True, choices=[('', 'Unknown'), ('large', 'Large (undiscounted)'), ('small', 'Small entity'), ('micro', 'Micro entity')], default='', help_text='USPTO fee entity status (37 CFR 1.27, 1.29); empty: unknown', max_length=10),
        ),
    ]
