"""On PostgreSQL a recorded office event's plain statements are prepared on the server once they have run
POSTGRES_PREPARE_THRESHOLD times on a connection (docketapp.plain_rows.bound_cursor, issue 18): parsed and
planned once, not per event. A prepared run must write exactly what an unprepared one writes, and the query log
(DEBUG, the statement-count tests) must still show what ran."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from deadlines import services
from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.services import ensure_event_type, record_office_event
from tests.factories import MatterFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

D = dt.date.fromisoformat


def record(matter, day, months):
    with time_machine.travel(dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC), tick=False), attributed(
        reason="office event (test)", process="tests"
    ):
        event_type = ensure_event_type(code="EP.COMMUNICATION_94_3", label="94(3)", office="EP")
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            record_office_event(
                matter=matter, event_type=event_type, office_code="EP.COMMUNICATION_94_3", date=D(day),
                params={"period_months": months}, discriminator=f"{matter.pk}-{day}",
            )
            services.recompute_matters(matter_ids=[matter.pk], reason="office event recorded", today=D("2026-01-10"))
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def shape(sql: str) -> str:
    """A statement without its values (ids, hashes, moments differ from one matter to the next)."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_hot_path_is_prepared_after_the_threshold_and_writes_what_an_unprepared_run_writes():
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    assert threshold is not None and threshold >= 0, "POSTGRES_PREPARE_THRESHOLD left at its default"
    assert not any("auditlog_auditchainhead" in s for s in prepared()), "a fresh connection prepares nothing"
    with connection.cursor() as cursor:  # planned once, not again on every run (only prepared statements)
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
    matters = [MatterFactory(office="EP") for _ in range(threshold + 2)]
    logs = [record(matter, "2025-12-01", 4) for matter in matters]

    statements = prepared()
    # The chain head read (twice per event), the office event's insert and the computation upsert ran more often
    # than the threshold on this connection: the server holds them parsed and planned.
    for piece in (
        '"auditlog_auditchainhead" WHERE "table" = $1 FOR UPDATE',
        'INSERT INTO "patents_officeevent"',
        'INSERT INTO "deadlines_mattercomputation"',
    ):
        assert any(piece in s for s in statements), f"not prepared: {piece}\n" + "\n".join(statements)
    # The last event ran its statements prepared; the log shows each of them as the second event's (the first
    # also wrote each table's first history row and the lifecycle's first row) showed them before.
    assert None not in logs[-1]
    assert [shape(s) for s in logs[-1]] == [shape(s) for s in logs[1]]
    # EPC Rule 132(2): four months from notification on 1 December 2025 (Rule 131(4)), for every matter alike.
    for matter in matters:
        reply = Deadline.objects.get(matter=matter, rule_id="EP.REPLY_94_3")
        assert reply.due_date == D("2026-04-01")
        assert reply.history.get().history_actor == "process:tests"


def test_preparing_off_leaves_the_statements_unprepared(monkeypatch):
    """POSTGRES_PREPARE_THRESHOLD empty (a transaction-pooling PgBouncer that cannot follow them): nothing is
    prepared, and the event is recorded all the same."""
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    matter = MatterFactory(office="EP")
    for day in ("2025-12-01", "2025-12-02", "2025-12-03", "2025-12-04"):
        record(matter, day, 4)
    assert prepared() == []
    assert Deadline.objects.filter(matter=matter, rule_id="EP.REPLY_94_3", status=Deadline.Status.OPEN).count() == 1


def test_a_long_statement_is_converted_once_and_binds_its_values_as_psycopg_would():
    """psycopg keeps converted (``%s`` to ``$n``) only statements of at most 50 values; a recorded event's inserts
    carry hundreds, and docketapp.plain_rows keeps them too. The values of each run are still its own."""
    from psycopg._queries import PostgresQuery

    from deadlines.models import Reminder
    from docketapp.plain_rows import _converted, _converting_query_class, insert_rows
    from tests.factories import DeadlineFactory

    converting = _converting_query_class()
    assert converting is not None, "the installed psycopg's internals changed: see docketapp.plain_rows"
    deadline = DeadlineFactory(matter=MatterFactory())
    moment = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

    def rows(offsets, reason):
        return [
            Reminder(deadline=deadline, kind="before_due", offset_days=n, target_date=D("2026-04-01"), due_at=moment,
                     created_at=moment, status_reason=reason)
            for n in offsets
        ]

    insert_rows(Reminder, rows(range(0, 10), "first"))  # 10 rows of 11 values: 110, over psycopg's 50
    before = _converted.cache_info()
    insert_rows(Reminder, rows(range(10, 20), "second"))  # the same text, other values
    after = _converted.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses
    stored = dict(Reminder.objects.filter(deadline=deadline).values_list("offset_days", "status_reason"))
    assert stored == {**{n: "first" for n in range(10)}, **{n: "second" for n in range(10, 20)}}

    connection.ensure_connection()
    text, values = "SELECT " + ", ".join(["%s"] * 60), list(range(60))
    from psycopg.adapt import Transformer

    ours, theirs = converting(Transformer(connection.connection)), PostgresQuery(Transformer(connection.connection))
    ours.convert(text, values)
    theirs.convert(text, values)
    assert (ours.query, ours.params, ours.types, ours.formats) == (
        theirs.query, theirs.params, theirs.types, theirs.formats
    )
