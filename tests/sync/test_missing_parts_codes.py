"""USPTO ODP INCD / COMP: the notice to file missing parts (37 CFR 1.53(f)) and the application's completion,
read from the real recorded answer (tests/fixtures/offices/uspto, SOURCES.md), and the migration that
re-points a database seeded when both were administrative steps (and adds the JPO national-phase codes)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from patents.models import EventType, Matter, OfficeCodeMapping, OfficeEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings", "no_hooks")]

D = dt.date.fromisoformat


def _ingest_17248024(office_samples) -> dict:
    out = StringIO()
    call_command("ingest_file", "--office", "US", "--kind", "application", "--create",
                 str(office_samples / "uspto" / "odp-application-17248024.json"), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_missing_parts_notice_gets_its_37cfr1_53f_period_and_completion_answers_it(office_samples):
    report = _ingest_17248024(office_samples)
    matter = Matter.objects.get(reference=report["matter"])
    notice = OfficeEvent.objects.get(matter=matter, office_code="INCD")
    assert (notice.event_type.code, notice.date) == ("US.MISSING_PARTS_NOTICE", D("2021-01-29"))
    assert OfficeEvent.objects.get(matter=matter, office_code="COMP").event_type.code == "US.MISSING_PARTS_FILED"
    from deadlines.models import Deadline

    # Two months from the mailing, 29 Mar 2021 (a Monday); the application was complete on 30 Mar 2021 (fee
    # paid 26 Mar, within the period): the deadline is computed and answered, not a false alarm on the docket.
    missing = Deadline.objects.get(matter=matter, rule_id="US.MISSING_PARTS")
    assert (missing.due_date, missing.status) == (D("2021-03-29"), Deadline.Status.SUPERSEDED)
    assert "US.MISSING_PARTS" not in {d["rule"] for d in report["deadlines"]}


def _remap():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    state = MigrationExecutor(connection).loader.project_state(("patents", "0013_h15_trigger_codes"))
    import_module("patents.migrations.0013_h15_trigger_codes").remap(
        state.apps, SimpleNamespace(connection=connection)
    )


def test_migration_repoints_a_database_seeded_with_office_steps_and_the_events_already_recorded(audit):
    from docketapp.audit_chain import verify
    from tests.factories import MatterFactory, OfficeEventFactory

    step = EventType.objects.get(code="US.OFFICE_STEP")
    incd = OfficeCodeMapping.objects.get(office="US", source="odp-transaction", code="INCD")
    comp = OfficeCodeMapping.objects.get(office="US", source="odp-transaction", code="COMP")
    incd.event_type = step
    incd.save()
    # An admin had already pointed COMP elsewhere on purpose: the migration leaves that choice alone.
    comp.event_type = EventType.objects.get(code="US.RESPONSE_FILED")
    comp.save()
    # A database seeded before the JPO national-phase codes were mapped.
    OfficeCodeMapping.objects.filter(office="JP", source="jpo-progress", code__in=["A632", "A634"]).delete()
    matter = MatterFactory(office="US")
    ep_matter = MatterFactory(office="EP")
    old = OfficeEventFactory(matter=matter, event_type=step, office_code="INCD", date=D("2026-10-01"))
    other = OfficeEventFactory(matter=ep_matter, event_type=step, office_code="INCD", date=D("2026-10-01"))

    _remap()

    incd.refresh_from_db()
    comp.refresh_from_db()
    old.refresh_from_db()
    other.refresh_from_db()
    assert incd.event_type.code == "US.MISSING_PARTS_NOTICE" and "1.53(f)" in incd.note
    assert comp.event_type.code == "US.RESPONSE_FILED"
    assert old.event_type.code == "US.MISSING_PARTS_NOTICE"
    assert other.event_type.code == "US.OFFICE_STEP"  # not a US matter: not the USPTO's code
    for obj in (incd, old):
        latest = obj.history.first()
        assert latest.history_actor == "process:migrate" and "INCD is US.MISSING_PARTS_NOTICE" in (
            latest.history_change_reason
        )
    a632 = OfficeCodeMapping.objects.get(office="JP", source="jpo-progress", code="A632")
    assert a632.event_type.code == "JP.NATIONAL_DOCUMENTS_FILED"
    assert a632.history.first().history_type == "+" and a632.history.first().history_actor == "process:migrate"
    assert OfficeCodeMapping.objects.get(code="A634", source="jpo-progress").event_type.code == "JP.TRANSLATION_FILED"
    assert verify().ok
    before = OfficeEvent.history.count()
    _remap()  # again: nothing left to re-point
    assert OfficeEvent.history.count() == before
