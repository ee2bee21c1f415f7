"""A new office event on PostgreSQL is written as plain SQL with its history row sealed here
(patents.services._insert_event): the same event row, history row (attribution, parameters) and audit chain as
Django's save with simple-history's row; and an event another worker stored meanwhile is theirs."""

import datetime as dt

import pytest
from django.db import transaction

from docketapp import audit_chain
from docketapp.audit import attributed
from patents.models import OfficeEvent
from patents.services import _insert_event, record_office_event
from tests.factories import EventTypeFactory, MatterFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

IDENTITY = {"id", "matter_id", "natural_key", "recorded_at"}
HISTORY_IDENTITY = IDENTITY | {"history_id", "chain_seq", "row_hash", "history_date"}
PARAMS = {"period_months": 4, "who": "Müller 東京", "nested": {"a": [1, None]}}


def stored(matter):
    event = OfficeEvent.objects.get(matter=matter)
    history = OfficeEvent.history.get(matter=matter)
    return (
        {k: v for k, v in vars(event).items() if not k.startswith("_") and k not in IDENTITY},
        {k: v for k, v in vars(history).items() if not k.startswith("_") and k not in HISTORY_IDENTITY},
    )


def test_a_new_event_is_stored_and_historied_as_djangos_save_stores_it():
    user = UserFactory()
    action = EventTypeFactory(code="EP.COMMUNICATION_94_3", office="EP")
    plain, django = MatterFactory(office="EP"), MatterFactory(office="EP")
    with attributed(reason="office sync", user=user, process="tests"), transaction.atomic():
        event, created = record_office_event(
            matter=plain, event_type=action, office_code="EXRE", date=dt.date(2025, 12, 1), params=PARAMS,
            office_text="Communication «94(3)»", discriminator="x",
        )
        OfficeEvent(
            matter=django, event_type=action, office_code="EXRE", date=dt.date(2025, 12, 1), params=PARAMS,
            office_text="Communication «94(3)»",
            natural_key=OfficeEvent.build_natural_key("EXRE", dt.date(2025, 12, 1), "x"),
        ).save()
    assert created and event.pk is not None
    assert stored(plain) == stored(django)
    row, history = stored(plain)
    assert row["params"] == PARAMS
    assert (history["history_type"], history["history_actor"], history["history_user_id"]) == (
        "+", f"user:{user.username}", user.pk,
    )
    assert history["history_change_reason"] == "office sync"
    assert audit_chain.verify().findings == []


def test_an_event_stored_meanwhile_by_another_worker_is_theirs():
    action = EventTypeFactory(code="EP.COMMUNICATION_94_3", office="EP")
    matter = MatterFactory(office="EP")
    key = OfficeEvent.build_natural_key("EXRE", dt.date(2025, 12, 1), "x")
    with attributed(reason="office sync", process="tests"), transaction.atomic():
        theirs = OfficeEvent(matter=matter, event_type=action, office_code="EXRE", date=dt.date(2025, 12, 1),
                             natural_key=key)
        theirs.save()
        ours = OfficeEvent(matter=matter, event_type=action, office_code="EXRE", date=dt.date(2025, 12, 1),
                           natural_key=key, office_text="ours")
        assert _insert_event(ours) is False
    assert list(OfficeEvent.objects.filter(matter=matter).values_list("pk", "office_text")) == [(theirs.pk, "")]
    assert OfficeEvent.history.filter(matter=matter).count() == 1
    assert audit_chain.verify().findings == []


def test_a_new_event_costs_three_statements_and_one_seen_again_is_read_compared_and_corrected():
    """PostgreSQL tries the insert first (sync hands over only events the docket does not hold): a new event is
    its INSERT, the chain head's locking read, and its history row inserted with the head's move in one
    statement. Seen again unchanged it writes nothing; corrected by the office, the row is updated with a "~"
    history row, as before the insert came first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action = EventTypeFactory(code="EP.COMMUNICATION_94_3", office="EP")
    matter = MatterFactory(office="EP")

    def record(text):
        with CaptureQueriesContext(connection) as queries:
            with attributed(reason="office sync", process="tests"), transaction.atomic():
                event, changed = record_office_event(
                    matter=matter, event_type=action, office_code="EXRE", date=dt.date(2025, 12, 1),
                    office_text=text, discriminator="x", params=PARAMS, notify=False,
                )
        # (The test's own atomic() is a savepoint inside the test case's transaction: not the event's cost.)
        return event, changed, [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]

    first, created, statements = record("Communication")
    assert created and len(statements) == 3, "\n".join(statements)
    assert statements[0].startswith('INSERT INTO "patents_officeevent"')
    assert statements[2].startswith('WITH "along" AS (UPDATE "auditlog_auditchainhead"')
    again, changed, _ = record("Communication")
    assert (again.pk, changed) == (first.pk, False)
    corrected, changed, _ = record("Communication (corrected)")
    assert (corrected.pk, changed) == (first.pk, True)
    assert list(OfficeEvent.objects.filter(matter=matter).values_list("office_text", flat=True)) == [
        "Communication (corrected)"
    ]
    assert [h.history_type for h in OfficeEvent.history.filter(matter=matter).order_by("chain_seq")] == ["+", "~"]
    assert audit_chain.verify().findings == []
