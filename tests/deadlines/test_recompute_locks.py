"""A recompute and a transaction recording an office event for the same matter, at the same moment, both commit.

Seen in the end-to-end worker test (CI, 2026-12-05): a sync transaction had inserted the matter's computation row
(its pending mark) and, at COMMIT, checked that row's foreign key to the matter (Django's constraints are
deferred), which takes FOR KEY SHARE on the matter. A recompute of the same matter held the matter FOR UPDATE and
was waiting to upsert that same computation row: each waited for the other, and PostgreSQL killed one. The
recompute now locks FOR NO KEY UPDATE (deadlines.services.facts.MATTER_LOCK), which a foreign-key check passes and
another recompute still waits for.
"""

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from deadlines import services
from deadlines.models import MatterComputation
from docketapp.audit import attributed
from tests.concurrency import on_own_connection
from tests.factories import MatterFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def waiting_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_a_recompute_waiting_on_a_new_pending_mark_lets_that_transaction_commit():
    matter = MatterFactory(office="EP")
    MatterComputation.objects.filter(matter=matter).delete()  # the mark's insert is what the recompute waits on
    marked, release, outcome = threading.Event(), threading.Event(), {}
    errors: list[BaseException] = []

    def recording():  # the sync's transaction: the pending mark inserted, committed only when told
        with attributed(reason="office event (test)", process="tests"), transaction.atomic():
            services.mark_recompute_pending(matter.pk)
            marked.set()
            release.wait(10)

    def recomputing():  # the worker's recompute of the same matter, started while the mark is uncommitted
        marked.wait(10)
        with attributed(reason="recompute (test)", process="tests"), transaction.atomic():
            outcome["summary"] = services.recompute_matters(
                matter_ids=[matter.pk], reason="office event recorded"
            ).summary()

    threads = [threading.Thread(target=on_own_connection(f, errors)) for f in (recording, recomputing)]
    for thread in threads:
        thread.start()
    marked.wait(10)
    deadline = time.monotonic() + 10
    while waiting_backends() == 0 and time.monotonic() < deadline:  # the recompute blocked on the new mark
        time.sleep(0.02)
    assert waiting_backends() == 1, "the recompute should be waiting for the uncommitted mark"
    release.set()  # the mark's transaction commits: its foreign-key check needs the matter the recompute holds
    for thread in threads:
        thread.join(30)
    close_old_connections()
    assert errors == []  # before: "deadlock detected" in one of them
    assert outcome["summary"] is not None
    row = MatterComputation.objects.get(matter=matter)
    assert row.computed_at is not None
