"""History of a deadline whose JSON fields changed (explanation, remedies) on the matter and deadline pages."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import strip_tags

from deadlines import tasks
from deadlines.models import Deadline
from docketapp.audit import attributed
from patents.services import record_office_event
from tests.factories import EventTypeFactory, MatterFactory, TeamMembershipFactory, UserFactory
from tests.matter_page import open_matter_page

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


@pytest.fixture
def moved_deadline(django_capture_on_commit_callbacks, monkeypatch):
    """A Rule 94(3) reply whose period the office corrects from 2 to 4 months: the recompute moves it."""
    # The on-commit hook and the recompute service are real; only the broker hop is replaced by a direct call.
    monkeypatch.setattr(tasks.recompute_deadlines, "delay", lambda *a, **k: tasks.recompute_deadlines.run(*a, **k))
    paralegal = UserFactory(username="paula")
    with time_machine.travel(dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC), tick=False):
        with attributed(reason="test set-up", process="tests"):
            matter = MatterFactory(office="EP", reference="HIST-JSON-1")
            TeamMembershipFactory(user=paralegal, client=matter.client)
        event_type = EventTypeFactory(code="EP.COMMUNICATION_94_3", label="Art. 94(3) communication", office="EP")
        for months in (2, 4):
            with django_capture_on_commit_callbacks(execute=True):
                with attributed(reason="office sync", process="sync.epo"):
                    record_office_event(
                        matter=matter,
                        event_type=event_type,
                        office_code="EXRE",
                        date=dt.date(2025, 10, 31),
                        params={"period_months": months},
                    )
    deadline = Deadline.objects.exclude(status=Deadline.Status.SUPERSEDED).get(matter=matter, rule_id="EP.REPLY_94_3")
    # moved from Fri 2 Jan 2026 (31 Dec is an EPO closure day) by the corrected period
    assert deadline.due_date == dt.date(2026, 3, 2)
    assert deadline.history.filter(history_type="~").exists()
    return paralegal, matter, deadline


def test_deadline_page_shows_a_moved_deadlines_json_changes_in_words(client, moved_deadline):
    paralegal, _, deadline = moved_deadline
    client.force_login(paralegal)
    text = text_of(client.get(reverse("deadlines:deadline-detail", args=[deadline.pk])))
    assert "due date: Fri 2 Jan 2026 → Mon 2 Mar 2026" in text
    # The computation's change is told as dates and periods, never as a Python dict or list.
    assert "explanation: computed due Fri 2 Jan 2026" in text
    assert "computed due Mon 2 Mar 2026" in text
    assert "{'" not in text and "[{" not in text


def test_matter_page_shows_a_moved_deadlines_json_changes_in_words(client, moved_deadline):
    paralegal, matter, _ = moved_deadline
    client.force_login(paralegal)
    text = text_of(open_matter_page(client, reverse("patents:matter-detail", args=[matter.pk])))
    assert "due date: Fri 2 Jan 2026 → Mon 2 Mar 2026" in text
    assert "computed due Mon 2 Mar 2026" in text
    assert "{'" not in text and "[{" not in text


def test_remedies_and_other_json_changes_are_told_in_words():
    from deadlines.presentation import describe_json_change

    old, new = describe_json_change(
        "remedies",
        [{"name": "Further processing", "until": "2026-03-02", "citation": "Art. 121 EPC", "basis": "fee"}],
        [{"name": "Further processing", "until": "2026-05-04", "citation": "Art. 121 EPC", "basis": "fee"}],
    )
    assert (old, new) == (
        "Further processing until Mon 2 Mar 2026 (Art. 121 EPC)",
        "Further processing until Mon 4 May 2026 (Art. 121 EPC)",
    )
    assert describe_json_change("designated_offices", ["EP"], ["EP", "US"]) == ("EP", "EP; US")
    assert describe_json_change("params", {}, {"period_months": 4}) == ("—", "period months: 4")
    # Only a step the short summary does not show changed: the change still names what moved.
    same = {"due_date": "2026-03-02", "steps": [{"op": "roll_forward", "from": "2026-03-01"}]}
    other = {"due_date": "2026-03-02", "steps": [{"op": "roll_forward", "from": "2026-02-28"}]}
    assert describe_json_change("explanation", same, other) == (
        "computed due Mon 2 Mar 2026",
        "computed due Mon 2 Mar 2026 (changed: steps)",
    )
