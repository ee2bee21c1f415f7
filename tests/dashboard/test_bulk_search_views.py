"""Docket search, bulk actions (verify, reassign, export, mark done) and saved views; the verification queue
in groups. Every bulk action goes through the single-deadline checks: what a person may not do is listed
by name, never skipped, and the number of queries does not grow with the selection."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deadlines import actions
from deadlines.models import Deadline, SavedView
from docketapp.audit import attributed
from tests.factories import DeadlineFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db
HOME = reverse("patents:home")
BULK = reverse("deadlines:docket-bulk")
QUEUE = reverse("deadlines:verification-queue")


def row_ids(response) -> list[int]:
    return [int(x) for x in re.findall(rb'data-deadline="(\d+)"', response.content)]


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- search ------------------------------------------------------------------------------------------------


@pytest.fixture
def numbered(portfolio):
    with attributed(reason="test data", process="tests"):
        matter = portfolio["matter_a"]
        matter.title = "Solid-state electrolyte separator"
        matter.publication_number = "EP 3 912 345 A1"
        matter.grant_number = "EP3912345B1"
        matter.save()
    return portfolio


@pytest.mark.parametrize(
    "query",
    [
        "ACME-001",  # our reference
        "electrolyte",  # the matter's title
        "art. 94(3)",  # the deadline's title
        "EP3912345",  # publication number typed without spaces (stored with spaces)
        "ep 3912 345 b1",  # grant number typed with spaces (stored without)
    ],
)
def test_search_finds_the_matter_by_reference_title_or_number_as_typed(client, numbered, query):
    client.force_login(numbered["alice"])
    ids = row_ids(client.get(HOME, {"q": query}))
    assert numbered["overdue"].pk in ids
    assert numbered["later"].pk not in ids


def test_search_finds_an_application_number_with_or_without_punctuation(client, portfolio):
    client.force_login(portfolio["alice"])
    for query in ("17/123,456", "17123456", "17 123 456"):
        assert row_ids(client.get(HOME, {"q": query})) == [portfolio["later"].pk], query


def test_search_by_client_looks_across_everything_the_user_may_see_and_beyond_90_days(client, portfolio):
    client.force_login(portfolio["alice"])
    ids = set(row_ids(client.get(HOME, {"q": "acme"})))
    # bob's deadline (not "mine") and the one in 200 days are found: a search looks everywhere I may see.
    assert ids == {portfolio["overdue"].pk, portfolio["soon"].pk, portfolio["later"].pk, portfolio["far"].pk}


def test_search_never_finds_another_clients_deadline(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.get(HOME, {"q": "BETA"})
    assert row_ids(response) == []
    assert "BETA secret deadline" not in response.content.decode()


def test_docket_shows_the_matter_title_and_application_number(client, portfolio):
    client.force_login(portfolio["bob"])
    html = client.get(HOME, {"scope": "all"}).content.decode()
    assert "Application no." in html and "Matter title" in html
    assert "17/123,456" in html
    assert "Battery electrode with layered cathode" in html


# --- bulk verify -------------------------------------------------------------------------------------------


def test_bulk_verify_records_the_verifier_on_each_deadline_and_lists_the_refused_ones(client, portfolio):
    bob = portfolio["bob"]
    overdue, soon, later = portfolio["overdue"], portfolio["soon"], portfolio["later"]
    actions.mark_done(deadline=later, user=bob, done_on=TODAY, evidence="receipt 42")  # bob's own change
    client.force_login(bob)
    response = client.post(BULK, {"action": "verify", "ids": [overdue.pk, soon.pk, later.pk, portfolio["other"].pk]})
    assert response.status_code == 302
    notes = flash(response)
    assert "Verified: 2 deadlines." in notes
    assert any("ACME-002 – Reply to non-final Office action: You made the last change" in n for n in notes)
    assert any(f"Deadline #{portfolio['other'].pk}: Not found among the deadlines you may see" in n for n in notes)
    for d in (overdue, soon):
        d.refresh_from_db()
        assert d.verified_by == bob
        latest = d.history.order_by("-history_id").first()
        assert latest.history_user == bob
        assert latest.history_change_reason.startswith("verified: due ")
        assert latest.history_actor == "user:bob"
    later.refresh_from_db()
    portfolio["other"].refresh_from_db()
    assert later.verified_at is None and portfolio["other"].verified_at is None


def test_bulk_verify_refuses_a_deadline_changed_since_the_docket_was_shown(client, portfolio):
    soon = portfolio["soon"]
    client.force_login(portfolio["bob"])
    seen_at = soon.updated_at.isoformat()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC), tick=False):  # a colleague, minutes later
        actions.waive(deadline=soon, user=portfolio["alice"], reason="client instruction")
    response = client.post(BULK, {"action": "verify", "ids": [soon.pk], f"seen_at-{soon.pk}": seen_at})
    assert any("changed after you opened it" in n for n in flash(response))
    soon.refresh_from_db()
    assert soon.verified_at is None


def _many(portfolio, n: int) -> list[int]:
    with attributed(reason="test data", process="tests"):
        return [
            DeadlineFactory(
                matter=portfolio["matter_a"], title=f"Renewal {i}", due_date=TODAY + dt.timedelta(days=i)
            ).pk
            for i in range(n)
        ]


@pytest.mark.parametrize("action", ["verify", "reassign", "done", "export"])
def test_bulk_actions_use_the_same_number_of_queries_for_3_or_25_deadlines(client, portfolio, action):
    # 25, not more: Django splits an INSERT on SQLite at 999 parameters, i.e. every ~28 history rows (one
    # statement per 500 rows on PostgreSQL); that is the driver's batching, not a query per deadline.
    client.force_login(portfolio["bob"])
    counts = []
    for n in (3, 25):
        ids = _many(portfolio, n)
        data = {"action": action, "ids": ids, "confirm": "1", "done_on": TODAY.isoformat()}
        data |= {"responsible": portfolio["alice"].pk, "note": "holiday cover"}
        data |= {f"evidence-{pk}": f"receipt {pk}" for pk in ids}
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(BULK, data)
            if action == "export":
                b"".join(response.streaming_content)
        assert response.status_code in (200, 302)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- reassign, mark done, export ---------------------------------------------------------------------------


def test_bulk_reassign_only_to_someone_who_may_see_the_client(client, portfolio):
    carol, bob = portfolio["carol"], portfolio["bob"]
    overdue, soon = portfolio["overdue"], portfolio["soon"]
    client.force_login(bob)
    page = client.post(BULK, {"action": "reassign", "ids": [overdue.pk, soon.pk]})
    assert page.status_code == 200 and "Reassign 2 deadlines" in page.content.decode()
    response = client.post(
        BULK, {"action": "reassign", "confirm": "1", "ids": [overdue.pk], "responsible": bob.pk, "note": "cover"}
    )
    assert "Reassigned to bob: 1 deadline." in flash(response)
    overdue.refresh_from_db()
    assert overdue.responsible == bob
    record = overdue.history.order_by("-history_id").first()
    assert (record.history_user, record.history_change_reason) == (bob, "reassigned to bob: cover")
    # carol works for the other client only: she is not offered, and a forged post is refused.
    assert "carol" not in page.content.decode()
    forged = client.post(BULK, {"action": "reassign", "confirm": "1", "ids": [soon.pk], "responsible": carol.pk})
    assert forged.status_code == 400
    soon.refresh_from_db()
    assert soon.responsible == portfolio["alice"]


def test_bulk_reassign_service_refuses_a_person_who_cannot_see_the_matter(portfolio):
    from deadlines.bulk_actions import reassign_many

    outcome = reassign_many(
        deadlines=Deadline.objects.visible_to(portfolio["alice"]),
        ids=[portfolio["soon"].pk],
        user=portfolio["alice"],
        responsible=portfolio["carol"],
    )
    assert outcome.changed == []
    assert outcome.refused == [("ACME-001 – Pay renewal fee year 6", "carol may not see this client's matters.")]


def test_bulk_mark_done_needs_one_evidence_note_per_deadline(client, portfolio):
    overdue, soon = portfolio["overdue"], portfolio["soon"]
    client.force_login(portfolio["alice"])
    page = client.post(BULK, {"action": "done", "ids": [overdue.pk, soon.pk]})
    html = page.content.decode()
    assert f'name="evidence-{overdue.pk}"' in html and f'name="evidence-{soon.pk}"' in html
    response = client.post(
        BULK,
        {
            "action": "done",
            "confirm": "1",
            "ids": [overdue.pk, soon.pk],
            "done_on": TODAY.isoformat(),
            f"evidence-{overdue.pk}": "EPO receipt 1234",
            f"evidence-{soon.pk}": "  ",
        },
    )
    notes = flash(response)
    assert any(n.startswith("Marked done") and "1 deadline." in n for n in notes)
    assert any("Pay renewal fee year 6: Say what shows it was done" in n for n in notes)
    overdue.refresh_from_db()
    soon.refresh_from_db()
    assert (overdue.status, overdue.done_note, overdue.last_changed_by) == (
        "done",
        "EPO receipt 1234",
        portfolio["alice"],
    )
    assert overdue.history.order_by("-history_id").first().history_change_reason == (
        f"marked done on {TODAY.isoformat()}: EPO receipt 1234"
    )
    assert soon.status == "open"


def test_bulk_mark_done_with_a_bad_date_writes_nothing(client, portfolio):
    overdue = portfolio["overdue"]
    client.force_login(portfolio["alice"])
    response = client.post(
        BULK,
        {"action": "done", "confirm": "1", "ids": [overdue.pk], "done_on": "31/02/2026", f"evidence-{overdue.pk}": "x"},
    )
    assert response.status_code == 400
    overdue.refresh_from_db()
    assert overdue.status == "open"


def test_bulk_export_contains_only_the_selection(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.post(BULK, {"action": "export", "ids": [portfolio["soon"].pk, portfolio["other"].pk]})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["deadline"] for r in rows] == ["Pay renewal fee year 6"]


def test_bulk_without_a_selection_or_action_says_so(client, portfolio):
    client.force_login(portfolio["alice"])
    assert any("Select at least one" in n for n in flash(client.post(BULK, {"action": "verify"})))
    assert any("Choose what to do" in n for n in flash(client.post(BULK, {"ids": [portfolio["soon"].pk]})))


def test_bulk_redirect_ignores_foreign_next_urls(client, portfolio):
    client.force_login(portfolio["bob"])
    response = client.post(BULK, {"action": "verify", "ids": [portfolio["soon"].pk], "next": "https://evil.test/"})
    assert response["Location"] == HOME


# --- saved views -------------------------------------------------------------------------------------------


def test_saved_view_keeps_the_filters_and_is_private(client, portfolio):
    alice, bob = portfolio["alice"], portfolio["bob"]
    client.force_login(alice)
    response = client.post(
        reverse("deadlines:saved-view-save"),
        {"name": "  my EP  office actions ", "query": "scope=team&office=EP&page=3&csrfmiddlewaretoken=x&evil=1"},
    )
    view = SavedView.objects.get(user=alice)
    assert view.name == "my EP office actions"
    assert view.query == "scope=team&office=EP"
    assert response["Location"] == f"{HOME}?scope=team&office=EP"
    assert view.history.first().history_user == alice
    html = client.get(HOME).content.decode()
    assert 'href="/?scope=team&amp;office=EP">my EP office actions</a>' in html
    # Saving the same name again replaces its filters.
    client.post(reverse("deadlines:saved-view-save"), {"name": "my EP office actions", "query": "kind=statutory"})
    assert list(SavedView.objects.filter(user=alice).values_list("query", flat=True)) == ["kind=statutory"]
    # bob neither sees nor deletes it.
    client.force_login(bob)
    assert ">my EP office actions</a>" not in client.get(HOME).content.decode()
    assert client.post(reverse("deadlines:saved-view-delete", args=[view.pk])).status_code == 404
    client.force_login(alice)
    client.post(reverse("deadlines:saved-view-delete", args=[view.pk]))
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_saved_view_needs_a_name(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.post(reverse("deadlines:saved-view-save"), {"name": " ", "query": "scope=all"})
    assert any("Give the view a name" in n for n in flash(response))
    assert not SavedView.objects.exists()


# --- verification queue in groups --------------------------------------------------------------------------


def test_queue_groups_by_matter_and_rule_and_a_group_is_verified_in_one_action(client, portfolio):
    bob = portfolio["bob"]
    with attributed(reason="test data", process="tests"):
        renewals = [
            DeadlineFactory(
                matter=portfolio["matter_a"],
                rule_id="EP.renewal",
                title=f"Pay renewal fee year {y}",
                due_date=TODAY + dt.timedelta(days=30 * y),
                citation="Art. 86(1) EPC, Rule 51(1) EPC",
            )
            for y in (3, 4, 5)
        ]
    own = actions.add_manual_deadline(
        matter=portfolio["matter_a"], user=bob, title="Call client", kind="internal", due_date=TODAY, reason="asked"
    )
    actions.mark_done(deadline=renewals[2], user=bob, done_on=TODAY, evidence="paid")  # bob's change
    client.force_login(bob)
    html = client.get(QUEUE).content.decode()
    # ACME-001's three Rule 71(3) deadlines, ACME-002's one, the three renewals, bob's manual deadline.
    assert html.count('class="verify-group"') == 4
    assert 'data-group-rule="EP.renewal"' in html
    assert "Verify this group (2 of 3)" in html
    response = client.post(BULK, {"action": "verify", "ids": [r.pk for r in renewals], "next": QUEUE})
    assert response["Location"] == QUEUE
    notes = flash(response)
    assert "Verified: 2 deadlines." in notes
    assert any("Pay renewal fee year 5: You made the last change" in n for n in notes)
    verifiers = {r.pk: Deadline.objects.get(pk=r.pk).verified_by for r in renewals}
    assert verifiers == {renewals[0].pk: bob, renewals[1].pk: bob, renewals[2].pk: None}
    for r in renewals[:2]:
        assert (
            Deadline.history.filter(id=r.pk, history_user=bob, history_change_reason__startswith="verified").count()
            == 1
        )
    assert own.verified_at is None
