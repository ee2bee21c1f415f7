"""The docket's counts, the verification queue's, the calendar's day totals and the renewals' count are kept
as exact figures (deadlines.freshness.exact_figure): counted once, read by everyone who sees the same rows,
and counted again as soon as any deadline, matter, membership or client has changed, however it changed. A
kept figure is always what counting now would give: these tests change the data the ways the application
does (a save, a worker's bulk write that sends no signal, a transaction that commits after a later one) and
compare the pages' figures with a count made from nothing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from deadlines.freshness import generation
from deadlines.models import Deadline
from docketapp.audit import attributed, history_kwargs
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(today):
    paula, colin = UserFactory(username="paula"), UserFactory(username="colin")
    with attributed(reason="test: exact figures", process="tests"):
        acme = ClientFactory(reference="ACME")
        for user in (paula, colin):
            TeamMembershipFactory(user=user, client=acme)
        matter = MatterFactory(client=acme, reference="ACME-1", responsible_paralegal=paula)
        later = [
            DeadlineFactory(matter=matter, key=f"later:{i}", title=f"Later {i}", responsible=paula,
                            due_date=TODAY + dt.timedelta(days=10 + i))
            for i in range(4)
        ]
        overdue = DeadlineFactory(matter=matter, key="overdue", title="Overdue", responsible=paula,
                                  due_date=TODAY - dt.timedelta(days=2))
        renewal = DeadlineFactory(matter=matter, key="EP.RENEWAL_FEE:3", rule_id="EP.RENEWAL_FEE",
                                  title="Renewal fee (year 3)", due_date=TODAY + dt.timedelta(days=40))
    return {"paula": paula, "colin": colin, "later": later, "overdue": overdue, "renewal": renewal}


def figures(client) -> dict[str, int]:
    docket = client.get(reverse("patents:home"), {"scope": "team"}).context
    queue = client.get(reverse("deadlines:verification-queue")).context
    calendar = client.get(reverse("deadlines:calendar"), {"scope": "team", "month": "2026-03"}).context
    renewals = client.get(reverse("deadlines:renewals")).context
    return {
        "overdue": docket["overdue_total"],
        "docket": docket["page"].paginator.count,
        "queue": queue["page"].paginator.count,
        "calendar": calendar["total"],
        "renewals": renewals["page"].paginator.count,
    }


def counted_from_nothing(client) -> dict[str, int]:
    cache.clear()
    return figures(client)


def test_a_bulk_write_that_sends_no_signal_shows_on_every_page_at_once(client, team):
    """The recompute writes many rows with bulk_update_with_history (no save signal: the nav badge's counter
    does not move). The pages' kept figures still follow on the next request."""
    client.force_login(team["paula"])
    before = figures(client)
    client.force_login(team["colin"])
    assert figures(client) == before  # Colin reads Paula's figures
    moved_from = generation()
    a, b, c, d = team["later"]
    a.due_date = b.due_date = TODAY - dt.timedelta(days=1)  # overdue now
    d.due_date = TODAY + dt.timedelta(days=200)  # off the month's grid and the docket's 90 days
    team["renewal"].due_date = TODAY + dt.timedelta(days=3 * 365)  # past the renewals' months
    c.verified_at, c.verified_by = timezone.now(), team["paula"]  # out of the verification queue
    with attributed(reason="test: a worker's bulk write", process="tests"):
        bulk_update_with_history([a, b, d, team["renewal"]], Deadline, ["due_date"], **history_kwargs())
        bulk_update_with_history([c], Deadline, ["verified_at", "verified_by"], **history_kwargs())
    assert generation() == moved_from  # no signal: only the data version saw the change
    after = figures(client)
    assert after == counted_from_nothing(client)
    assert after == {
        "overdue": before["overdue"] + 2,
        "docket": before["docket"] - 2,  # d and the renewal left the 90 days
        "queue": before["queue"] - 1,
        "calendar": before["calendar"] - 1,  # d left the grid (a and b stayed on it)
        "renewals": before["renewals"] - 1,
    }


def test_a_figure_is_kept_until_something_changes(client, team):
    from django.test.utils import CaptureQueriesContext

    client.force_login(team["paula"])
    figures(client)
    with CaptureQueriesContext(connection) as kept:
        again = figures(client)
    counts = [q["sql"] for q in kept.captured_queries if "COUNT(" in q["sql"] and "deadlines_deadline" in q["sql"]]
    # The nav badge's count is kept on its own (freshness.nav_figures); nothing else is counted again.
    assert counts == [], counts
    assert again == counted_from_nothing(client)


def test_matters_written_in_bulk_count_on_the_matter_list_at_once(client, team):
    """An import writes matters with bulk_create_with_history: the matter list's kept count follows."""
    from simple_history.utils import bulk_create_with_history

    from patents.models import Client, Matter

    client.force_login(team["colin"])
    url = reverse("patents:matter-list")
    before = client.get(url).context["page"].paginator.count
    acme = Client.objects.get(reference="ACME")
    with attributed(reason="test: an import", process="tests"):
        bulk_create_with_history(
            [Matter(client=acme, reference=f"ACME-IMP-{i}", office="EP", title=f"Imported {i}") for i in range(3)],
            Matter, **history_kwargs(),
        )
    after = client.get(url).context["page"].paginator.count
    assert after == before + 3
    cache.clear()
    assert client.get(url).context["page"].paginator.count == after


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_for_the_first_so_the_version_moves_with_every_commit(client, team):
    """What keeps a figure exact: the newest history ids move with every commit. Two writers change two
    deadlines at once; the second waits for the first's commit (the chain head of the deadline history) before
    its row gets an id, so its id is the higher, and the first's commit moves the version. If history rows
    could take ids out of commit order, a change committed under an older id would leave a kept figure
    stale: this test fails first."""
    from deadlines.freshness import data_version

    client.force_login(team["paula"])
    before = figures(client)
    written, go_on = threading.Event(), threading.Event()
    pids: dict[str, int] = {}
    ids: dict[str, int] = {}
    failures: list[BaseException] = []

    def writer(name: str, deadline: Deadline, hold: bool) -> None:
        try:
            with transaction.atomic(), attributed(reason=f"test: {name} writer", process="tests"):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pids[name] = cursor.fetchone()[0]
                deadline.due_date = TODAY - dt.timedelta(days=1)
                deadline.save()
                ids[name] = deadline.history.order_by("-history_id").values_list("history_id", flat=True)[0]
                if hold:
                    written.set()
                    assert go_on.wait(30)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            failures.append(exc)
            written.set()
        finally:
            connection.close()

    first = threading.Thread(target=writer, args=("first", team["later"][0], True))
    second = threading.Thread(target=writer, args=("second", team["later"][1], False))
    first.start()
    try:
        assert written.wait(30) and not failures, failures
        version_while_open = data_version()
        second.start()
        waiting = False
        for _ in range(300):  # the second writer reaches the chain head and waits for the first's commit
            with connection.cursor() as cursor:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pids.get("second", 0)])
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                waiting = True
                break
            second.join(0.05)
            if not second.is_alive():
                break
        assert waiting, "the second writer did not wait for the first"
        assert figures(client) == before  # neither change is committed
        assert data_version() == version_while_open
    finally:
        go_on.set()
        first.join(30)
        second.join(30)
    assert not failures, failures
    assert ids["second"] > ids["first"]
    assert data_version() != version_while_open
    after = figures(client)
    assert after["overdue"] == before["overdue"] + 2
    assert after == counted_from_nothing(client)
