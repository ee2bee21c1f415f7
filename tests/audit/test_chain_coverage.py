"""Every way a history row is written lands on its table's chain: save(), simple-history's bulk helpers,
deadlines' COPY path, and concurrent writers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from simple_history.utils import bulk_update_with_history

from deadlines import services
from deadlines.models import Deadline
from docketapp import audit_chain
from docketapp.audit import attributed, history_kwargs
from patents.models import Client, OfficeEvent
from tests.concurrency import on_own_connection
from tests.factories import ClientFactory, EventTypeFactory, MatterFactory

from .conftest import findings, tamper

D = dt.date.fromisoformat
DeadlineHistory = Deadline.history.model
TABLE = DeadlineHistory._meta.db_table


def _portfolio():
    # Three EP filings give 54 renewal deadlines in one chunk: on PostgreSQL they take the COPY path.
    matters = [MatterFactory(office="EP", filing_date=D("2024-03-15")) for _ in range(3)]
    et = EventTypeFactory(code="EP.FILED", label="filed", office="EP")
    with attributed(reason="test event", process="tests"):
        for m in matters:
            OfficeEvent.objects.create(matter=m, event_type=et, office_code="EP.FILED", date=D("2024-03-15"),
                                       natural_key="EP.FILED|2024-03-15", params={"source": "test"})
    outcome = services.recompute_matters(matter_ids=[m.pk for m in matters], reason="bulk", today=D("2026-01-10"))
    assert outcome.summary()["create"] == 54
    return matters


@pytest.mark.django_db
def test_bulk_created_and_bulk_updated_history_rows_are_chained_and_verify():
    matters = _portfolio()
    rows = list(Deadline.objects.filter(matter__in=matters)[:10])
    with attributed(reason="bulk note", process="tests"):
        for row in rows:
            row.title += " (checked against the register)"
        bulk_update_with_history(rows, Deadline, ["title"], **history_kwargs())
    seqs = list(DeadlineHistory.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert seqs == list(range(1, 65))
    updated = DeadlineHistory.objects.filter(history_type="~")
    # The bulk helpers send no pre_create_historical_record; the chain fills the actor for them.
    assert {h.history_actor for h in updated} == {"process:tests"}
    assert audit_chain.verify().findings == []


@pytest.mark.django_db
def test_changed_explanation_json_is_detected():
    _portfolio()
    target = DeadlineHistory.objects.order_by("chain_seq")[5]
    tamper(f'UPDATE "{TABLE}" SET explanation = %s WHERE history_id = %s',
           ['{"steps": [], "forged": true}', target.history_id], table=TABLE)
    [found] = findings(table=TABLE)
    assert (found.kind, found.rows) == ("changed", f"seq {target.chain_seq} (history_id {target.history_id})")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_table_keep_one_linear_chain():
    with attributed(reason="set-up", process="tests"):
        ClientFactory(reference="BASE")
    inside = threading.Event()
    errors: list[BaseException] = []

    def slow_writer():
        with attributed(reason="slow writer", process="tests"), transaction.atomic():
            Client.objects.create(reference="SLOW", name="slow")
            inside.set()
            threading.Event().wait(0.5)  # holds the chain head while the other writer tries
            Client.objects.create(reference="SLOW2", name="slow 2")

    def fast_writer():
        inside.wait(5)
        with attributed(reason="fast writer", process="tests"):
            Client.objects.create(reference="FAST", name="fast")

    threads = [threading.Thread(target=on_own_connection(f, errors)) for f in (slow_writer, fast_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    History = Client.history.model
    order = list(History.objects.order_by("chain_seq").values_list("chain_seq", "reference"))
    assert order == [(1, "BASE"), (2, "SLOW"), (3, "SLOW2"), (4, "FAST")]
    assert audit_chain.verify().findings == []
    assert connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_writers_of_a_table_without_a_chain_head_both_succeed():
    from docketapp.auditlog.models import AuditChainHead

    History = Client.history.model
    AuditChainHead.objects.filter(table=History._meta.db_table).delete()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(ref: str):
        start.wait(5)
        with attributed(reason="first writer", process="tests"), transaction.atomic():
            Client.objects.create(reference=ref, name=ref)
            threading.Event().wait(0.3)

    threads = [threading.Thread(target=on_own_connection(writer, errors), args=(ref,)) for ref in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert sorted(History.objects.values_list("chain_seq", flat=True)) == [1, 2]
    assert audit_chain.verify().findings == []
