from django.db import migrations, models


def forget_earlier_computations(apps, schema_editor):
    # Rows computed before this field existed hold no problems: without this they would read as "nothing the
    # engine could not compute" until their inputs change. With the hash and time cleared, the matter page
    # says the deadlines were not computed yet, and the next full recompute (nightly) skips none of them.
    # MatterComputation is bookkeeping without history, so no audit chain to seal.
    computation = apps.get_model("deadlines", "MatterComputation")
    computation.objects.update(inputs_hash="", computed_at=None)


class Migration(migrations.Migration):
    """What the engine could not compute, stored by recompute, so the matter page reads it instead of running
    the engine on every view."""

    dependencies = [("deadlines", "0008_docket_truth")]

    operations = [
        migrations.AddField(
            model_name="mattercomputation",
            name="problems",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(forget_earlier_computations, migrations.RunPython.noop),
    ]
