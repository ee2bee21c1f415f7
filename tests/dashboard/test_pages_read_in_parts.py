"""The docket, the verification queue and the calendar read only what one page shows (issue 18: overdue rows
and the rest as separate index-ordered parts, counts split at today, a few rows per calendar day). These tests
hold them to the straightforward query they replaced, on a small portfolio with every awkward case (missed,
extended, optional acts past their window, closed but unverified, forecast renewal years, nobody responsible,
another client's work): the same rows in the same order on every page, the same totals, nothing dropped."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse

from deadlines import views
from deadlines.filters import DeadlineFilter, mine_ids, mine_q, window_passed_q, with_docket_annotations
from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.models import Client, Matter, TeamMembership
from tests.factories import (
    ClientFactory,
    DeadlineFactory,
    MatterFactory,
    TeamMembershipFactory,
    UserFactory,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db
PAGE = 8


@pytest.fixture
def world(today, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", PAGE)
    paula, colin, outsider = UserFactory(username="paula"), UserFactory(username="colin"), UserFactory()
    with attributed(reason="test: pages read in parts", process="tests"):
        acme, beta, other = ClientFactory(reference="ACME"), ClientFactory(reference="BETA"), ClientFactory()
        for c in (acme, beta):
            TeamMembershipFactory(user=paula, client=c)
            TeamMembershipFactory(user=colin, client=c)
        TeamMembershipFactory(user=outsider, client=other)
        matters = [
            MatterFactory(client=acme, reference="ACME-1", title="Widget", responsible_paralegal=paula),
            MatterFactory(client=acme, reference="ACME-2", office="US", application_number="17/123,456"),
            MatterFactory(client=beta, reference="BETA-1", title="Gadget", responsible_paralegal=colin),
        ]
        hidden = MatterFactory(client=other, reference="OTHER-1")
        kinds = list(Deadline.Kind)
        for i in range(27):
            days = (i * 17) % 160 - 40  # from 40 days ago to four months ahead, several on the same day
            DeadlineFactory(
                matter=matters[i % 3], key=f"t:{i}", title=f"Act {i:02d}", kind=kinds[i % 3],
                due_date=TODAY + dt.timedelta(days=days), responsible=(paula, colin, None)[i % 3],
                office=("EP", "US")[i % 2],
            )
        DeadlineFactory(matter=matters[0], key="missed", title="Missed one", status=Deadline.Status.MISSED,
                        due_date=TODAY - dt.timedelta(days=3), responsible=paula)
        DeadlineFactory(matter=matters[0], key="extended", title="Extended", responsible=paula,
                        due_date=TODAY - dt.timedelta(days=10), extended_to=TODAY + dt.timedelta(days=5))
        DeadlineFactory(matter=matters[1], key="optional", title="Optional divisional", optional=True,
                        due_date=TODAY - dt.timedelta(days=2), responsible=paula)
        DeadlineFactory(matter=matters[1], key="done", title="Done, unverified", status=Deadline.Status.DONE,
                        due_date=TODAY - dt.timedelta(days=20), responsible=paula)
        DeadlineFactory(matter=matters[2], key="done-later", title="Done early", status=Deadline.Status.DONE,
                        due_date=TODAY + dt.timedelta(days=12), responsible=colin)
        DeadlineFactory(matter=matters[2], key="verified", title="Verified", responsible=paula,
                        due_date=TODAY - dt.timedelta(days=1), verified_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
                        verified_by=colin)
        for year in range(3, 7):  # the next renewal year is work, the later ones are forecast
            due = TODAY + dt.timedelta(days=20 + 365 * (year - 3))
            DeadlineFactory(matter=matters[0], key=f"EP.RENEWAL_FEE:{year}", rule_id="EP.RENEWAL_FEE",
                            title=f"Renewal fee (year {year})", due_date=due)
        for i, kind in enumerate(kinds):  # a crowded day, the overdue one last by kind
            DeadlineFactory(matter=matters[i], key=f"crowded:{i}", title=f"Crowded {i}", kind=kind,
                            due_date=TODAY + dt.timedelta(days=4), responsible=paula)
        DeadlineFactory(matter=matters[2], key="crowded:late", title="Crowded, extended here",
                        kind=Deadline.Kind.INTERNAL, due_date=TODAY - dt.timedelta(days=30),
                        extended_to=TODAY + dt.timedelta(days=4), responsible=paula)
        DeadlineFactory(matter=hidden, key="hidden", title="Not yours", due_date=TODAY - dt.timedelta(days=5))
    return {"paula": paula, "colin": colin, "outsider": outsider}


def straightforward_docket(user, params: dict) -> tuple[list[int], int]:
    """The docket as one query ordered overdue first (before issue 18), and its exact overdue count."""
    request = RequestFactory().get("/", params)
    request.user = user
    docket_filter, qs, _key, _desc = views._docket_queryset(request, TODAY)
    if docket_filter.uses_default_window:
        qs = qs.exclude(window_passed_q(TODAY))
    rows = list(qs)
    return [d.pk for d in rows], sum(1 for d in rows if d.is_overdue(TODAY))


def every_page(client, url: str, params: dict) -> tuple[list[int], list]:
    ids, contexts = [], []
    number = 1
    while True:
        response = client.get(url, {**params, "page": number})
        assert response.status_code == 200
        page = response.context["page"]
        ids += [d.pk for d in page.object_list]
        contexts.append(response.context)
        if not page.has_next():
            return ids, contexts
        number += 1


DOCKETS = [
    {},
    {"scope": "team"},
    {"scope": "all"},
    {"scope": "all", "sort": "-due"},
    {"scope": "all", "sort": "client"},
    {"scope": "all", "sort": "-matter"},
    {"scope": "all", "sort": "responsible"},
    {"scope": "all", "sort": "-verified"},
    {"scope": "all", "sort": "latest"},
    {"scope": "all", "status": "any"},
    {"scope": "all", "status": "any", "sort": "-title"},
    {"scope": "all", "kind": "statutory", "unverified": "on", "office": "EP"},
    {"scope": "unassigned"},
    {"scope": "all", "due_from": (TODAY - dt.timedelta(days=30)).isoformat(),
     "due_to": (TODAY + dt.timedelta(days=20)).isoformat()},
    {"q": "act 1"},
    {"q": "17 123 456"},
    {"q": "gadget", "sort": "-office"},
]


@pytest.mark.parametrize("params", DOCKETS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "default")
def test_docket_pages_give_the_rows_of_the_single_query_in_its_order(client, world, params):
    client.force_login(world["paula"])
    expected, overdue = straightforward_docket(world["paula"], params)
    ids, contexts = every_page(client, reverse("patents:home"), params)
    assert ids == expected
    # The first page counts everything (nothing cached), the next ones count before today only: the same.
    assert {c["page"].paginator.count for c in contexts} == {len(expected)}
    assert {c["overdue_total"] for c in contexts} == {overdue}
    assert len({tuple((b.x, b.height, b.title) for b in c["chart"].bars) for c in contexts}) == 1


def test_docket_counts_follow_a_change_at_once(client, world):
    client.force_login(world["paula"])
    before, _ = straightforward_docket(world["paula"], {})
    assert every_page(client, reverse("patents:home"), {})[0] == before
    with attributed(reason="test: a new deadline", process="tests"):
        new = DeadlineFactory(matter=Matter.objects.get(reference="ACME-1"), key="new", title="New",
                              due_date=TODAY + dt.timedelta(days=60), responsible=world["paula"])
    ids, contexts = every_page(client, reverse("patents:home"), {})
    assert new.pk in ids
    assert contexts[0]["page"].paginator.count == len(before) + 1


SHARED = [{"scope": "team"}, {"scope": "all"}, {"scope": "unassigned"}, {}, {"q": "acme"}]


@pytest.mark.parametrize("params", SHARED, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "default")
def test_counts_shared_by_people_who_see_the_same_rows_are_right_for_each_of_them(client, world, params):
    """Paula and Colin see the same clients and are each other's team: they share the cached counts of a
    scope (freshness.scope_key). Dora sees the same clients but is the docketing member of ACME, so her team
    (and her own) docket also holds ACME's unowned work; the outsider sees another client. Visiting in turn,
    with the others' counts cached, each gets the rows and totals of their own straightforward query."""
    with attributed(reason="test: a docketing member", process="tests"):
        dora = UserFactory(username="dora")
        TeamMembershipFactory(user=dora, client=Client.objects.get(reference="ACME"),
                              role=TeamMembership.Role.DOCKETING)
        TeamMembershipFactory(user=dora, client=Client.objects.get(reference="BETA"))
        DeadlineFactory(matter=Matter.objects.get(reference="ACME-2"), key="unowned", title="Nobody's yet",
                        due_date=TODAY + dt.timedelta(days=10), responsible=None)
    people = [world["paula"], world["colin"], dora, world["outsider"], world["paula"], dora]
    totals = {}
    for user in people:
        client.force_login(user)
        expected, overdue = straightforward_docket(user, params)
        ids, contexts = every_page(client, reverse("patents:home"), params)
        assert ids == expected, user.username
        assert contexts[0]["page"].paginator.count == len(expected), user.username
        assert contexts[0]["overdue_total"] == overdue, user.username
        totals[user.username] = len(expected)
    if params.get("scope") == "team":
        assert totals["dora"] > totals["paula"]  # ACME's unowned work: the case a shared count must not hide


def test_mine_ids_are_the_rows_of_mine_q_for_every_way_of_owning_a_deadline(world):
    """Assigned to me; nobody assigned on a matter where I am the paralegal or the attorney; nobody anywhere,
    at a client I docket: feeds.scoped_rows reads "mine" as mine_ids for people who own few deadlines."""
    with attributed(reason="test: every way of owning", process="tests"):
        dora, boss = UserFactory(username="dora"), UserFactory(username="boss", is_superuser=True)
        acme = Client.objects.get(reference="ACME")
        TeamMembershipFactory(user=dora, client=acme, role=TeamMembership.Role.DOCKETING)
        attorney_matter = MatterFactory(client=acme, reference="ACME-3", responsible_attorney=dora)
        DeadlineFactory(matter=attorney_matter, key="attorney", title="Attorney's", responsible=None,
                        due_date=TODAY + dt.timedelta(days=3))
        DeadlineFactory(matter=Matter.objects.get(reference="ACME-2"), key="unowned", title="Nobody's yet",
                        due_date=TODAY + dt.timedelta(days=10), responsible=None)
    for user in (world["paula"], world["colin"], world["outsider"], dora, boss):
        by_ids = set(Deadline.objects.filter(pk__in=mine_ids(user)).values_list("pk", flat=True))
        by_q = set(Deadline.objects.filter(mine_q(user)).values_list("pk", flat=True))
        assert by_ids == by_q, user.username
    assert len(set(Deadline.objects.filter(pk__in=mine_ids(dora)).values_list("key", flat=True))) >= 2


def test_the_second_person_of_a_team_counts_nothing_until_something_changes(client, world):
    """Paula's visit counts the team docket's days; Colin (same clients, same team) reads her counts and runs
    no count at all; once a deadline of theirs is overdue that was not (one change anywhere), his next visit
    counts again and shows it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grouped(captured) -> list[str]:
        return [q["sql"] for q in captured.captured_queries
                if "GROUP BY" in q["sql"] and "deadlines_deadline" in q["sql"]]

    client.force_login(world["paula"])
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("patents:home"), {"scope": "team"})
    client.force_login(world["colin"])
    with CaptureQueriesContext(connection) as second:
        colin = client.get(reverse("patents:home"), {"scope": "team"})
    assert len(grouped(first)) == 1 and grouped(second) == []
    expected, overdue = straightforward_docket(world["colin"], {"scope": "team"})
    assert colin.context["page"].paginator.count == len(expected)
    assert colin.context["overdue_total"] == overdue

    with attributed(reason="test: a date corrected into the past", process="tests"):
        moved = Deadline.objects.filter(status=Deadline.Status.OPEN, extended_to__isnull=True,
                                        due_date__gt=TODAY, matter__client__reference="BETA").first()
        moved.due_date = TODAY - dt.timedelta(days=1)
        moved.save()
    with CaptureQueriesContext(connection) as third:
        after = client.get(reverse("patents:home"), {"scope": "team"})
    assert len(grouped(third)) == 1
    assert after.context["overdue_total"] == overdue + 1 == straightforward_docket(world["colin"], {"scope": "team"})[1]


def test_verification_queue_counts_shared_by_people_who_see_the_same_clients_are_right_for_each(client, world):
    for user in (world["paula"], world["colin"], world["outsider"], world["paula"]):
        client.force_login(user)
        qs = with_docket_annotations(Deadline.objects.visible_to(user).tasks().unverified(), TODAY)
        expected = list(qs.order_by("overdue_rank", "effective", "pk").values_list("pk", flat=True))
        ids, contexts = every_page(client, reverse("deadlines:verification-queue"), {})
        assert ids == expected, user.username
        assert contexts[0]["page"].paginator.count == len(expected), user.username


@pytest.mark.parametrize("can_verify", ["", "1"])
def test_verification_queue_pages_give_the_rows_of_the_single_query(client, world, can_verify):
    user = world["colin"]
    client.force_login(user)
    qs = with_docket_annotations(Deadline.objects.visible_to(user).tasks().unverified(), TODAY)
    if can_verify:
        created = Deadline.history.filter(history_type="+", history_user=user).values("id")
        qs = qs.exclude(last_changed_by=user).exclude(pk__in=created)
    expected = list(qs.order_by("overdue_rank", "effective", "pk").values_list("pk", flat=True))
    ids, contexts = every_page(client, reverse("deadlines:verification-queue"), {"can_verify": can_verify})
    assert ids == expected
    assert contexts[0]["page"].paginator.count == len(expected)
    assert Deadline.objects.get(key="done").pk in ids  # closed but unverified: listed, after the overdue


@pytest.mark.parametrize("per_day", [1, 2])
def test_calendar_shows_the_first_items_of_each_day_overdue_first_and_counts_the_rest(
    client, world, monkeypatch, per_day
):
    monkeypatch.setattr(views, "CALENDAR_ITEMS_PER_DAY", per_day)
    client.force_login(world["paula"])
    response = client.get(reverse("deadlines:calendar"), {"scope": "all", "month": "2026-03"})
    grid = response.context["grid"]
    first, last = grid[0][0]["date"], grid[-1][-1]["date"]
    base = with_docket_annotations(Deadline.objects.visible_to(world["paula"]), TODAY)
    rows = DeadlineFilter(QueryDict("scope=all"), queryset=base, user=world["paula"]).qs.exclude(
        status=Deadline.Status.SUPERSEDED
    ).filter(effective__gte=first, effective__lte=last)
    by_day = defaultdict(list)
    for d in rows.order_by("effective", "kind", "pk"):
        by_day[d.effective].append(d)
    assert any(len(v) > per_day for v in by_day.values())  # the portfolio has crowded days
    for week in grid:
        for cell in week:
            day = sorted(by_day.get(cell["date"], []), key=lambda d: not d.is_overdue(TODAY))
            assert [d.pk for d in cell["items"]] == [d.pk for d in day[:per_day]], cell["date"]
            assert cell["more"] == max(0, len(day) - per_day), cell["date"]
    assert response.context["total"] == rows.count()


def test_matter_list_counts_each_matters_open_deadlines(client, world):
    client.force_login(world["paula"])
    response = client.get(reverse("patents:matter-list"))
    shown = {m.pk: m.open_deadlines for m in response.context["page"].object_list}
    assert set(shown) == set(Matter.objects.visible_to(world["paula"]).values_list("pk", flat=True))
    for pk, n in shown.items():
        assert n == Deadline.objects.filter(matter_id=pk, status=Deadline.Status.OPEN).count()


def test_deadlines_visible_to_is_the_matters_rule(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    admin = django_user_model.objects.create_superuser("root", password="x")
    inactive = UserFactory(is_active=False)
    TeamMembershipFactory(user=inactive, client=Matter.objects.get(reference="ACME-1").client)
    for user in (world["paula"], world["colin"], world["outsider"], admin, inactive, AnonymousUser()):
        by_matter = Deadline.objects.filter(matter__in=Matter.objects.visible_to(user))
        assert set(Deadline.objects.visible_to(user).values_list("pk", flat=True)) == set(
            by_matter.values_list("pk", flat=True)
        ), user


def test_csv_rows_and_responsible_column_are_those_of_the_docket(client, world):
    import csv
    import io

    from deadlines.templatetags.docket_tags import responsible_of
    from patents.models import TeamMembership

    with attributed(reason="test: a docketing member", process="tests"):
        acme2 = Matter.objects.get(reference="ACME-2")  # nobody responsible on the matter
        dora = UserFactory(username="dora")
        TeamMembershipFactory(user=dora, client=acme2.client, role=TeamMembership.Role.DOCKETING)
        DeadlineFactory(matter=acme2, key="nobody", title="Nobody assigned", due_date=TODAY)
    client.force_login(world["paula"])
    params = {"scope": "all", "status": "any"}
    response = client.get(reverse("deadlines:docket-export"), params)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected_ids, _ = straightforward_docket(world["paula"], params)
    assert [int(r["url"].rstrip("/").rsplit("/", 1)[1]) for r in rows] == expected_ids
    by_pk = Deadline.objects.select_related(
        "matter", "responsible", "matter__responsible_paralegal", "matter__responsible_attorney"
    ).in_bulk(expected_ids)
    seen = set()
    for r in rows:
        name, inherited = responsible_of(by_pk[int(r["url"].rstrip("/").rsplit("/", 1)[1])])
        assert r["responsible"] == (f"{name} (matter)" if inherited else name)
        seen.add(r["responsible"])
    assert {"paula", "colin", "paula (matter)", "dora (docketing) (matter)"} <= seen


def test_chart_counts_this_weeks_past_days_the_same_cached_or_not(client, db):
    import time_machine

    thursday = dt.date(2026, 3, 5)
    paula = UserFactory(username="paula")
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        with attributed(reason="test: this week's chart", process="tests"):
            acme = ClientFactory(reference="ACME")
            TeamMembershipFactory(user=paula, client=acme)
            matter = MatterFactory(client=acme, reference="ACME-1", responsible_paralegal=paula)
            for i, days in enumerate((-3, -3, -2, -1, -1, 0, 2, 9)):  # Monday to Wednesday overdue, then later
                DeadlineFactory(matter=matter, key=f"w:{i}", title=f"Act {i}", kind=list(Deadline.Kind)[i % 3],
                                due_date=thursday + dt.timedelta(days=days), responsible=paula)
        client.force_login(paula)
        first = client.get(reverse("patents:home"))  # nothing cached: one grouped query
        second = client.get(reverse("patents:home"))  # before today counted apart, the rest cached
    for response in (first, second):
        week = response.context["chart"].table[0]
        assert week["week"] == dt.date(2026, 3, 2)
        assert week["total"] == 7  # Monday to Sunday of this week, open
        assert response.context["overdue_total"] == 5
    assert response.context["chart"].table == first.context["chart"].table
