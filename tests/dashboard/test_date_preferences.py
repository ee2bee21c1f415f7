"""Every dated page follows the viewer's date format (UserProfile.date_format) and names the time zone of
every time, on the viewer's own clock (UserProfile.time_zone): the deadline page, the matter page, the
family page and the calendar, beside the docket, queue and client report (tests/dashboard/test_client_report.py).
A paralegal in Berlin who chose ISO dates must never read 03/02 or a bare 09:00 of unknown zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from docketapp.audit import attributed
from patents.models import UserProfile
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def iso_berlin(portfolio):
    alice = portfolio["alice"]
    with attributed(reason="test preference", process="tests"):
        UserProfile.objects.update_or_create(user=alice, defaults={"date_format": "Y-m-d",
                                                                   "time_zone": "Europe/Berlin"})
        matter = portfolio["matter_a"]
        matter.family = FamilyFactory(client=portfolio["client_a"], reference="FAM-ACME")
        matter.last_synced = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # 00:30 on 2 March in Berlin
        matter.save()
    return portfolio


def test_deadline_page_shows_dates_in_the_users_format(client, iso_berlin):
    client.force_login(iso_berlin["alice"])
    html = client.get(iso_berlin["overdue"].get_absolute_url()).content.decode()
    assert "2026-02-25" in html
    assert "Wed 25 Feb 2026" not in html and "25 Feb 2026" not in html


def test_matter_page_shows_dates_in_the_users_format_and_times_on_the_users_clock_with_the_zone(
    client, iso_berlin
):
    client.force_login(iso_berlin["alice"])
    html = client.get(reverse("patents:matter-detail", args=[iso_berlin["matter_a"].pk])).content.decode()
    assert "filed 2021-03-15" in html and "15 Mar 2021" not in html
    assert "2026-02-25" in html and "Wed 25 Feb 2026" not in html
    assert "2026-03-02, 00:30 CET" in html  # last synced: Berlin's clock, zone named, Berlin's day


def test_family_page_shows_dates_in_the_users_format(client, iso_berlin):
    client.force_login(iso_berlin["alice"])
    family = iso_berlin["matter_a"].family
    html = client.get(reverse("patents:family-detail", args=[family.pk])).content.decode()
    assert "2026-02-25" in html and "25 Feb 2026" not in html
    assert "filed 2021-03-15" in html


def test_without_a_preference_pages_keep_the_firms_default_format(client, portfolio):
    client.force_login(portfolio["alice"])
    html = client.get(portfolio["overdue"].get_absolute_url()).content.decode()
    assert "Wed 25 Feb 2026" in html


def test_calendar_items_name_their_due_date_in_the_users_format(client, iso_berlin):
    client.force_login(iso_berlin["alice"])
    html = client.get(reverse("deadlines:calendar"), {"month": "2026-02"}).content.decode()
    assert "due 2026-02-25" in html and "25 Feb 2026" not in html
