"""The quarantine and reconciliation pages: a paralegal decides, only for matters of their clients."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from docketapp.audit import attributed
from patents.clients.errors import DailyCapReached, ThrottledError, TransientError
from patents.ingestion import ingest_response
from patents.models import EventType, OfficeCodeMapping, OfficeEvent, QuarantineItem, ReconciliationItem
from patents.review import accept_item
from patents.sync import MAX_COUNTDOWN, retry_countdown
from tests.factories import ClientFactory, MatterFactory, TeamMembershipFactory, UserFactory
from tests.sync.conftest import docketing_admin

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
    # The other client's item with the same code is not pat's to decide: untouched, still open, no event.
    assert not OfficeEvent.objects.filter(matter=setup["theirs"], office_code="ZZNEW").exists()
    assert QuarantineItem.objects.get(pk=theirs.pk).status == "open"
    assert not OfficeCodeMapping.objects.filter(code="ZZNEW").exists()
    decision = QuarantineItem.objects.get(pk=mine.pk).history.first()
    assert decision.history_user == setup["pat"]
    assert "only for matters the decider can see" in decision.history_change_reason


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


# --- who decides what: a paralegal for their own matters, a docketing admin for every client -----------------


def _bulk_answer(*pairs) -> bytes:
    """One ODP answer with an application per (number, code), as a bulk query returns it."""
    return json.dumps({"count": len(pairs), "patentFileWrapperDataBag": [
        {"applicationNumberText": number, "applicationMetaData": {"filingDate": "2024-01-10"},
         "eventDataBag": [{"eventCode": code, "eventDescriptionText": "Mailed", "eventDate": "2026-02-02"}]}
        for number, code in pairs
    ]}).encode()


@pytest.fixture
def two_clients_one_answer(inline_deadlines, django_capture_on_commit_callbacks):
    """Clients A and B each have a matter; one bulk answer carries code ZZMAIL for both."""
    a, b = ClientFactory(reference="A-CORP"), ClientFactory(reference="B-CORP")
    bea = UserFactory(username="bea")
    TeamMembershipFactory(user=bea, client=b)
    matter_a = MatterFactory(client=a, office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))
    matter_b = MatterFactory(client=b, office="US", application_number="17/654,321", filing_date=dt.date(2024, 1, 10))
    with django_capture_on_commit_callbacks(execute=True), attributed(reason="test sync", process="tests"):
        ingest_response(office="US", kind="us-odp-application", endpoint="applications", request_key="bulk",
                        body=_bulk_answer(("17123456", "ZZMAIL"), ("17654321", "ZZMAIL")),
                        matters=[matter_a, matter_b])
    return {"a": matter_a, "b": matter_b, "bea": bea}


def test_a_paralegal_mapping_their_own_item_creates_nothing_for_another_client_with_the_same_code(
    client, two_clients_one_answer, django_capture_on_commit_callbacks
):
    from deadlines.models import Deadline

    s = two_clients_one_answer
    item_a, item_b = (QuarantineItem.objects.get(matter=s[k]) for k in ("a", "b"))
    assert item_a.payload_id == item_b.payload_id  # the same answer: a replay of it names A's matter too
    client.force_login(s["bea"])
    rejection = EventType.objects.get(code="US.NON_FINAL_REJECTION")
    a_before = (list(OfficeEvent.objects.filter(matter=s["a"]).values_list("pk", flat=True)),
                list(Deadline.objects.filter(matter=s["a"]).values_list("pk", "due_date", "status")))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("patents:quarantine-decide", args=[item_b.pk]),
                               {"action": "map", "event_type": rejection.pk, "note": "it is a mailed rejection"})
    assert response.status_code == 302
    # B's matter: the event and its reply deadline.
    assert OfficeEvent.objects.get(matter=s["b"], office_code="ZZMAIL").event_type == rejection
    assert Deadline.objects.filter(matter=s["b"], rule_id="US.REPLY_NON_FINAL").exists()
    # A's matter: no event, no deadline, its item still open for A's people; no mapping for everyone.
    assert not OfficeEvent.objects.filter(matter=s["a"], office_code="ZZMAIL").exists()
    assert not Deadline.objects.filter(matter=s["a"], rule_id="US.REPLY_NON_FINAL").exists()
    assert (list(OfficeEvent.objects.filter(matter=s["a"]).values_list("pk", flat=True)),
            list(Deadline.objects.filter(matter=s["a"]).values_list("pk", "due_date", "status"))) == a_before
    item_a.refresh_from_db()
    assert item_a.status == "open" and item_a.decided_by is None
    assert not OfficeCodeMapping.objects.filter(code="ZZMAIL").exists()
    item_b.refresh_from_db()
    assert (item_b.status, item_b.decided_by) == ("mapped", s["bea"])


def test_a_paralegal_accepting_their_item_as_internal_suppresses_nothing_elsewhere(client, two_clients_one_answer):
    s = two_clients_one_answer
    item_b = QuarantineItem.objects.get(matter=s["b"])
    client.force_login(s["bea"])
    client.post(reverse("patents:quarantine-decide", args=[item_b.pk]), {"action": "accept", "note": "noise"})
    assert OfficeEvent.objects.get(matter=s["b"], office_code="ZZMAIL").event_type.internal
    assert not OfficeCodeMapping.objects.filter(code="ZZMAIL").exists()  # A's future ZZMAIL still asks a person
    assert QuarantineItem.objects.get(matter=s["a"]).status == "open"
    assert "as an internal step for this matter only" in item_b.history.first().history_change_reason


@pytest.fixture
def matterless_item():
    """An answer for an application that is no matter in the docket: a quarantine item with no matter."""
    MatterFactory(office="US", application_number="17/123,456")
    with attributed(reason="test sync", process="tests"):
        ingest_response(office="US", kind="us-odp-application", endpoint="applications", request_key="bulk-2",
                        body=_bulk_answer(("17123456", "MCTNF"), ("16999999", "MCTNF")), matters=[])
    item = QuarantineItem.objects.get(matter__isnull=True)
    assert "16999999" in item.reason
    return item


def test_only_a_docketing_admin_sees_and_decides_items_without_a_matter(client, matterless_item):
    staff = UserFactory(username="stan")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    for url in (reverse("patents:quarantine-review"), reverse("patents:quarantine-review") + "?status=all",
                reverse("patents:sync")):
        page = client.get(url)
        assert page.status_code == 200 and b"16999999" not in page.content
    refused = client.post(reverse("patents:quarantine-decide", args=[matterless_item.pk]),
                          {"action": "accept", "note": "mine now"})
    assert refused.status_code == 404
    with pytest.raises(PermissionDenied):
        accept_item(item=matterless_item, user=staff, note="through the service")
    matterless_item.refresh_from_db()
    assert matterless_item.status == "open"

    dora = docketing_admin("dora")
    client.force_login(dora)
    assert b"16999999" in client.get(reverse("patents:quarantine-review")).content
    client.post(reverse("patents:quarantine-decide", args=[matterless_item.pk]),
                {"action": "reject", "note": "not our application"})
    matterless_item.refresh_from_db()
    assert (matterless_item.status, matterless_item.decided_by) == ("rejected", dora)
    assert matterless_item.history.first().history_user == dora


def test_a_docketing_admin_sees_how_many_items_and_clients_a_mapping_touches_before_it_applies(
    client, two_clients_one_answer, django_capture_on_commit_callbacks
):
    from deadlines.models import Deadline

    s = two_clients_one_answer
    dora = docketing_admin("dora", clients=[s["b"].client])
    item_b = QuarantineItem.objects.get(matter=s["b"])
    rejection = EventType.objects.get(code="US.NON_FINAL_REJECTION")
    client.force_login(dora)
    url = reverse("patents:quarantine-decide", args=[item_b.pk])
    page = client.post(url, {"action": "map", "event_type": rejection.pk, "note": "USPTO mail code"})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<strong data-impact="items">2</strong>' in html
    assert '<strong data-impact="clients">2</strong>' in html
    assert "Apply to 2 item(s) of 2 client(s)" in html
    # Nothing applied yet.
    assert not OfficeCodeMapping.objects.filter(code="ZZMAIL").exists()
    assert not OfficeEvent.objects.filter(office_code="ZZMAIL").exists()
    assert QuarantineItem.objects.filter(status="open").count() == 2
    # A confirmation made for another impact (a third client's item arrived meanwhile) is shown again.
    stale = client.post(url, {"action": "map", "event_type": rejection.pk, "note": "x",
                              "confirm_items": "1", "confirm_clients": "1"})
    assert stale.status_code == 200 and b"changed since you looked" in stale.content
    assert not OfficeCodeMapping.objects.filter(code="ZZMAIL").exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"action": "map", "event_type": rejection.pk, "note": "USPTO mail code",
                                 "confirm_items": "2", "confirm_clients": "2"})
    assert done.status_code == 302
    mapping = OfficeCodeMapping.objects.get(office="US", code="ZZMAIL")
    assert mapping.event_type == rejection and mapping.history.get().history_user == dora
    for matter in (s["a"], s["b"]):
        assert OfficeEvent.objects.get(matter=matter, office_code="ZZMAIL").event_type == rejection
        assert Deadline.objects.filter(matter=matter, rule_id="US.REPLY_NON_FINAL").exists()
    for item in QuarantineItem.objects.all():
        assert (item.status, item.decided_by) == ("mapped", dora)
        assert "for every client" in item.history.first().history_change_reason


def test_accepting_a_code_as_internal_for_every_client_warns_that_it_suppresses_deadlines(
    client, two_clients_one_answer
):
    s = two_clients_one_answer
    dora = docketing_admin("dora", clients=[s["b"].client])
    client.force_login(dora)
    page = client.post(reverse("patents:quarantine-decide", args=[QuarantineItem.objects.get(matter=s["b"]).pk]),
                       {"action": "accept", "note": "housekeeping"})
    assert page.status_code == 200
    assert b"will trigger\nno deadline for any client" in page.content
    assert not OfficeCodeMapping.objects.filter(code="ZZMAIL").exists()
    client.post(reverse("patents:quarantine-decide", args=[QuarantineItem.objects.get(matter=s["b"]).pk]),
                {"action": "accept", "note": "housekeeping", "confirm_items": "2", "confirm_clients": "2"})
    assert OfficeCodeMapping.objects.get(code="ZZMAIL").event_type.internal
    assert sorted(QuarantineItem.objects.values_list("status", flat=True)) == ["accepted", "accepted"]
    assert all(OfficeEvent.objects.get(matter=s[k], office_code="ZZMAIL").event_type.internal for k in "ab")


def test_quarantine_page_times_are_in_the_users_format_and_zone_with_the_zone_named(client, setup):
    from patents.models import UserProfile

    with attributed(reason="test preference", process="tests"):
        UserProfile.objects.update_or_create(user=setup["pat"], defaults={"date_format": "Y-m-d",
                                                                          "time_zone": "Asia/Tokyo"})
    client.force_login(setup["pat"])
    html = client.get(reverse("patents:quarantine-review")).content.decode()
    import re

    assert re.search(r"\d{4}-\d{2}-\d{2}, \d{2}:\d{2} JST", html)
    assert not re.search(r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}", html)
