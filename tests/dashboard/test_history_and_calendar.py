"""Docket as of a past date, the month calendar, login/logout/password change."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import strip_tags

from deadlines import actions
from deadlines.models import Deadline
from docketapp.audit import attributed
from tests.factories import DeadlineFactory, MatterFactory

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def test_docket_as_of_shows_deadlines_as_they_stood_then(client, portfolio):
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        with attributed(reason="test", process="tests"):
            matter = MatterFactory(client=portfolio["client_a"], reference="ACME-HIST")
        d = DeadlineFactory(matter=matter, title="Reply to search opinion", due_date=dt.date(2026, 2, 2))
    with time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC), tick=False):
        with attributed(reason="recomputed", process="engine"):
            d.due_date = dt.date(2026, 2, 16)
            d.save()
        DeadlineFactory(matter=matter, title="Created later")
    with time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC), tick=False):
        actions.mark_done(deadline=d, user=portfolio["bob"], done_on=dt.date(2026, 2, 1), evidence="reply filed")
    client.force_login(portfolio["alice"])
    url = reverse("deadlines:docket-as-of")
    on_15 = text_of(client.get(url, {"at": "2026-01-15", "open_only": "1"}))
    assert "Mon 2 Feb 2026" in on_15 and "Reply to search opinion" in on_15
    assert "Created later" not in on_15
    assert "changed: Mon 16 Feb 2026, done" in on_15
    on_25 = text_of(client.get(url, {"at": "2026-01-25", "open_only": "1"}))
    assert "Mon 16 Feb 2026" in on_25 and "Created later" in on_25
    feb = text_of(client.get(url, {"at": "2026-02-05", "open_only": "1"}))
    assert "Reply to search opinion" not in feb
    before_anything = text_of(client.get(url, {"at": "2026-01-01", "open_only": "1"}))
    assert "No deadlines on the docket at that time" in before_anything
    feb_all = text_of(client.get(url, {"at": "2026-02-05", "open_only": "0"}))
    assert "Reply to search opinion" in feb_all and "Done" in feb_all


def test_docket_as_of_without_a_date_shows_the_form(client, portfolio):
    client.force_login(portfolio["alice"])
    response = client.get(reverse("deadlines:docket-as-of"))
    assert response.status_code == 200 and b'name="at"' in response.content


def test_docket_as_of_the_last_representable_day_is_a_form_error_not_a_500(client, portfolio):
    # "End of that day" is the next midnight, which does not exist after 9999-12-31.
    client.force_login(portfolio["alice"])
    response = client.get(reverse("deadlines:docket-as-of"), {"at": "9999-12-31"})
    assert response.status_code == 200
    assert response.context["form"].errors["at"]


def test_month_calendar_places_deadlines_on_their_day(client, portfolio, today):
    client.force_login(portfolio["alice"])
    response = client.get(reverse("deadlines:calendar"), {"month": "2026-03", "scope": "all"})
    body = response.content.decode()
    assert "March 2026" in body
    grid = response.context["grid"]
    by_day = {cell["date"]: [d.pk for d in cell["items"]] for week in grid for cell in week}
    assert by_day[dt.date(2026, 3, 12)] == [portfolio["soon"].pk]
    assert portfolio["overdue"].pk in by_day[dt.date(2026, 2, 25)]  # leading days of the grid
    assert portfolio["other"].pk not in sum(by_day.values(), [])
    assert "⚠ ACME-001 Pay renewal fee year 6" in body
    assert "item overdue" in body
    april = client.get(reverse("deadlines:calendar"), {"month": "2026-04", "scope": "all"})
    assert [d.pk for w in april.context["grid"] for c in w for d in c["items"]] == [portfolio["later"].pk]


def test_month_calendar_shows_extended_deadlines_on_the_extended_date(client, portfolio, today):
    with attributed(reason="t", process="tests"):
        d = portfolio["soon"]
        d.extended_to = dt.date(2026, 3, 20)
        d.save()
    client.force_login(portfolio["alice"])
    response = client.get(reverse("deadlines:calendar"), {"month": "2026-03"})
    days = {c["date"]: c["items"] for w in response.context["grid"] for c in w}
    assert [x.pk for x in days[dt.date(2026, 3, 20)]] == [d.pk]
    assert days[dt.date(2026, 3, 12)] == []


@pytest.mark.parametrize("month", ["nonsense", "2026-13", "9999-12", "0001-01", "1-1"])
def test_bad_month_falls_back_to_this_month(client, portfolio, today, month):
    # The calendar's edges (previous/next month, first and last week) must not run off the date range: 500.
    client.force_login(portfolio["alice"])
    response = client.get(reverse("deadlines:calendar"), {"month": month})
    assert response.status_code == 200
    assert "March 2026" in response.content.decode()


def test_login_logout_and_password_change(client, portfolio):
    response = client.post(reverse("login"), {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Signed in as alice" in text_of(client.get("/"))
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "a-much-Longer-pass-77",
            "new_password2": "a-much-Longer-pass-77",
        },
    )
    assert response.status_code == 302
    assert "Password changed" in text_of(client.get(reverse("password_change_done")))
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302
    assert client.login(username="alice", password="a-much-Longer-pass-77")


def test_wrong_password_is_refused_with_a_message(client, portfolio):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()
    assert Deadline.objects.count() == 5


def test_a_crowded_calendar_day_shows_overdue_first_and_links_to_the_rest(client, portfolio, today):
    with attributed(reason="t", process="tests"):
        Deadline.objects.bulk_create(
            [
                Deadline(
                    matter=portfolio["matter_a"],
                    key=f"crowd{i}",
                    office="EP",
                    title=f"Crowd {i}",
                    kind=Deadline.Kind.PROCEDURAL,
                    due_date=dt.date(2026, 2, 25),
                    responsible=portfolio["alice"],
                )
                for i in range(10)
            ]
        )
    client.force_login(portfolio["alice"])
    response = client.get(reverse("deadlines:calendar"), {"month": "2026-02", "scope": "all"})
    cell = next(c for w in response.context["grid"] for c in w if c["date"] == dt.date(2026, 2, 25))
    assert len(cell["items"]) == 6 and cell["more"] == 5
    assert all(d.overdue for d in cell["items"])  # every one of them is overdue on 2 March
    assert "+ 5 more…" in response.content.decode()
    assert "due_from=2026-02-25&amp;due_to=2026-02-25" in response.content.decode()
