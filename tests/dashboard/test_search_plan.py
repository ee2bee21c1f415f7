"""The docket's search on PostgreSQL reads what it finds through the trigram indexes (migrations patents 0022,
deadlines 0019), not every deadline the user may see: the plan of the search's queries names both indexes.

The index expressions must be the ones Django writes for the lookups (``UPPER(column::text) LIKE``, the
compacted numbers' ``UPPER(REPLACE(…))``); if a change to ``search_q`` or to the indexes lets them drift
apart, PostgreSQL silently goes back to reading every row, and these tests fail. Sequential scans are
switched off for the EXPLAIN so that the planner's choice on a small test table does not hide whether the
index *can* answer the query. What the search finds is tested, on both databases, in
``test_bulk_search_views.py``."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines.filters import _compacted
from deadlines.models import Deadline
from patents.models import Matter
from tests.factories import DeadlineFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
HOME = reverse("patents:home")


def _search_plans(client, query: str) -> tuple[list[str], list[str]]:
    """EXPLAIN of the docket's queries for ``q=query``: the matching matters' lookup, and every deadline
    query that searched (count, overdue part, the rest)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(HOME, {"q": query})
    assert response.status_code == 200
    matters, deadlines = [], []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for sql in (q["sql"] for q in captured.captured_queries):
                if "LIKE" not in sql:
                    continue
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                (deadlines if sql.startswith("SELECT") and "deadlines_deadline" in sql else matters).append(plan)
        finally:
            cursor.execute("RESET enable_seqscan")
    return matters, deadlines


@pytest.mark.parametrize(
    "query",
    [
        "ACME-001",  # our reference
        "EP3912345",  # a number typed without its spaces: the compacted expressions
        "art. 94(3)",  # a deadline's title
    ],
)
def test_a_search_reads_matters_and_deadline_titles_through_their_trigram_indexes(client, portfolio, query):
    client.force_login(portfolio["alice"])
    matters, deadlines = _search_plans(client, query)
    # The matching matters are read once, each field from its column of the trigram index ...
    assert len(matters) == 1, matters
    assert "matter_search_trgm" in matters[0] and "Seq Scan on patents_matter" not in matters[0], matters[0]
    assert deadlines, "the docket ran no search query"
    for plan in deadlines:
        # ... and the deadline queries hold their ids: no matter is matched again, nothing tested row by row.
        assert "matter_search_trgm" not in plan and "= ANY (" in plan, plan
        assert "hashed SubPlan" not in plan, plan


@pytest.mark.parametrize(
    "condition",
    [
        "deadline title",
        "matter reference",
        "compacted publication number",
    ],
)
def test_each_search_condition_is_one_the_trigram_indexes_answer(portfolio, condition):
    """The lookups exactly as search_q writes them (its own expressions), each answered from its index."""
    queries = {
        "deadline title": (Deadline.objects.filter(title__icontains="art. 94(3)"), "deadline_title_trgm"),
        "matter reference": (Matter.objects.filter(reference__icontains="acme-001"), "matter_search_trgm"),
        "compacted publication number": (
            Matter.objects.alias(p=_compacted("publication_number")).filter(p__contains="EP3912345"),
            "matter_search_trgm",
        ),
    }
    queryset, index = queries[condition]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = queryset.order_by().values("pk").explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert index in plan, plan


def test_the_indexed_search_finds_a_title_match_and_a_matter_match_in_one_list(client, portfolio):
    """The OR of the two indexes: deadlines found through their matter's reference and one found by its own
    title (on another matter) come back together, each once, and nothing else."""
    titled = DeadlineFactory(
        matter=portfolio["matter_a2"], title="Copy ACME-001's reply to the US file", responsible=portfolio["bob"],
        office="US", due_date=portfolio["later"].due_date,
    )
    client.force_login(portfolio["alice"])
    response = client.get(HOME, {"q": "acme-001"})
    ids = [int(x) for x in re.findall(rb'data-deadline="(\d+)"', response.content)]
    expected = {portfolio["overdue"].pk, portfolio["soon"].pk, portfolio["far"].pk, titled.pk}
    assert sorted(ids) == sorted(expected)
