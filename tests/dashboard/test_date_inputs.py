"""Dates a person types follow their date format (UserProfile.date_format), not the browser's locale: every date
box of the dashboard is a text box (patents.dates.UserDateField) that shows the format, reads it (and ISO,
always), and answers anything ambiguous or impossible with a field error, never a guess or a 500."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from deadlines.models import SavedView
from docketapp.audit import attributed
from patents.dates import format_date, parse_date_input, preferences_for
from patents.models import PriorityClaim, UserProfile

from .test_matter_forms import form_data, grant

D = dt.date
ROOT = Path(__file__).resolve().parents[2]


def prefer(user, fmt: str, zone: str = "UTC") -> None:
    with attributed(reason="test preference", process="tests"):
        UserProfile.objects.update_or_create(user=user, defaults={"date_format": fmt, "time_zone": zone})


@pytest.mark.parametrize(("fmt", "typed", "day"), [
    pytest.param("d.m.Y", "02.03.2026", D(2026, 3, 2), id="day first: 02.03.2026 is 2 March"),
    pytest.param("d.m.Y", "2.3.2026", D(2026, 3, 2), id="day first without leading zeros"),
    pytest.param("m/d/Y", "03/02/2026", D(2026, 3, 2), id="month first: 03/02/2026 is 2 March"),
    pytest.param("m/d/Y", "12/31/2026", D(2026, 12, 31), id="month first: 31 December"),
    pytest.param("Y-m-d", "2026-03-02", D(2026, 3, 2), id="ISO"),
    pytest.param("D j M Y", "Mon 2 Mar 2026", D(2026, 3, 2), id="words, as the page shows it"),
    pytest.param("D j M Y", "2 march 2026", D(2026, 3, 2), id="words, no weekday, any case"),
    pytest.param("D j M Y", "2 Sept 2026", D(2026, 9, 2), id="words, longer abbreviation"),
    pytest.param("m/d/Y", "2026-03-02", D(2026, 3, 2), id="ISO is read whatever the format"),
    pytest.param("d.m.Y", "2 Mar 2026", D(2026, 3, 2), id="a month in words cannot be misread"),
    pytest.param("d.m.Y", "  ", None, id="empty box: no date"),
])
def test_a_typed_date_is_read_in_the_persons_format_or_iso(fmt, typed, day):
    assert parse_date_input(typed, fmt) == day


@pytest.mark.parametrize(("fmt", "typed", "says"), [
    pytest.param("d.m.Y", "03/02/2026", "could be 3 February 2026 or 2 March 2026", id="ambiguous other format"),
    pytest.param("m/d/Y", "02.03.2026", "could be 2 March 2026 or 3 February 2026", id="ambiguous other format 2"),
    pytest.param("Y-m-d", "25/12/2026", "not in your date format", id="unambiguous but another format"),
    pytest.param("d.m.Y", "2.3.26", "four digits", id="two-digit year"),
    pytest.param("d.m.Y", "31.02.2026", "not a day of the calendar", id="31 February"),
    pytest.param("m/d/Y", "13/01/2026", "not a day of the calendar", id="month 13 in month-first"),
    pytest.param("Y-m-d", "2026-02-30", "not a day of the calendar", id="ISO 30 February"),
    pytest.param("D j M Y", "Tue 2 Mar 2026", "is a Monday", id="weekday does not match"),
    pytest.param("D j M Y", "2 Foo 2026", "not a month", id="no such month"),
    pytest.param("D j M Y", "next friday", "is not a date", id="words that are no date"),
])
def test_ambiguous_or_impossible_input_is_a_field_error_that_says_what_to_write(fmt, typed, says):
    with pytest.raises(ValidationError) as caught:
        parse_date_input(typed, fmt)
    assert says in caught.value.messages[0]


def test_each_format_shows_a_date_the_way_it_reads_it():
    day = D(2026, 3, 2)
    shown = {fmt: format_date(day, fmt) for fmt in UserProfile.DateFormat.values}
    assert shown == {"D j M Y": "Mon 2 Mar 2026", "Y-m-d": "2026-03-02", "d.m.Y": "02.03.2026",
                     "m/d/Y": "03/02/2026"}
    assert all(parse_date_input(text, fmt) == day for fmt, text in shown.items())
    with preferences_for("d.m.Y"):
        assert format_date(day) == "02.03.2026"
    assert format_date(day) == "Mon 2 Mar 2026"  # the firm's default outside


def test_no_date_box_depends_on_the_browsers_locale():
    """No <input type=date> and no Django DateInput left in the dashboard's code or templates."""
    found = []
    for folder in ("templates", "deadlines", "docketapp", "patents"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".html", ".py"} and "migrations" not in path.parts:
                text = path.read_text(errors="replace")
                if re.search(r'type=["\']?date["\'\s>]|forms\.DateInput|input_type = "date"', text):
                    found.append(str(path.relative_to(ROOT)))
    assert found == []


@pytest.mark.django_db
def test_docket_filter_reads_the_users_format_and_shows_it(client, portfolio):
    alice = portfolio["alice"]
    prefer(alice, "d.m.Y")
    client.force_login(alice)
    html = client.get(reverse("patents:home"),
                      {"scope": "all", "due_from": "01.03.2026", "due_to": "15.03.2026"}).content.decode()
    assert "Pay renewal fee year 6" in html  # due 12.03.2026
    assert "Reply to non-final Office action" not in html  # due 11.04.2026
    box = re.search(r'<input[^>]*name="due_from"[^>]*>', html)[0]
    assert 'type="text"' in box and 'value="01.03.2026"' in box and 'placeholder="DD.MM.YYYY"' in box
    assert "Today is 02.03.2026" in html


@pytest.mark.django_db
def test_docket_filter_with_an_ambiguous_date_says_so_and_never_fails(client, portfolio):
    alice = portfolio["alice"]
    prefer(alice, "d.m.Y")
    client.force_login(alice)
    response = client.get(reverse("patents:home"), {"scope": "all", "due_from": "03/04/2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="filter-errors"' in html
    assert "<strong>Due from</strong>: “03/04/2026” could be 3 April 2026 or 4 March 2026" in html
    assert "This filter is not applied until it is corrected." in html


@pytest.mark.django_db
def test_a_saved_view_stores_typed_dates_as_iso(client, portfolio):
    alice = portfolio["alice"]
    prefer(alice, "m/d/Y")
    client.force_login(alice)
    client.post(reverse("deadlines:saved-view-save"), {"name": "March", "query": "due_from=03/01/2026&office=EP"})
    assert SavedView.objects.get(user=alice).query == "due_from=2026-03-01&office=EP"


@pytest.mark.django_db
def test_mark_done_reads_the_date_in_the_users_format(client, portfolio):
    alice, soon = portfolio["alice"], portfolio["soon"]
    prefer(alice, "m/d/Y")
    client.force_login(alice)
    bad = client.post(reverse("deadlines:deadline-done", args=[soon.pk]),
                      {"done_on": "2.3.2026", "evidence": "receipt"})
    assert bad.status_code == 400 and "“2.3.2026” could be 2 March 2026 or 3 February 2026" in bad.content.decode()
    soon.refresh_from_db()
    assert soon.status == "open"
    client.post(reverse("deadlines:deadline-done", args=[soon.pk]), {"done_on": "03/01/2026", "evidence": "receipt"})
    soon.refresh_from_db()
    assert (soon.status, soon.done_on) == ("done", D(2026, 3, 1))


@pytest.mark.django_db
def test_bulk_mark_done_confirmation_shows_and_reads_the_users_format(client, portfolio):
    alice, overdue = portfolio["alice"], portfolio["overdue"]
    prefer(alice, "d.m.Y")
    client.force_login(alice)
    page = client.post(reverse("deadlines:docket-bulk"), {"action": "done", "ids": [overdue.pk]}).content.decode()
    assert "25.02.2026" in page and "Wed 25 Feb 2026" not in page  # the bulk confirmation's due date
    assert 'placeholder="DD.MM.YYYY"' in page
    client.post(reverse("deadlines:docket-bulk"), {
        "action": "done", "confirm": "1", "ids": [overdue.pk], "done_on": "27.02.2026",
        f"evidence-{overdue.pk}": "EPO receipt",
    })
    overdue.refresh_from_db()
    assert (overdue.status, overdue.done_on) == ("done", D(2026, 2, 27))


@pytest.mark.django_db
def test_matter_form_and_priority_claims_read_the_users_format(client, portfolio):
    alice = portfolio["alice"]
    grant(alice, "add_matter", "change_matter")
    prefer(alice, "m/d/Y")
    client.force_login(alice)
    empty = client.get(reverse("patents:matter-create")).content.decode()
    assert 'name="filing_date"' in empty and 'placeholder="MM/DD/YYYY"' in empty
    response = client.post(reverse("patents:matter-create"), form_data(
        portfolio["client_a"].pk, filing_date="03/15/2024",
        **{"priority-0-country": "US", "priority-0-number": "63/123,456", "priority-0-date": "03/16/2023"},
    ))
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = PriorityClaim.objects.get(matter__reference="ACME-100")
    assert (claim.matter.filing_date, claim.date) == (D(2024, 3, 15), D(2023, 3, 16))
    edit = client.get(reverse("patents:matter-edit", args=[claim.matter.pk])).content.decode()
    assert 'value="03/15/2024"' in edit and 'value="03/16/2023"' in edit


@pytest.mark.django_db
def test_as_of_page_reads_and_shows_the_users_format(client, portfolio):
    alice = portfolio["alice"]
    prefer(alice, "d.m.Y")
    client.force_login(alice)
    html = client.get(reverse("deadlines:docket-as-of"), {"at": "02.03.2026"}).content.decode()
    assert "As of the end of 02.03.2026" in html and "25.02.2026" in html
    assert 'value="02.03.2026"' in html and 'placeholder="DD.MM.YYYY"' in html
    bad = client.get(reverse("deadlines:docket-as-of"), {"at": "2026/03/02"})
    assert bad.status_code < 500 and "“2026/03/02” is not in your date format" in bad.content.decode()



def test_history_diff_values_are_words_never_none_and_dates_in_the_users_format():
    """The admin's history list (templates/simple_history/object_history_list.html) shows each change through
    this filter: "None → 2025-01-03" was on every lifecycle change."""
    from deadlines.templatetags.docket_tags import history_value

    with preferences_for("d.m.Y"):
        assert [history_value(v) for v in (None, "", True, D(2025, 1, 3), "pending")] == [
            "—", "—", "yes", "03.01.2025", "pending"]
        assert history_value(dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)) == "02.03.2026, 23:30 UTC"
