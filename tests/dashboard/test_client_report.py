"""The client status report: open deadlines, office events of the last 90 days, renewals in the next six
months (EPC Art. 86(1) / Rule 51(1) renewal fees), as a page and as printable HTML; only clients the user may
see; error pages a paralegal can act on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from docketapp.audit import attributed
from patents.models import UserProfile
from tests.conftest import ROOT
from tests.factories import DeadlineFactory, OfficeEventFactory, TeamMembershipFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_data(portfolio):
    with attributed(reason="test data", process="tests"):
        matter = portfolio["matter_a"]
        renewal = DeadlineFactory(
            matter=matter,
            rule_id="EP.RENEWAL_FEE",
            title="Pay renewal fee year 7",
            citation="Art. 86(1) EPC",
            due_date=TODAY + dt.timedelta(days=150),
        )
        late_renewal = DeadlineFactory(
            matter=matter,
            rule_id="EP.RENEWAL_FEE",
            title="Pay renewal fee year 8",
            citation="Art. 86(1) EPC",
            due_date=TODAY + dt.timedelta(days=400),
        )
        recent = OfficeEventFactory(
            matter=matter, date=TODAY - dt.timedelta(days=20), office_text="Despatch of a communication"
        )
        old = OfficeEventFactory(
            matter=matter, date=TODAY - dt.timedelta(days=120), office_text="Old communication text"
        )
    return {**portfolio, "renewal": renewal, "late_renewal": late_renewal, "recent": recent, "old": old}


def test_client_report_shows_open_deadlines_recent_events_and_renewals_of_the_next_six_months(client, report_data):
    client.force_login(report_data["alice"])
    response = client.get(reverse("deadlines:client-report", args=[report_data["client_a"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    deadlines_part, rest = html.split('id="report-renewals"')
    renewals_part, events_part = rest.split('id="report-events"')
    for key in ("overdue", "soon", "later", "far", "renewal", "late_renewal"):
        assert f'data-deadline="{report_data[key].pk}"' in deadlines_part, key
    assert "1 overdue" in deadlines_part
    assert f'data-renewal="{report_data["renewal"].pk}"' in renewals_part
    assert f'data-renewal="{report_data["late_renewal"].pk}"' not in renewals_part  # beyond six months
    assert "Despatch of a communication" in events_part
    assert "Communication under Art. 94(3) EPC" in events_part  # the event's human label, not its code
    assert "Old communication text" not in events_part  # older than 90 days
    assert "BETA" not in html


def test_printable_report_has_no_navigation_and_a_print_stylesheet(client, report_data):
    client.force_login(report_data["alice"])
    html = client.get(
        reverse("deadlines:client-report", args=[report_data["client_a"].pk]), {"print": "1"}
    ).content.decode()
    assert 'aria-label="Main"' not in html
    assert "Status report: Client ACME" in html
    css = (ROOT / "deadlines/static/docketapp/docket.css").read_text()
    assert "@media print" in css and 'href="/static/docketapp/docket.css"' in html


def test_another_clients_report_is_a_404_and_the_list_shows_only_my_clients(client, report_data):
    client.force_login(report_data["alice"])
    assert client.get(reverse("deadlines:client-report", args=[report_data["client_b"].pk])).status_code == 404
    listing = client.get(reverse("deadlines:client-list")).content.decode()
    assert "ACME" in listing and "BETA" not in listing


def test_a_client_added_to_my_team_appears_in_the_list_and_one_removed_disappears(client, report_data):
    """Who may see a client's report follows team membership from one request to the next, within one
    process: joining a team shows its client, leaving it makes the report a 404."""
    alice = report_data["alice"]
    client.force_login(alice)
    assert "BETA" not in client.get(reverse("deadlines:client-list")).content.decode()
    with attributed(reason="test: alice joins BETA's team", process="tests"):
        membership = TeamMembershipFactory(user=alice, client=report_data["client_b"])
    assert "BETA" in client.get(reverse("deadlines:client-list")).content.decode()
    report = reverse("deadlines:client-report", args=[report_data["client_b"].pk])
    assert client.get(report).status_code == 200
    with attributed(reason="test: alice leaves BETA's team", process="tests"):
        membership.delete()
    assert "BETA" not in client.get(reverse("deadlines:client-list")).content.decode()
    assert client.get(report).status_code == 404


def test_friendly_404_page_without_a_debug_page(client, portfolio, settings):
    settings.DEBUG = False
    client.force_login(portfolio["alice"])
    response = client.get("/deadlines/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "your docket" in html
    assert 'rel="icon"' in html


def test_friendly_500_page(portfolio, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


def test_dates_follow_the_users_date_format_preference(client, portfolio):
    from patents.models import UserProfile

    client.force_login(portfolio["alice"])
    assert "Wed 25 Feb 2026" in client.get(reverse("patents:home")).content.decode()
    response = client.post(reverse("deadlines:preferences"), {"time_zone": "Europe/Berlin", "date_format": "Y-m-d"})
    assert response.status_code == 302
    profile = UserProfile.objects.get(user=portfolio["alice"])
    assert (profile.time_zone, profile.date_format) == ("Europe/Berlin", "Y-m-d")
    assert profile.history.order_by("-history_id").first().history_user == portfolio["alice"]
    html = client.get(reverse("patents:home")).content.decode()
    assert "2026-02-25" in html and "Wed 25 Feb 2026" not in html
    assert "2026-02-25" in client.get(reverse("deadlines:verification-queue")).content.decode()


def test_a_bad_time_zone_is_refused_and_nothing_is_saved(client, portfolio):
    from patents.models import UserProfile

    client.force_login(portfolio["alice"])
    response = client.post(reverse("deadlines:preferences"), {"time_zone": "Mars/Olympus", "date_format": "Y-m-d"})
    assert response.status_code == 400
    assert not UserProfile.objects.filter(user=portfolio["alice"], date_format="Y-m-d").exists()


def test_printable_report_writes_every_date_in_the_users_format(client, report_data):
    with attributed(reason="test preference", process="tests"):
        UserProfile.objects.update_or_create(user=report_data["alice"], defaults={"date_format": "d.m.Y"})
    client.force_login(report_data["alice"])
    html = client.get(
        reverse("deadlines:client-report", args=[report_data["client_a"].pk]), {"print": "1"}
    ).content.decode()
    assert f"Printed from docketapp on {TODAY:%d.%m.%Y}" in html and f"As of {TODAY:%d.%m.%Y}" in html
    renewal_end = html.split("Renewals and annuities due by ")[1][:10]
    assert renewal_end.count(".") == 2 and renewal_end[6:].isdigit()
    assert f"{report_data['renewal'].due_date:%d.%m.%Y}" in html
    assert TODAY.strftime("%B") not in html and TODAY.strftime("%b %Y") not in html
