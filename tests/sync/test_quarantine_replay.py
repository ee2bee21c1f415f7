"""Quarantine (nothing dropped, each decision in history), replay (deterministic, idempotent), reconcile."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from docketapp.audit import attributed
from patents.ingestion import ingest_response
from patents.models import EventType, Matter, OfficeCodeMapping, OfficeEvent, QuarantineItem, ReconciliationItem
from patents.review import accept_item, map_code, reject_item
from tests.factories import MatterFactory, TeamMembershipFactory, UserFactory
from tests.sync.conftest import confirmed, docketing_admin, row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings", "no_hooks")]


def odp(number: str, events, meta: dict | None = None) -> bytes:
    wrapper = {"applicationNumberText": number,
               "eventDataBag": [{"eventCode": c, "eventDescriptionText": t, "eventDate": d} for c, t, d in events]}
    if meta is not None:
        wrapper["applicationMetaData"] = meta
    return json.dumps({"count": 1, "patentFileWrapperDataBag": [wrapper], "requestIdentifier": "r-1"}).encode()


def ingest(matter, body, key="GET /applications/17123456"):
    with attributed(reason="office sync (test)", process="tests"):
        return ingest_response(office="US", kind="us-odp-application", endpoint="applications", request_key=key,
                               body=body, matters=[matter])


@pytest.fixture
def matter():
    return MatterFactory(office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))


EVENTS = [("MCTNF", "Mail Non-Final Rejection", "2026-03-05"), ("XYZZ", "Something new at the USPTO", "2026-03-06")]


def test_an_unmapped_code_waits_in_quarantine_while_the_rest_is_recorded(matter):
    result = ingest(matter, odp("17123456", EVENTS))
    assert result.events_created == 1
    item = QuarantineItem.objects.get()
    assert (item.category, item.office_code, item.matter, item.status) == ("unmapped_code", "XYZZ", matter, "open")
    assert item.payload == result.payload and "XYZZ" in item.reason
    assert item.details["events"][0]["date"] == "2026-03-06"
    # Same answer again (a new request id, same data): nothing parsed, nothing written, still one item.
    before = row_counts()
    again = ingest(matter, odp("17123456", EVENTS).replace(b"r-1", b"r-2"))
    assert again.unchanged and row_counts() == before


def test_mapping_the_code_replays_the_payload_and_is_recorded_with_the_user(matter):
    ingest(matter, odp("17123456", EVENTS))
    item = QuarantineItem.objects.get()
    pat = docketing_admin("pat", clients=[matter.client])
    target = EventType.objects.get(code="US.OFFICE_STEP")
    outcome = map_code(item=item, event_type=target, user=pat, note="new USPTO housekeeping code",
                       confirmed=confirmed(item))
    assert outcome["events_created"] == 1
    event = OfficeEvent.objects.get(matter=matter, office_code="XYZZ")
    assert event.event_type == target
    item.refresh_from_db()
    assert item.status == "mapped" and item.decided_by == pat
    mapping = OfficeCodeMapping.objects.get(office="US", source="odp-transaction", code="XYZZ")
    assert mapping.history.get().history_user == pat
    decision = item.history.first()
    assert decision.history_user == pat and "mapped 'XYZZ' to US.OFFICE_STEP for every client" \
        in decision.history_change_reason


def test_accept_and_reject_need_a_note_and_are_in_the_history(matter):
    ingest(matter, odp("17123456", EVENTS))
    item = QuarantineItem.objects.get()
    sam = UserFactory(username="sam")
    TeamMembershipFactory(user=sam, client=matter.client)
    with pytest.raises(ValidationError):
        reject_item(item=item, user=sam, note="  ")
    reject_item(item=item, user=sam, note="test data from the office, not ours")
    item.refresh_from_db()
    assert item.status == "rejected" and item.history.first().history_user == sam
    assert not OfficeEvent.objects.filter(office_code="XYZZ").exists()
    with pytest.raises(ValidationError):
        accept_item(item=item, user=sam, note="too late")  # already decided


def test_accepting_an_unmapped_code_keeps_it_as_an_internal_step(matter):
    ingest(matter, odp("17123456", EVENTS))
    pat = UserFactory()
    TeamMembershipFactory(user=pat, client=matter.client)
    accept_item(item=QuarantineItem.objects.get(), user=pat, note="informational")
    event = OfficeEvent.objects.get(matter=matter, office_code="XYZZ")
    assert event.event_type.internal


def test_an_answer_for_another_application_is_quarantined_as_a_mismatch(matter):
    result = ingest(matter, odp("16999999", [("MCTNF", "Mail Non-Final Rejection", "2026-03-05")],
                                meta={"filingDate": "2020-01-01"}))
    assert result.events_created == 0
    item = QuarantineItem.objects.get()
    assert item.category == "mismatch" and "16999999" in item.reason
    assert not OfficeEvent.objects.exists()


def test_an_event_dated_in_the_future_is_quarantined_not_recorded(matter):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    ingest(matter, odp("17123456", [("MCTNF", "Mail Non-Final Rejection", future)]))
    assert QuarantineItem.objects.get().category == "mismatch"
    assert not OfficeEvent.objects.exists()


def test_replay_rebuilds_the_same_events_and_a_second_replay_changes_nothing(matter, office_samples):
    body = (office_samples / "uspto" / "odp-application-17248024.json").read_bytes()
    other = MatterFactory(office="US", application_number="17/248,024", filing_date=dt.date(2021, 1, 4))
    with attributed(reason="test", process="tests"):
        ingest_response(office="US", kind="us-odp-application", endpoint="applications",
                        request_key="GET /applications/17248024", body=body, matters=[other])
    recorded = sorted(OfficeEvent.objects.filter(matter=other).values_list("natural_key", "event_type__code", "date"))
    assert len(recorded) > 50
    with attributed(reason="test: lose the events", process="tests"):
        for event in OfficeEvent.objects.filter(matter=other):
            event.delete()
    out = StringIO()
    call_command("replay_payloads", "--office", "US", stdout=out)
    assert sorted(OfficeEvent.objects.filter(matter=other).values_list("natural_key", "event_type__code", "date")) \
        == recorded
    before = row_counts()
    call_command("replay_payloads", stdout=StringIO())
    assert row_counts() == before


def test_reconcile_lists_disagreements_accept_updates_the_matter_ignore_sticks(matter):
    meta = {"filingDate": "2024-01-12", "applicationStatusCode": 150, "applicationStatusDescriptionText":
            "Patented Case", "patentNumber": "12000123", "grantDate": "2026-02-03"}
    ingest(matter, odp("17123456", [], meta=meta))
    matter.refresh_from_db()
    # Blank docket fields are filled from the office; a different filing date is a question for a person.
    assert (matter.grant_number, matter.grant_date, matter.status) == ("12000123", dt.date(2026, 2, 3), "granted")
    assert matter.office_status == "Patented Case"
    item = ReconciliationItem.objects.get()
    assert (item.field, item.docket_value, item.office_value) == ("filing_date", "2024-01-10", "2024-01-12")
    out = StringIO()
    call_command("reconcile", "--office", "US", stdout=out)
    assert f"{matter.reference}  Filing date: docket '2024-01-10'  office '2024-01-12'" in out.getvalue()
    alice = UserFactory(username="alice")
    from patents.ingestion import decide_reconciliation

    with pytest.raises(ValidationError):
        decide_reconciliation(item=item, accept=False, user=alice, note="")
    decide_reconciliation(item=item, accept=True, user=alice, note="checked the filing receipt")
    matter.refresh_from_db()
    assert matter.filing_date == dt.date(2024, 1, 12)
    last = matter.history.first()
    assert last.history_user == alice and "accepted office value for Filing date" in last.history_change_reason
    # The office changes its mind; the paralegal ignores it with a reason; a re-sync does not reopen it.
    meta2 = {**meta, "filingDate": "2024-01-15"}
    ingest(matter, odp("17123456", [], meta=meta2), key="GET /applications/17123456?v=2")
    item2 = ReconciliationItem.objects.get(status="open")
    decide_reconciliation(item=item2, accept=False, user=alice, note="office typo, reported to the USPTO")
    ingest(matter, odp("17123456", [], meta=meta2).replace(b"r-1", b"r-3"), key="GET /applications/17123456?v=3")
    assert not ReconciliationItem.objects.filter(status="open").exists()
    assert Matter.objects.get(pk=matter.pk).filing_date == dt.date(2024, 1, 12)


def test_the_same_priority_written_with_the_country_prefix_is_not_a_difference():
    from patents.ingestion.reconcile import _same

    assert _same("priority_claims", [["EP", "2024572511", "2024-07-15"]], [["EP", "EP2024572511", "2024-07-15"]])
    assert not _same("priority_claims", [["EP", "2024572511", "2024-07-15"]], [["EP", "2024572512", "2024-07-15"]])


def test_mapping_a_code_from_a_bulk_answer_puts_no_other_matters_events_on_the_item_matter():
    # One answer for two matters; the unmapped code is on the second. Mapping it replays the answer for that
    # matter only: the first document must still go to its own matter, not to the item's.
    first = MatterFactory(office="US", application_number="17/654,321")
    second = MatterFactory(office="US", application_number="17/123,456")
    body = json.dumps({"count": 2, "patentFileWrapperDataBag": [
        {"applicationNumberText": "17654321", "eventDataBag": [
            {"eventCode": "MCTNF", "eventDescriptionText": "Mail Non-Final Rejection", "eventDate": "2026-03-05"}]},
        {"applicationNumberText": "17123456", "eventDataBag": [
            {"eventCode": "XYZZ", "eventDescriptionText": "Something new", "eventDate": "2026-03-06"}]},
    ]}).encode()
    with attributed(reason="office sync (test)", process="tests"):
        ingest_response(office="US", kind="us-odp-application", endpoint="applications", request_key="bulk",
                        body=body, matters=[first, second])
    item = QuarantineItem.objects.get()
    assert item.matter == second
    step = EventType.objects.get(code="US.OFFICE_STEP")
    map_code(item=item, event_type=step, user=docketing_admin(clients=[second.client]), note="new",
             confirmed=confirmed(item))
    assert set(OfficeEvent.objects.values_list("matter", "office_code")) == {
        (first.pk, "MCTNF"), (second.pk, "XYZZ")}
    assert not QuarantineItem.objects.filter(status="open").exists()


def test_mapping_a_code_seen_for_every_matter_of_a_bulk_answer_records_each_once():
    first = MatterFactory(office="US", application_number="17/654,321")
    second = MatterFactory(office="US", application_number="17/123,456")
    body = json.dumps({"count": 2, "patentFileWrapperDataBag": [
        {"applicationNumberText": number, "eventDataBag": [
            {"eventCode": "XYZZ", "eventDescriptionText": "Something new", "eventDate": "2026-03-06"}]}
        for number in ("17654321", "17123456")
    ]}).encode()
    with attributed(reason="office sync (test)", process="tests"):
        ingest_response(office="US", kind="us-odp-application", endpoint="applications", request_key="bulk",
                        body=body, matters=[first, second])
    assert QuarantineItem.objects.filter(status="open").count() == 2
    item = QuarantineItem.objects.get(matter=first)
    step = EventType.objects.get(code="US.OFFICE_STEP")
    outcome = map_code(item=item, event_type=step, user=docketing_admin(clients=[first.client]), note="new",
                       confirmed=confirmed(item))
    assert outcome["items"] == 2 and outcome["events_created"] == 2
    assert sorted(OfficeEvent.objects.values_list("matter", "office_code")) == [
        (first.pk, "XYZZ"), (second.pk, "XYZZ")]
    assert not QuarantineItem.objects.filter(status="open").exists()
