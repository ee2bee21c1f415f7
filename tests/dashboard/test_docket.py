"""My docket: overdue first, the 90-day window, scopes, filters, sorting, paging, htmx, CSV, query bound."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.dates import format_date
from tests.factories import ClientFactory, MatterFactory, TeamMembershipFactory, UserFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db
HOME = reverse("patents:home")


def row_ids(response) -> list[int]:
    return [int(x) for x in re.findall(rb'data-deadline="(\d+)"', response.content)]


def test_overdue_comes_first_in_red_with_days_overdue_then_next_90_days(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.get(HOME)
    ids = row_ids(response)
    assert ids == [portfolio["overdue"].pk, portfolio["soon"].pk]  # mine: bob's and the 200-day one are out
    html = response.content.decode()
    assert "5 days overdue" in html
    assert 'class="section overdue"' in html
    overdue_row = re.search(rf'<tr class="overdue\s*" data-deadline="{portfolio["overdue"].pk}"', html)
    assert overdue_row, "the overdue row must carry the red 'overdue' class"
    assert "in 10 days" in html
    assert "next 90 days" in html


def test_overdue_stays_first_whatever_the_sort(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.get(HOME, {"scope": "all", "sort": "-due"})
    ids = row_ids(response)
    assert ids[0] == portfolio["overdue"].pk
    assert ids[1:] == [portfolio["later"].pk, portfolio["soon"].pk]


def test_scope_toggle_mine_team_all(client, portfolio):
    alice, bob = portfolio["alice"], portfolio["bob"]
    with attributed(reason="test", process="tests"):
        outsider = UserFactory(username="zed")
        unassigned = Deadline.objects.create(
            matter=portfolio["matter_a2"],
            key="k-unassigned",
            office="US",
            title="Nobody's deadline",
            kind=Deadline.Kind.PROCEDURAL,
            due_date=TODAY + dt.timedelta(days=20),
        )
        external = Deadline.objects.create(
            matter=portfolio["matter_a2"],
            key="k-external",
            office="US",
            title="Assigned outside the team",
            kind=Deadline.Kind.PROCEDURAL,
            due_date=TODAY + dt.timedelta(days=21),
            responsible=outsider,
        )
    client.force_login(alice)
    mine = set(row_ids(client.get(HOME, {"scope": "mine"})))
    team = set(row_ids(client.get(HOME, {"scope": "team"})))
    everything = set(row_ids(client.get(HOME, {"scope": "all"})))
    assert mine == {portfolio["overdue"].pk, portfolio["soon"].pk}
    assert team == mine | {portfolio["later"].pk}  # bob shares client ACME with alice
    assert everything == team | {unassigned.pk, external.pk}
    client.force_login(bob)
    assert set(row_ids(client.get(HOME, {"scope": "mine"}))) == {portfolio["later"].pk}


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"kind": "procedural"}, ["soon"]),
        ({"client": "A"}, ["overdue", "soon", "later"]),
        ({"office": "us"}, ["later"]),
        ({"responsible": "bob"}, ["later"]),
        ({"due_from": "2026-03-05", "due_to": "2026-04-30"}, ["soon", "later"]),
        ({"due_from": "2026-03-05"}, ["soon", "later", "far"]),
        ({"status": "done"}, []),
    ],
    ids=["kind", "client", "office", "responsible", "date-range", "from-only-lifts-90-day-window", "status"],
)
def test_filters(client, portfolio, params, expected):
    params = dict(params, scope="all")
    if params.get("client") == "A":
        params["client"] = portfolio["client_a"].pk
    if params.get("responsible") == "bob":
        params["responsible"] = portfolio["bob"].pk
    client.force_login(portfolio["alice"])
    assert row_ids(client.get(HOME, params)) == [portfolio[k].pk for k in expected]


def test_unverified_only_filter_and_flag(client, portfolio):
    with attributed(reason="verified: test", process="tests"):
        soon = portfolio["soon"]
        soon.verified_by, soon.verified_at = portfolio["bob"], dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        soon.save()
    client.force_login(portfolio["alice"])
    response = client.get(HOME, {"unverified": "on"})
    assert row_ids(response) == [portfolio["overdue"].pk]
    assert "UNVERIFIED" in response.content.decode()
    assert "✓ verified" in client.get(HOME).content.decode()


@pytest.mark.parametrize(
    "column",
    ["due", "latest", "matter", "client", "office", "title", "kind", "status", "responsible", "verified"],
)
def test_every_column_sorts_both_ways(client, portfolio, column):
    client.force_login(portfolio["alice"])
    up = client.get(HOME, {"scope": "all", "sort": column, "status": "any"})
    down = client.get(HOME, {"scope": "all", "sort": f"-{column}", "status": "any"})
    assert up.status_code == down.status_code == 200
    assert 'aria-sort="ascending"' in up.content.decode()
    assert 'aria-sort="descending"' in down.content.decode()


def test_sort_by_matter_orders_rows(client, portfolio):
    client.force_login(portfolio["alice"])
    ids = row_ids(client.get(HOME, {"scope": "all", "sort": "-matter", "due_from": "2026-03-03"}))
    assert ids[0] == portfolio["later"].pk  # ACME-002 before ACME-001 descending


def test_htmx_request_gets_only_the_results_fragment(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.get(HOME, {"kind": "procedural"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="docket-results")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="docket-results"')
    assert "<html" not in html
    assert row_ids(response) == [portfolio["soon"].pk]


def test_without_javascript_the_filter_form_is_a_plain_get_form(client, portfolio):
    client.force_login(portfolio["alice"])
    html = client.get(HOME).content.decode()
    assert re.search(r'<form class="filters" method="get" action="/"', html)
    assert '<button type="submit">Apply filters</button>' in html
    # Sort links are ordinary links that keep the filters.
    html = client.get(HOME, {"kind": "statutory"}).content.decode()
    assert 'href="?kind=statutory&amp;scope=mine&amp;status=open&amp;sort=-due"' in html or re.search(
        r'href="\?[^"]*kind=statutory[^"]*sort=', html
    )


def test_pagination_keeps_filters(client, portfolio):
    with attributed(reason="test", process="tests"):
        Deadline.objects.bulk_create(
            [
                Deadline(
                    matter=portfolio["matter_a"],
                    key=f"bulk{i}",
                    office="EP",
                    title=f"Bulk {i}",
                    kind=Deadline.Kind.PROCEDURAL,
                    due_date=TODAY + dt.timedelta(days=i % 80),
                    responsible=portfolio["alice"],
                )
                for i in range(60)
            ]
        )
    client.force_login(portfolio["alice"])
    first = client.get(HOME, {"kind": "procedural"})
    assert len(row_ids(first)) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(HOME, {"kind": "procedural", "page": 2})
    assert len(row_ids(second)) == 11
    assert not set(row_ids(first)) & set(row_ids(second))


def read_csv(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_contains_the_filtered_list(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.get(reverse("deadlines:docket-export"), {"scope": "all", "kind": "statutory"})
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert [r["deadline"] for r in rows] == [
        "Reply to Art. 94(3) communication",
        "Reply to non-final Office action",
    ]
    assert rows[0]["days_left"] == "-5"
    assert rows[0]["verified"] == "NO"
    assert rows[0]["matter"] == "ACME-001"


def test_csv_neutralises_spreadsheet_formulas(client, portfolio):
    with attributed(reason="test", process="tests"):
        d = portfolio["soon"]
        d.title = '=HYPERLINK("http://evil")'
        d.save()
    client.force_login(portfolio["alice"])
    rows = read_csv(client.get(reverse("deadlines:docket-export"), {"kind": "procedural"}))
    assert rows[0]["deadline"].startswith("'=")


def test_chart_counts_open_deadlines_per_week_by_kind(client, portfolio):
    client.force_login(portfolio["alice"])
    html = client.get(HOME, {"scope": "all"}).content.decode()
    # soon (procedural, +10 days) and later (statutory, +40 days) fall in the 26 weeks; far (+200 days)
    # does not, and the overdue one is in the list, not in the forward-looking chart.
    assert f"Week of {format_date(dt.date(2026, 3, 9))}: 1 procedural" in html
    assert f"Week of {format_date(dt.date(2026, 4, 6))}: 1 statutory" in html
    assert "Statutory: 1" in html and "Procedural: 1" in html and "Internal: 0" in html
    assert html.count("<rect ") == 2


def large_portfolio(n_clients=6, matters_per_client=25, deadlines_per_matter=6):
    user = UserFactory(username="heavy")
    colleague = UserFactory(username="colleague")
    deadlines = []
    with attributed(reason="test: large portfolio", process="tests"):
        for c in range(n_clients):
            client_obj = ClientFactory(reference=f"BIG{c}")
            TeamMembershipFactory(user=user, client=client_obj)
            TeamMembershipFactory(user=colleague, client=client_obj)
            for m in range(matters_per_client):
                matter = MatterFactory(client=client_obj, reference=f"BIG{c}-{m:03d}", responsible_paralegal=user)
                for k in range(deadlines_per_matter):
                    deadlines.append(
                        Deadline(
                            matter=matter,
                            key=f"k{k}",
                            office="EP",
                            title=f"Deadline {k}",
                            kind=list(Deadline.Kind)[k % 3],
                            due_date=TODAY + dt.timedelta(days=(m * 7 + k * 13) % 150 - 10),
                            responsible=user if k % 2 else colleague,
                            latest_date=TODAY + dt.timedelta(days=200),
                        )
                    )
        Deadline.objects.bulk_create(deadlines)
    return user


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"scope": "team"},
        {"scope": "all", "sort": "-client", "page": "2"},
        {"scope": "all", "unverified": "on", "kind": "statutory", "office": "EP"},
        {
            "scope": "all",
            "status": "any",
            "due_from": "2026-01-01",
            "due_to": "2026-12-31",
            "sort": "responsible",
        },
        {"q": "BIG"},
        {"q": "ep 2100"},
    ],
    ids=["default", "team", "page-2", "filters", "date-range", "search-reference", "search-number"],
)
def test_docket_page_stays_within_eleven_queries_for_a_large_portfolio(
    client, today, django_assert_max_num_queries, params
):
    user = large_portfolio()
    client.force_login(user)
    # 10 for the docket itself, one for the user's saved views.
    with django_assert_max_num_queries(11):
        response = client.get(HOME, params)
    assert response.status_code == 200
    assert len(row_ids(response)) == 50
    with django_assert_max_num_queries(11):
        response = client.get(HOME, params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="docket-results")
    assert len(row_ids(response)) == 50


def test_verification_queue_and_calendar_stay_bounded_for_a_large_portfolio(
    client, today, django_assert_max_num_queries
):
    user = large_portfolio()
    client.force_login(user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("deadlines:verification-queue")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("deadlines:calendar"), {"scope": "all"}).status_code == 200


def test_a_missed_deadline_stays_on_the_default_docket_among_the_overdue(client, portfolio):
    with attributed(reason="marked missed in the admin", process="tests"):
        missed = portfolio["overdue"]
        missed.status = Deadline.Status.MISSED
        missed.save()
    client.force_login(portfolio["alice"])
    response = client.get(HOME)
    assert row_ids(response)[0] == missed.pk
    assert "MISSED" in response.content.decode()
    assert row_ids(client.get(HOME, {"status": "open"})) == [portfolio["soon"].pk]


def test_unassigned_deadlines_show_the_matters_responsible_person(client, portfolio):
    with attributed(reason="t", process="tests"):
        d = portfolio["soon"]
        d.responsible = None
        d.save()
    client.force_login(portfolio["alice"])
    html = client.get(HOME).content.decode()
    assert d.pk in row_ids(client.get(HOME))  # still "mine": alice is the matter's paralegal
    assert 'alice <span class="small muted" title="Not assigned: the responsible person of the matter">(matter)' in html
    rows = read_csv(client.get(reverse("deadlines:docket-export")))
    assert {r["deadline"]: r["responsible"] for r in rows}["Pay renewal fee year 6"] == "alice (matter)"


def test_a_large_csv_export_streams_in_chunks_and_holds_every_row_once(client, db):
    """900 rows (6 clients × 25 matters × 6 deadlines, all open, scope all): more than three chunks of
    CSV_ROWS_PER_CHUNK. Every deadline is in the file exactly once, in the docket's order, after one header."""
    from deadlines.views import CSV_ROWS_PER_CHUNK

    user = large_portfolio()
    client.force_login(user)
    response = client.get(reverse("deadlines:docket-export"), {"scope": "all", "status": "any"})
    chunks = list(response.streaming_content)
    text = b"".join(chunks).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 900 == Deadline.objects.count()
    assert len({r["url"] for r in rows}) == 900
    assert text.count("due_date,extended_to,days_left") == 1
    assert len(chunks) == 1 + -(-900 // CSV_ROWS_PER_CHUNK)  # the header, then the rows a chunk at a time
    due = [r["due_date"] for r in rows]
    assert due == sorted(due)  # the docket's default order (due date first)
