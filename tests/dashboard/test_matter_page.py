"""Matter page: bibliographic data, status and sync time, family tree with links, merged timeline."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from deadlines import actions
from deadlines.services import mark_recompute_pending, recompute_deadlines
from docketapp.audit import attributed
from patents import services
from patents.dates import format_date
from patents.models import Matter
from tests.factories import MatterFactory, OfficeEventFactory, PriorityClaimFactory
from tests.matter_page import open_matter_page

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    # Tags become spaces so that <dt>Label</dt><dd>value</dd> reads "Label value".
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_family_tree_links_pct_to_national_phases_and_continuations(client, portfolio):
    acme = portfolio["client_a"]
    pct = MatterFactory(
        client=acme,
        reference="ACME-PCT",
        office="WO",
        kind=Matter.Kind.PCT,
        application_number="PCT/EP2024/050001",
        application_number_normalized="PCTEP2024050001",
    )
    ep = MatterFactory(client=acme, reference="ACME-EP", parent=pct, parent_relation=Matter.Relation.REGIONAL_PHASE)
    us = MatterFactory(
        client=acme,
        reference="ACME-US",
        office="US",
        application_number="18/000,001",
        application_number_normalized="18000001",
        parent=pct,
        parent_relation=Matter.Relation.NATIONAL_PHASE,
    )
    cont = MatterFactory(
        client=acme,
        reference="ACME-US-CON",
        office="US",
        application_number="18/000,002",
        application_number_normalized="18000002",
        parent=us,
        parent_relation=Matter.Relation.CONTINUATION,
    )
    client.force_login(portfolio["alice"])
    response = open_matter_page(client, ep.get_absolute_url())
    body = response.content.decode()
    for other in (pct, us, cont):
        assert f'href="{other.get_absolute_url()}"' in body
    text = text_of(response)
    assert "Regional phase of a PCT application: ACME-EP" in text
    assert "National phase of a PCT application: ACME-US" in text
    assert "Continuation: ACME-US-CON" in text
    assert '<span class="current">ACME-EP</span>' in body


def test_family_tree_hides_matters_of_clients_the_user_cannot_see(client, portfolio):
    hidden_parent = MatterFactory(
        client=portfolio["client_b"],
        reference="BETA-PCT",
        office="WO",
        kind="pct",
        application_number="PCT/US2024/000009",
        application_number_normalized="x9",
    )
    child = MatterFactory(
        client=portfolio["client_a"],
        reference="ACME-NP",
        parent=hidden_parent,
        parent_relation=Matter.Relation.REGIONAL_PHASE,
    )
    client.force_login(portfolio["alice"])
    body = client.get(child.get_absolute_url()).content.decode()
    assert "BETA" not in body


def test_priority_claims_link_to_the_priority_matter_when_we_have_it(client, portfolio):
    PriorityClaimFactory(matter=portfolio["matter_a"], country="US", number="17/123,456", date=dt.date(2020, 3, 16))
    client.force_login(portfolio["alice"])
    response = open_matter_page(client, portfolio["matter_a"].get_absolute_url())
    assert (
        f'US 17/123,456 (<a href="{portfolio["matter_a2"].get_absolute_url()}">ACME-002</a>) of Mon 16 Mar 2020'
        in response.content.decode()
    )


def test_bibliographic_data_status_and_last_sync_are_shown(client, portfolio):
    m = portfolio["matter_a"]
    with attributed(reason="sync", process="sync.ep"):
        services.touch_matter_sync(matter=m, changed=True, when=dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC))
    client.force_login(portfolio["alice"])
    text = text_of(open_matter_page(client, m.get_absolute_url()))
    assert "Application EP21" in text and "filed Mon 15 Mar 2021" in text
    assert "Last synced Sun 1 Mar 2026, 06:30 UTC" in text
    never = text_of(client.get(portfolio["matter_a2"].get_absolute_url()))
    assert "Last synced never" in never


def test_timeline_merges_office_events_deadlines_with_outcome_and_changes_with_who_and_why(client, portfolio):
    m = portfolio["matter_a"]
    OfficeEventFactory(matter=m, date=dt.date(2025, 10, 31), office_text="Communication from the examining division")
    actions.mark_done(
        deadline=portfolio["soon"],
        user=portfolio["bob"],
        done_on=dt.date(2026, 3, 1),
        evidence="fee receipt 123",
    )
    client.force_login(portfolio["alice"])
    text = text_of(open_matter_page(client, m.get_absolute_url()))
    timeline = text[text.index("Timeline") :]
    assert "office event Communication under Art. 94(3) EPC" in timeline
    assert "EXRE: Communication from the examining division" in timeline
    assert "Reply to Art. 94(3) communication — OVERDUE by 5 days" in timeline
    assert f"Pay renewal fee year 6 — Done on {format_date(dt.date(2026, 3, 1))}" in timeline
    assert "by bob — marked done on 2026-03-01: fee receipt 123" in timeline
    assert "status: Open → Done" in timeline
    assert "Matter created by tests (automatic) — test fixture" in timeline


def test_matter_list_searches_only_visible_matters(client, portfolio):
    client.force_login(portfolio["alice"])
    text = text_of(client.get(reverse("patents:matter-list"), {"q": "17/123"}))
    assert "ACME-002" in text and "ACME-001" not in text and "BETA" not in text


def test_times_are_shown_in_the_users_own_time_zone(client, portfolio):
    from patents.models import UserProfile

    m = portfolio["matter_a"]
    with attributed(reason="sync", process="sync.ep"):
        services.touch_matter_sync(matter=m, changed=True, when=dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC))
    with attributed(reason="profile", user=portfolio["alice"]):
        UserProfile.objects.create(user=portfolio["alice"], time_zone="Asia/Tokyo")
    client.force_login(portfolio["alice"])
    text = text_of(open_matter_page(client, m.get_absolute_url()))
    assert "Last synced Mon 2 Mar 2026, 05:30 JST" in text


def test_deadlines_the_engine_cannot_compute_are_shown_on_the_matter_page(client, portfolio):
    from tests.factories import EventTypeFactory

    # A PCT application without filing or priority date: the national phase dates cannot be computed.
    m = MatterFactory(
        client=portfolio["client_a"],
        reference="ACME-WO-NODATE",
        office="WO",
        kind=Matter.Kind.PCT,
        application_number="PCT/EP2025/000001",
        application_number_normalized="PCTEP2025000001",
        filing_date=None,
    )
    OfficeEventFactory(
        matter=m, event_type=EventTypeFactory(code="WO.FILED", label="PCT filed", office="WO"), date=dt.date(2025, 1, 1)
    )
    # The page shows what the recompute stored; it does not run the engine itself.
    recompute_deadlines(matter=m, reason="office event recorded or changed")
    client.force_login(portfolio["alice"])
    text = text_of(open_matter_page(client, m.get_absolute_url()))
    assert "Deadlines that could not be computed — check this matter by hand" in text
    assert "WO.REGIONAL_PHASE_EP needs the matter's priority date" in text
    assert "have not been computed yet" not in text


def test_the_matter_page_does_not_run_the_engine(client, portfolio, monkeypatch):
    import deadlines.rules
    import deadlines.rules.engine as engine

    m = portfolio["matter_a"]
    recompute_deadlines(matter=m, reason="office event recorded or changed")

    def boom(*args, **kwargs):
        raise AssertionError("the matter page ran the deadline engine")

    monkeypatch.setattr(engine, "compute", boom)
    monkeypatch.setattr(deadlines.rules, "compute", boom)
    client.force_login(portfolio["alice"])
    text = text_of(open_matter_page(client, m.get_absolute_url()))
    assert "Reply to Art. 94(3) communication" in text
    assert "could not be computed" not in text


def test_a_matter_never_computed_says_so(client, portfolio):
    m = MatterFactory(client=portfolio["client_a"], reference="ACME-EP-NEW", office="EP")
    client.force_login(portfolio["alice"])
    text = text_of(open_matter_page(client, m.get_absolute_url()))
    assert "The deadlines of this matter have not been computed yet" in text


def test_a_recompute_that_did_not_finish_is_reported_not_a_server_error(client, portfolio):
    # An office event changed (the mark commits with it) but its recompute failed or was lost: the page says
    # the deadlines may not reflect it yet, and still shows everything else.
    m = portfolio["matter_a"]
    recompute_deadlines(matter=m, reason="office event recorded or changed")
    mark_recompute_pending(m.pk)
    client.force_login(portfolio["alice"])
    text = text_of(open_matter_page(client, m.get_absolute_url()))
    assert "A new computation of this matter's deadlines was requested on" in text
    assert "has not finished: the deadlines below may not reflect that change yet" in text
    assert "Reply to Art. 94(3) communication" in text
