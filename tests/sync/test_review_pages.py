"""The quarantine and reconciliation pages: a paralegal decides, only for matters of their clients."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from docketapp.audit import attributed
from patents.clients.errors import DailyCapReached, ThrottledError, TransientError
from patents.ingestion import ingest_response
from patents.models import EventType, OfficeEvent, QuarantineItem, ReconciliationItem
from patents.sync import MAX_COUNTDOWN, retry_countdown
from tests.factories import ClientFactory, MatterFactory, TeamMembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings", "no_hooks")]


@pytest.fixture
def setup():
    own, other = ClientFactory(reference="OWN"), ClientFactory(reference="OTHER")
    pat = UserFactory(username="pat")
    TeamMembershipFactory(user=pat, client=own)
    mine = MatterFactory(client=own, office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))
    theirs = MatterFactory(client=other, office="US", application_number="17/123,457",
                           filing_date=dt.date(2024, 1, 10))
    for matter, number in ((mine, "17123456"), (theirs, "17123457")):
        body = json.dumps({"count": 1, "patentFileWrapperDataBag": [{
            "applicationNumberText": number,
            "applicationMetaData": {"filingDate": "2024-01-11"},
            "eventDataBag": [{"eventCode": "ZZNEW", "eventDescriptionText": "New code", "eventDate": "2026-02-02"}],
        }]}).encode()
        with attributed(reason="test sync", process="tests"):
            ingest_response(office="US", kind="us-odp-application", endpoint="applications",
                            request_key=f"GET /{number}", body=body, matters=[matter])
    return {"pat": pat, "mine": mine, "theirs": theirs}


def test_paralegal_sees_and_maps_only_their_clients_items(client, setup):
    client.force_login(setup["pat"])
    page = client.get(reverse("patents:quarantine-review"))
    assert page.status_code == 200
    assert setup["mine"].reference.encode() in page.content
    assert setup["theirs"].reference.encode() not in page.content
    theirs = QuarantineItem.objects.get(matter=setup["theirs"])
    assert client.post(reverse("patents:quarantine-decide", args=[theirs.pk]), {"action": "reject", "note": "x"}) \
        .status_code == 404
    mine = QuarantineItem.objects.get(matter=setup["mine"])
    target = EventType.objects.get(code="US.OFFICE_STEP")
    response = client.post(reverse("patents:quarantine-decide", args=[mine.pk]),
                           {"action": "map", "event_type": target.pk, "note": "housekeeping"})
    assert response.status_code == 302
    assert OfficeEvent.objects.get(matter=setup["mine"], office_code="ZZNEW").event_type == target
    # The same code of the other client's matter is answered by the same mapping (and replayed).
    assert OfficeEvent.objects.filter(matter=setup["theirs"], office_code="ZZNEW").exists()
    assert QuarantineItem.objects.filter(status="open").count() == 0


def test_reconciliation_page_accept_and_ignore(client, setup):
    client.force_login(setup["pat"])
    page = client.get(reverse("patents:reconciliation-review"))
    assert b"2024-01-11" in page.content and setup["theirs"].reference.encode() not in page.content
    item = ReconciliationItem.objects.get(matter=setup["mine"])
    refused = client.post(reverse("patents:reconciliation-decide", args=[item.pk]), {"action": "ignore"},
                          follow=True)
    assert b"say why" in refused.content
    client.post(reverse("patents:reconciliation-decide", args=[item.pk]), {"action": "accept"})
    setup["mine"].refresh_from_db()
    assert setup["mine"].filing_date == dt.date(2024, 1, 11)
    assert setup["mine"].history.first().history_user == setup["pat"]


@pytest.mark.parametrize(
    ("error", "attempt", "low", "high"),
    [
        pytest.param(ThrottledError("busy", retry_after=2.0), 0, 2.0, 2.6, id="throttle: wait what it says"),
        pytest.param(ThrottledError("busy", retry_after=2.0), 40, 2.0, 2.6, id="throttle waits do not back off"),
        pytest.param(TransientError("5xx"), 0, 0.5, 2.0, id="transient: first backoff ≤ base"),
        pytest.param(TransientError("5xx"), 5, 0.5, 64.0, id="transient: exponential"),
    ],
)
def test_retry_countdown(error, attempt, low, high, settings):
    settings.OFFICE_SYNC_BACKOFF_BASE = 2.0
    countdown = retry_countdown(error, attempt=attempt)
    assert low <= countdown <= high


def test_a_long_wait_is_not_a_far_future_retry():
    assert retry_countdown(DailyCapReached("cap", retry_after=MAX_COUNTDOWN * 10), attempt=0) is None
    assert retry_countdown(TransientError("5xx"), attempt=100) is None


@pytest.mark.parametrize("posted", [{}, {"event_type": ""}, {"event_type": "abc"}, {"event_type": "999999"}])
def test_mapping_without_a_valid_event_type_says_so_and_leaves_the_item_open(client, setup, posted):
    client.force_login(setup["pat"])
    mine = QuarantineItem.objects.get(matter=setup["mine"])
    response = client.post(reverse("patents:quarantine-decide", args=[mine.pk]),
                           {"action": "map", "note": "x", **posted}, follow=True)
    assert response.status_code == 200
    assert b"choose the event type" in response.content
    mine.refresh_from_db()
    assert mine.status == "open"
