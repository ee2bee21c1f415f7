"""The admin's Deadline and Matter changelists at portfolio scale (issue 18): the search finds the same rows by
the matters' indexed columns whichever way it is planned, a count past the cap is said as "more than N" (never
a made-up exact figure), and the queries per page do not grow with the rows. Their speed at 1.5 M deadlines is
measured by `bench admin` (docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines import admin as deadline_admin
from deadlines.models import Deadline
from docketapp.admin_tools import CappedCountPaginator
from docketapp.audit import attributed
from tests.factories import ClientFactory, MatterFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:deadlines_deadline_changelist"


@pytest.fixture
def docket(db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    with attributed(reason="test: admin changelists", process="tests"):
        acme = ClientFactory(reference="ACME")
        matters = [
            MatterFactory(client=acme, reference=f"ACME-{i:03d}", office="US",
                          application_number=f"18/{100000 + i:06d}")
            for i in range(6)
        ]
        Deadline.objects.bulk_create([
            Deadline(matter=m, key=f"k{k}", office="US", title=f"Deadline {k}", kind="procedural",
                     due_date=dt.date(2026, 1, 1) + dt.timedelta(days=k * 5 + i))
            for i, m in enumerate(matters) for k in range(4)
        ])
    return {"admin": admin, "matters": matters}


def listed(client, **params) -> tuple[set[int], str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {d.pk for d in response.context["cl"].result_list}, response.content.decode()


@pytest.mark.parametrize("ids_limit", [1000, 1], ids=["matter ids", "many matters: subquery"])
def test_search_finds_a_matters_deadlines_by_number_or_reference_either_way(client, docket, monkeypatch, ids_limit):
    monkeypatch.setattr(deadline_admin, "SEARCH_MATTER_IDS", ids_limit)
    client.force_login(docket["admin"])
    target = docket["matters"][2]
    expected = set(target.deadlines.values_list("pk", flat=True))
    assert listed(client, q="US 18/100,002")[0] == expected  # any punctuation, with the office
    assert listed(client, q="acme-002")[0] == expected  # the reference's beginning, any case
    everyone = set(Deadline.objects.values_list("pk", flat=True))
    assert listed(client, q="ACME-00")[0] == everyone
    one = min(expected)
    assert one in listed(client, q=str(one))[0]  # a deadline's number


def test_a_count_past_the_cap_is_said_as_more_than_and_the_pages_stop_there(client, docket, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 10)
    client.force_login(docket["admin"])
    response = client.get(reverse(CHANGELIST), {"o": "3"})
    body = response.content.decode()
    assert "more than 10 deadlines" in body
    assert response.context["cl"].paginator.num_pages == 1  # 50 a page: the first 10 rows only
    _, searched = listed(client, q="ACME")
    assert "more than 10 results" in searched
    _, small = listed(client, q="ACME-001")
    assert "4 results" in small and "more than" not in small


def test_a_deep_page_read_by_ids_first_lists_the_same_rows_in_the_same_order(client, docket, monkeypatch):
    from docketapp import admin_tools

    client.force_login(docket["admin"])
    monkeypatch.setattr(deadline_admin.DeadlineAdmin, "list_per_page", 5)
    pages = {}
    for deferred_from in (10_000, 0):
        monkeypatch.setattr(admin_tools, "DEFERRED_PAGE_FROM", deferred_from)
        pages[deferred_from] = [
            [d.pk for d in client.get(reverse(CHANGELIST), {"p": p}).context["cl"].result_list] for p in (2, 3, 5)
        ]
    assert pages[0] == pages[10_000]
    assert [len(rows) for rows in pages[0]] == [5, 5, 4]


def test_the_changelists_queries_do_not_grow_with_the_rows(client, docket):
    client.force_login(docket["admin"])

    def count(url: str, **params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx)

    urls = [(reverse(CHANGELIST), {}), (reverse(CHANGELIST), {"q": "ACME-00"}),
            (reverse("admin:patents_matter_changelist"), {"q": "18/100,001"})]
    before = [count(url, **params) for url, params in urls]
    with attributed(reason="test: more rows", process="tests"):
        extra = MatterFactory(client=docket["matters"][0].client, reference="ACME-009", office="US")
        someone = UserFactory()
        Deadline.objects.bulk_create([
            Deadline(matter=extra, key=f"x{k}", office="US", title="More", kind="internal",
                     due_date=dt.date(2026, 2, 1), responsible=someone)
            for k in range(12)
        ])
    assert [count(url, **params) for url, params in urls] == before


@pytest.mark.postgres
def test_a_status_filtered_changelist_reads_its_first_page_off_the_status_index_in_list_order(client, docket):
    """The admin's "status: open" (and every list of one status in due-date order) is read off (status, due_date,
    id): at 2 M deadlines the (due_date, id) walk past every closed row took 750 ms, this 1 ms (issue 18,
    docs/benchmarks.md). Sequential scans and sorts are switched off for the EXPLAIN, so that the tiny test
    table does not hide whether an index can give the page in its order."""
    client.force_login(docket["admin"])
    with CaptureQueriesContext(connection) as captured:
        ids, _ = listed(client, status__exact="open")
    assert ids == set(Deadline.objects.filter(status="open").values_list("pk", flat=True))
    page = [q["sql"] for q in captured.captured_queries
            if q["sql"].startswith("SELECT") and '"deadlines_deadline"."status" = ' in q["sql"]
            and q["sql"].endswith('ORDER BY "deadlines_deadline"."due_date" ASC, "deadlines_deadline"."id" ASC')]
    assert page, "the changelist's page query"
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_sort = off")
        try:
            cursor.execute("EXPLAIN " + page[-1])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_sort")
    assert "deadline_status_due_id" in plan, plan
    assert "Sort" not in plan, plan
