"""An office answer stored but never applied (the worker died in between) is applied later, exactly once;
limits on the size and event count of an answer; JPO answers without a statusCode kept in quarantine."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import zlib
from io import StringIO

import pytest
from django.core.management import call_command

from docketapp.audit import attributed
from patents import sync
from patents.ingestion import ingest_response, process_pending_payloads, store_payload
from patents.models import OfficeEvent, OfficePayload, QuarantineItem, SyncRun
from tests.factories import MatterFactory

from .conftest import odp_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings", "no_hooks")]

NUMBERS = ("17123456", "17654321", "17111222")
KEY = "POST /applications (bulk test)"


@pytest.fixture
def matters():
    return [MatterFactory(office="US", application_number=n, filing_date=dt.date(2019, 6, 1)) for n in NUMBERS]


def fetch(matters, body: bytes):
    with attributed(reason="office sync (test)", process="tests"):
        return ingest_response(office="US", kind="us-odp-application", endpoint="applications", request_key=KEY,
                               body=body, matters=matters)


def crash_after_storing(matters, body: bytes) -> OfficePayload:
    """What a worker killed right after the store committed leaves behind: the payload, nothing applied."""
    with attributed(reason="office sync (test)", process="tests"):
        payload, stored = store_payload(office="US", kind="us-odp-application", endpoint="applications",
                                        request_key=KEY, body=body, requested_matter_ids=[m.pk for m in matters])
    assert stored and payload.outcome == ""
    return payload


def test_an_answer_stored_but_never_applied_is_applied_when_the_same_answer_is_fetched_again(matters):
    body = odp_body({n: 40 for n in NUMBERS})
    crash_after_storing(matters, body)
    assert OfficeEvent.objects.count() == 0

    result = fetch(matters, body)

    assert not result.unchanged
    assert result.events_created == 120
    assert OfficeEvent.objects.count() == 120
    assert OfficePayload.objects.get().outcome == "parsed"  # one stored copy, now applied
    # Now it really is "unchanged": the third fetch writes nothing.
    again = fetch(matters, body)
    assert again.unchanged and OfficeEvent.objects.count() == 120


def test_the_sweep_applies_an_abandoned_answer_for_the_matters_it_was_fetched_for(matters, settings):
    payload = crash_after_storing(matters, odp_body({n: 25 for n in NUMBERS}))
    # Within the grace period a live worker may still be applying it: the sweep leaves it alone.
    assert process_pending_payloads()["payloads"] == 0
    OfficePayload.objects.filter(pk=payload.pk).update(fetched_at=payload.fetched_at - dt.timedelta(hours=1))

    totals = process_pending_payloads()

    assert totals == {"payloads": 1, "events_created": 75, "quarantined": 0}
    payload.refresh_from_db()
    assert payload.outcome == "parsed"
    assert sorted(payload.matters.values_list("pk", flat=True)) == sorted(m.pk for m in matters)
    assert process_pending_payloads()["payloads"] == 0  # nothing left; applying twice is never needed


def test_the_pending_payload_command_applies_and_reports(matters):
    crash_after_storing(matters, odp_body({NUMBERS[0]: 5}))
    out = StringIO()
    call_command("process_pending_payloads", "--all", stdout=out)
    assert "1 pending payloads applied: 5 events" in out.getvalue()
    assert OfficeEvent.objects.count() == 5


def test_a_half_applied_answer_is_completed_without_duplicates(matters):
    body = odp_body({n: 30 for n in NUMBERS})
    fetch(matters[:1], odp_body({NUMBERS[0]: 30}))  # the first matter's part was applied before the crash
    crash_after_storing(matters, body)
    fetch(matters, body)
    counts = {m.pk: OfficeEvent.objects.filter(matter=m).count() for m in matters}
    assert set(counts.values()) == {30}
    keys = list(OfficeEvent.objects.values_list("matter_id", "natural_key"))
    assert len(keys) == len(set(keys))


def test_replay_applies_unprocessed_payloads_too(matters):
    crash_after_storing(matters, odp_body({n: 3 for n in NUMBERS}))
    totals = sync.replay_payloads()
    assert totals["events_created"] == 9 and OfficeEvent.objects.count() == 9


# --- limits ----------------------------------------------------------------------------------------------


def fifty_megabytes_of_small_elements() -> bytes:
    head = b'<?xml version="1.0"?><ops:world-patent-data xmlns:ops="http://ops.epo.org"><reg:register-documents ' \
           b'xmlns:reg="http://www.epo.org/register">'
    element = b"<reg:x a='1'/>"
    return head + element * (50 * 1024 * 1024 // len(element)) + b"</reg:register-documents></ops:world-patent-data>"


def test_a_50_mb_answer_is_stored_and_quarantined_as_too_large_never_parsed(monkeypatch):
    from patents.offices.ep import parser as epo_ops

    def never(*args, **kwargs):
        raise AssertionError("a body over OFFICE_PAYLOAD_MAX_BYTES must not reach the parser")

    monkeypatch.setattr(epo_ops, "parse_register", never)
    matter = MatterFactory(office="EP", application_number="EP21100012", filing_date=dt.date(2021, 1, 4))
    body = fifty_megabytes_of_small_elements()
    with attributed(reason="office sync (test)", process="tests"):
        result = ingest_response(office="EP", kind="ep-register", endpoint="register", request_key="POST reg",
                                 body=body, matters=[matter])
        again = ingest_response(office="EP", kind="ep-register", endpoint="register", request_key="POST reg",
                                body=body, matters=[matter])
    assert result.too_large and not result.events_created
    payload = OfficePayload.objects.get()  # stored once: the same answer again is not a second 50 MB row
    assert payload.size == len(body) and zlib.decompress(bytes(payload.body)) == body
    assert payload.outcome == "too-large"
    item = QuarantineItem.objects.get()
    assert item.category == QuarantineItem.Category.TOO_LARGE and item.matter == matter
    assert "too large" in item.reason and "OFFICE_PAYLOAD_MAX_BYTES" in item.reason
    assert again.unchanged and again.too_large


def test_an_answer_with_more_events_than_the_limit_is_quarantined_and_nothing_applied(matters, settings):
    settings.OFFICE_PAYLOAD_MAX_EVENTS = 100
    result = fetch(matters, odp_body({n: 40 for n in NUMBERS}))
    assert result.too_large
    assert OfficeEvent.objects.count() == 0
    item = QuarantineItem.objects.get()
    assert item.category == "too_large" and "120 events" in item.reason
    # Under the limit everything is applied.
    settings.OFFICE_PAYLOAD_MAX_EVENTS = 120
    assert fetch(matters, odp_body({n: 40 for n in NUMBERS[:3]}) + b" ").events_created == 120


def test_a_too_large_answer_fails_its_batch_visibly_on_the_run_without_retrying(matters, settings, monkeypatch):
    settings.OFFICE_PAYLOAD_MAX_EVENTS = 10
    run = SyncRun.objects.create(office="US", batches_total=1, matters_tried=1)
    client = FakeClient({matters[0].application_number_normalized: odp_body({NUMBERS[0]: 11})})
    outcome = sync.sync_matters(run_id=run.pk, office="US", matter_ids=[matters[0].pk], client=client)
    run.refresh_from_db()
    assert outcome.quarantined == 1 and run.errors == 1
    assert run.error_log[-1]["kind"] == "PayloadTooLargeError" and "too large" in run.error_log[-1]["message"]


# --- JPO answers without statusCode --------------------------------------------------------------------


class FakeClient:
    """Stands in for an office client in unit tests: answers from a dict (the HTTP side is tested elsewhere)."""

    def __init__(self, bodies: dict[str, bytes | Exception]) -> None:
        import requests

        self.session = requests.Session()
        self.bodies = bodies

    def _answer(self, endpoint: str, number: str):
        from patents.clients.base import OfficeResponse

        body = self.bodies[number]
        if isinstance(body, Exception):
            raise body
        return OfficeResponse(office="US", endpoint=endpoint, service=endpoint, method="GET",
                              url=f"https://odp.test/{endpoint}/{number}", request_key=f"GET {endpoint}/{number}",
                              status=200, headers={"Content-Type": "application/json"}, body=body)

    def application(self, number: str):
        return self._answer("applications", number)


def test_a_jpo_answer_without_status_code_is_quarantined_and_the_rest_of_the_batch_synced(
    office_simulator, sim_client, settings
):
    """Against the simulator: the JPO client refuses the body; the batch goes on with the other matters."""
    from patents.clients.errors import BadResponse

    sim = office_simulator
    jp = [m for m in sim.portfolio.matters("JP")][:3]
    # The docket holds the office's filing dates: a made-up one could precede the office's publication (an
    # expired right of the simulator is 20 years old) and raise a second, unrelated quarantine item.
    docket = [MatterFactory(office="JP", application_number=m.application_number, filing_date=m.filing_date)
              for m in jp]
    client = sim_client(sim, "JP")
    real = client.app_progress
    bad = docket[1].application_number_normalized

    def app_progress(number: str):
        response = real(number)
        if number == bad:
            # The same answer with its result.statusCode missing, as JPO sends it on a bad day.
            data = json.loads(response.body)
            data["result"].pop("statusCode", None)
            broken = dataclasses.replace(response, body=json.dumps(data).encode())
            return client._check(broken)
        return response

    client.app_progress = app_progress
    run = SyncRun.objects.create(office="JP", batches_total=1, matters_tried=3)
    outcome = sync.sync_matters(run_id=run.pk, office="JP", matter_ids=[m.pk for m in docket], client=client)

    assert sorted(outcome.synced) == sorted([docket[0].pk, docket[2].pk])
    item = QuarantineItem.objects.get()
    assert item.category == "malformed" and item.matter == docket[1] and "statusCode" in item.reason
    assert item.payload.outcome == "quarantined" and b"statusCode" not in item.payload.raw
    run.refresh_from_db()
    assert run.errors == 1 and run.error_log[-1]["matters"] == [docket[1].pk]
    assert BadResponse.__name__ == run.error_log[-1]["kind"]
