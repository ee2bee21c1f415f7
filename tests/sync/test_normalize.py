"""Normalization: every office code we can receive has a canonical event; the mailing event triggers."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from deadlines.models import Deadline
from deadlines.rules.registry import trigger_codes
from docketapp.audit import attributed
from patents.ingestion import ingest_response
from patents.models import EventType, OfficeCodeMapping, OfficeEvent
from patents.normalize import MappingTable
from patents.offices.ep import parser as epo_ops
from patents.offices.jp import parser as jpo
from patents.offices.us import parser as uspto_odp
from patents.simulator import jpo as sim_jpo
from patents.simulator import odp as sim_odp
from patents.simulator import ops_documents as sim_ops
from tests.factories import MatterFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings")]


def _simulator_codes() -> set[tuple[str, str, str]]:
    codes = {("EP", "register-event", c) for c, *_ in sim_ops.REGISTER_EVENTS.values()}
    codes |= {("EP", "procedural-step", c) for c, *_ in sim_ops.PROCEDURAL_STEPS.values()}
    codes |= {("EP", "procedural-step", c) for c in ("PROL", "ISAT")}
    codes |= {("EP", "inpadoc", c.strip()) for key, (c, *_) in sim_ops.LEGAL_EVENTS.items()
              if not key.startswith(("wo_", "national_phase"))}
    codes |= {("WO", "inpadoc", sim_ops.LEGAL_EVENTS[k][0].strip())
              for k in ("wo_designated_ep", "wo_non_entry_ep", "national_phase_entry")}
    codes |= {("US", "odp-transaction", c) for rows in sim_odp.US_EVENTS.values() for c, _, _ in rows}
    codes |= {("JP", "jpo-progress", c) for rows in sim_jpo.JP_DOCUMENTS.values() for c, *_ in rows}
    codes |= {("JP", "jpo-progress", c) for c, _ in sim_jpo.JP_REGISTRATION_DOCUMENTS.values()}
    return codes


def _sample_codes(samples) -> set[tuple[str, str, str]]:
    epo, us, jp = samples / "epo", samples / "uspto", samples / "jpo"
    events = [
        *epo_ops.parse_register_events((epo / "register-events-EP2400812.xml").read_bytes()),
        *epo_ops.parse_procedural_steps((epo / "register-procedural-steps-EP2400812.xml").read_bytes()),
        *epo_ops.parse_inpadoc_legal((epo / "legal-inpadoc-EP2400812A1-trimmed.xml").read_bytes()),
        *uspto_odp.parse_odp_transactions((us / "odp-transactions-17248024.json").read_bytes()),
        *jpo.parse_app_progress((jp / "patent-app_progress-2020123456.json").read_bytes()).data.events,
    ]
    return {(e.office, e.source, e.code_stripped) for e in events}


def test_every_code_the_simulator_and_the_recorded_samples_send_is_mapped(office_samples):
    table = MappingTable.load()
    wanted = _simulator_codes() | _sample_codes(office_samples)
    missing = sorted(k for k in wanted if table.lookup(office=k[0], source=k[1], code=k[2]) is None)
    assert missing == []


def test_every_rule_trigger_of_the_offices_we_sync_has_a_mapped_office_code():
    mapped = set(OfficeCodeMapping.objects.values_list("event_type__code", flat=True))
    # Priority years and provisional filings are entered by hand; PCT ISR/Art. 19/demand and EP summons
    # are not in any feed we sync (no free PCT status API; summons are not a register step we receive).
    unsynced = {"EP.PRIORITY_APPLICATION_FILED", "US.PRIORITY_APPLICATION_FILED", "JP.PRIORITY_APPLICATION_FILED",
                "WO.PRIORITY_APPLICATION_FILED", "US.PROVISIONAL_FILED", "WO.ISR_TRANSMITTED"}
    # Rule triggers entered by hand until an office code for them is verified against a recorded answer
    # (a guessed mapping would compute a wrong deadline): divisional filings, the EPO's appealable decisions,
    # JP national documents, foreign-office citations (IDS 1.97(e)) and the gazette of a watched JP patent.
    unsynced |= {"EP.DIVISIONAL_FILED", "JP.DIVISIONAL_FILED", "EP.APPEALABLE_DECISION",
                 "US.FOREIGN_OFFICE_CITATION", "JP.GAZETTE_PUBLISHED",
                 "EP.NON_COMPLIANCE_CAUSE_REMOVED"}
    offices = ("EP.", "US.", "JP.", "WO.")
    assert {c for c in trigger_codes() if c.startswith(offices)} - unsynced <= mapped


@pytest.mark.parametrize(
    ("office_code", "canonical", "internal"),
    [
        pytest.param("MCTNF", "US.NON_FINAL_REJECTION", False, id="37 CFR 1.134: MCTNF mailing triggers"),
        pytest.param("CTNF", "US.NON_FINAL_REJECTION_PREPARED", True, id="CTNF is only counted, not mailed"),
        pytest.param("MCTFR", "US.FINAL_REJECTION", False, id="MCTFR mailing triggers"),
        pytest.param("CTFR", "US.FINAL_REJECTION_PREPARED", True, id="CTFR internal"),
        pytest.param("MCTRS", "US.RESTRICTION_REQUIREMENT", False, id="MCTRS mailing triggers"),
        pytest.param("CTRS", "US.RESTRICTION_PREPARED", True, id="CTRS internal"),
        pytest.param("MN/=.", "US.NOTICE_OF_ALLOWANCE", False, id="35 USC 151: MN/=. mailing triggers"),
        pytest.param("N/=.", "US.NOTICE_OF_ALLOWANCE_PREPARED", True, id="N/=. internal"),
    ],
)
def test_uspto_codes_map_to_the_mailing_event(office_code, canonical, internal):
    et = MappingTable.load().lookup(office="US", source="odp-transaction", code=office_code)
    assert (et.code, et.internal) == (canonical, internal)


def _odp_body(events: list[tuple[str, str, str]]) -> bytes:
    return json.dumps({"count": 1, "patentFileWrapperDataBag": [{
        "applicationNumberText": "17123456",
        "eventDataBag": [{"eventCode": c, "eventDescriptionText": t, "eventDate": d} for c, t, d in events],
    }]}).encode()


def test_a_non_final_rejection_runs_from_the_mail_date_not_the_counting_date(
    inline_deadlines, django_capture_on_commit_callbacks
):
    matter = MatterFactory(office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))
    body = _odp_body([("CTNF", "Non-Final Rejection", "2026-03-02"),
                      ("MCTNF", "Mail Non-Final Rejection", "2026-03-05")])
    with django_capture_on_commit_callbacks(execute=True), attributed(reason="test", process="tests"):
        ingest_response(office="US", kind="us-odp-transactions", endpoint="applications/transactions",
                        request_key="GET /17123456/transactions", body=body, matters=[matter])
    deadline = Deadline.objects.get(matter=matter, rule_id="US.REPLY_NON_FINAL")
    trigger = deadline.trigger_event
    assert (trigger.office_code, trigger.date) == ("MCTNF", dt.date(2026, 3, 5))
    assert deadline.due_date == dt.date(2026, 6, 5)  # three months from the mail date


def test_an_internal_office_step_is_kept_in_the_timeline_but_triggers_nothing(
    inline_deadlines, django_capture_on_commit_callbacks
):
    matter = MatterFactory(office="US", application_number="17/123,456", filing_date=dt.date(2024, 1, 10))
    body = _odp_body([("CTNF", "Non-Final Rejection", "2026-03-02")])
    with django_capture_on_commit_callbacks(execute=True), attributed(reason="test", process="tests"):
        ingest_response(office="US", kind="us-odp-transactions", endpoint="applications/transactions",
                        request_key="GET /17123456/transactions", body=body, matters=[matter])
    assert OfficeEvent.objects.filter(matter=matter, office_code="CTNF").exists()
    assert not Deadline.objects.filter(matter=matter).exists()


def test_renewal_year_reaches_the_rules_as_year(office_samples):
    steps = epo_ops.parse_procedural_steps(
        (office_samples / "epo" / "register-procedural-steps-EP2400812.xml").read_bytes())
    from patents.normalize import canonical_params

    rfee = [canonical_params(e) for e in steps if e.code == "RFEE"]
    assert sorted(p["year"] for p in rfee) == [3, 4, 5, 6, 7, 8, 9, 10]


def test_event_types_seeded_for_the_mapping_are_flagged_internal_as_documented():
    assert EventType.objects.get(code="EP.EXAM_REPORT_ENTRY").internal
    assert not EventType.objects.get(code="EP.COMMUNICATION_94_3").internal
