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

from django.db import migrations

REASON = (
    "closing days entered from the offices' notices (deadlines.closure_data.PUBLISHED_LISTS and PARTIAL_LISTS; "
    "Rule 134(1) EPC, PCT Rule 80.5)"
)

_0010 = import_module("deadlines.migrations.0010_h15_published_closures")


def add_closures(apps, schema_editor):
    from deadlines.closure_data import partial_lists, published_lists

    _0010.add_closure_rows(apps, schema_editor, rows=[*published_lists(), *partial_lists()], reason=REASON)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0013_g14_optional")]

    operations = [migrations.RunPython(add_closures, migrations.RunPython.noop)]
