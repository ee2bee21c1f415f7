"""The facts sync now brings reach the docket through the parsers: USPTO maintenance fee payments, expiry and
reinstatement (a real transaction history); JPO registration_info (annuity years paid, right extinguished);
INPADOC legal events of PCT applications (national phase entries) fetched from the simulator."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from deadlines.models import Deadline
from deadlines.services import recompute_deadlines
from docketapp.audit import attributed
from patents import sync
from patents.ingestion import ingest_response
from patents.models import Matter, OfficeEvent, OfficePayload
from tests.factories import MatterFactory
from tests.sync.test_sync_simulator import docket_from

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings")]
D = dt.date.fromisoformat


def _ingest(matter, *, office, kind, body, key):
    with attributed(reason="test: office answer", process="tests"):
        return ingest_response(office=office, kind=kind, endpoint=kind, request_key=key, body=body, matters=[matter])


def _why(deadline) -> str:
    """The reason of the deadline's latest history row: what the recompute said closed it."""
    return deadline.history.first().history_change_reason


def _deadline(matter, rule, instance=""):
    qs = Deadline.objects.filter(matter=matter, rule_id=rule)
    return qs.get(key__endswith=f":{instance}") if instance else qs.get()


# --- USPTO: US 12/721,698 (patent 8,457,796), its real transaction history ---------------------------------------


def _us_history(office_samples) -> bytes:
    """The recorded PEDS history of 12/721,698, its transactions (code, text, date verbatim) in the ODP shape."""
    peds = json.loads((office_samples / "uspto" / "peds-application-12721698-facets-removed.json").read_bytes())
    doc = peds["queryResults"]["searchResponse"]["response"]["docs"][0]
    return json.dumps({"count": 1, "patentFileWrapperDataBag": [{
        "applicationNumberText": "12721698",
        "applicationMetaData": {"filingDate": "2010-03-11", "grantDate": "2013-06-04", "patentNumber": "8457796",
                                "applicationTypeCode": "UTL"},
        "eventDataBag": [{"eventCode": t["code"], "eventDescriptionText": t["description"],
                          "eventDate": t["recordDate"][:10]} for t in doc["transactions"]],
    }]}).encode()


def test_us_maintenance_fees_paid_close_their_deadline_and_expiry_then_reinstatement_moves_the_lifecycle(
    office_samples,
):
    """35 U.S.C. 41(b), 37 CFR 1.362(g) expiry, 37 CFR 1.378 acceptance of the delayed payment."""
    matter = MatterFactory(office="US", application_number="12/721,698", filing_date=D("2010-03-11"))
    result = _ingest(matter, office="US", kind="us-odp-transactions", body=_us_history(office_samples),
                     key="GET /12721698")
    assert not result.malformed
    paid = OfficeEvent.objects.filter(matter=matter, event_type__code="US.MAINTENANCE_FEE_PAID")
    assert sorted((e.office_code, e.params["year"]) for e in paid) == [("M2551", "3.5"), ("M2552", "7.5")]

    # Between "Expire Patent" (2017-07-04) and the granted petition (2018-09-20): lapsed, fees moot.
    recompute_deadlines(matter=matter, reason="test", today=D("2018-01-01"))
    matter.refresh_from_db()
    assert (matter.lifecycle_state, matter.lifecycle_event.office_code) == ("lapsed", "EXP.")
    assert _deadline(matter, "US.MAINTENANCE_FEE", "11.5").status == Deadline.Status.MOOT
    assert "US.EXPIRED_MAINTENANCE_FEE" in _deadline(matter, "US.MAINTENANCE_FEE", "11.5").closed_reason

    # Reinstated: granted again; the 4th- and 8th-year fees are closed by their payments, the 12th is open.
    recompute_deadlines(matter=matter, reason="test", today=D("2021-01-01"))
    matter.refresh_from_db()
    assert (matter.lifecycle_state, matter.lifecycle_event.office_code) == ("granted", "PMFG")
    for year, code in (("3.5", "M2551"), ("7.5", "M2552")):
        fee = _deadline(matter, "US.MAINTENANCE_FEE", year)
        assert fee.status == Deadline.Status.SUPERSEDED, year
        assert "answered by US.MAINTENANCE_FEE_PAID of " + paid.get(office_code=code).date.isoformat() in _why(fee)
    assert _deadline(matter, "US.MAINTENANCE_FEE", "11.5").status == Deadline.Status.OPEN


def test_us_notice_of_abandonment_opens_the_revival_deadline_through_the_parser():
    """37 CFR 1.137(a), 1.181(f): the mailed abandonment (MABN2) opens the petition deadline, 2 months."""
    matter = MatterFactory(office="US", application_number="17/123,456", filing_date=D("2024-01-10"))
    body = json.dumps({"count": 1, "patentFileWrapperDataBag": [{"applicationNumberText": "17123456",
        "eventDataBag": [{"eventCode": "MABN2", "eventDescriptionText": "Mail Abandonment for Failure to Respond",
                          "eventDate": "2026-03-05"}]}]}).encode()
    _ingest(matter, office="US", kind="us-odp-transactions", body=body, key="GET /17123456/transactions")
    recompute_deadlines(matter=matter, reason="test", today=D("2026-03-20"))
    matter.refresh_from_db()
    revive = _deadline(matter, "US.PETITION_TO_REVIVE")
    assert (matter.lifecycle_state, revive.status, revive.due_date) == ("abandoned", "open", D("2026-05-05"))


# --- JPO registration_info -------------------------------------------------------------------------------------


def _registration(office_samples, **changes) -> bytes:
    """The recorded registration_info body of 2020123456 with the given data fields changed."""
    body = json.loads((office_samples / "jpo" / "patent-registration_info-2020123456.json").read_bytes())
    body["result"]["data"].update(changes)
    return json.dumps(body, ensure_ascii=False).encode()


def _jp_registered(registered: str) -> Matter:
    matter = MatterFactory(office="JP", application_number="2020-123456", filing_date=D("2020-07-20"),
                           grant_date=D(registered), grant_number="7533889")
    progress = {"result": {"statusCode": "100", "errorMessage": "", "remainAccessCount": "399", "data": {
        "applicationNumber": "2020123456", "filingDate": "20200720", "registrationNumber": "7533889",
        "registrationDate": registered.replace("-", ""), "inventionTitle": "立体配線構造体の製造方法",
        "bibliographyInformation": []}}}
    _ingest(matter, office="JP", kind="jp-app-progress", body=json.dumps(progress).encode(), key="progress")
    return matter


def test_the_recorded_registration_info_pays_nothing_beyond_the_registration_years(office_samples):
    """Patent Act (Japan) Art. 108(1): years 1-3 with registration; lastPaymentYearly 03 closes no annuity."""
    matter = _jp_registered("2024-08-05")
    _ingest(matter, office="JP", kind="jp-registration", body=_registration(office_samples), key="registration")
    assert not OfficeEvent.objects.filter(matter=matter, event_type__code="JP.ANNUITY_PAID").exists()
    recompute_deadlines(matter=matter, reason="test", today=D("2026-12-03"))
    assert _deadline(matter, "JP.ANNUITY", "4").status == Deadline.Status.OPEN
    assert _deadline(matter, "JP.ANNUITY", "4").due_date == D("2027-08-05")


def test_paid_annuity_years_close_their_deadline_and_a_lapse_moots_the_rest_and_opens_restoration(
    office_samples,
):
    """Art. 107/108(2) annuities; Art. 112(4) extinguished for non-payment; Art. 112-2(1) restoration."""
    matter = _jp_registered("2020-02-13")
    paid = _registration(office_samples, registrationDate="20200213", lastPaymentYearly="06",
                         nextPensionPaymentDate="20260213", updateDate="20250301")
    _ingest(matter, office="JP", kind="jp-registration", body=paid, key="registration")
    recompute_deadlines(matter=matter, reason="test", today=D("2025-12-01"))
    for year in ("4", "5", "6"):
        fee = _deadline(matter, "JP.ANNUITY", year)
        assert fee.status == Deadline.Status.SUPERSEDED, year
        assert "answered by JP.ANNUITY_PAID of 2020-02-13" in _why(fee)
    assert OfficeEvent.objects.filter(matter=matter, event_type__code="JP.ANNUITY_PAID").count() == 3
    assert _deadline(matter, "JP.ANNUITY", "7").status == Deadline.Status.OPEN

    lapsed = _registration(office_samples, registrationDate="20200213", lastPaymentYearly="06",
                           nextPensionPaymentDate="20260213", updateDate="20260901", erasureIdentifier="01",
                           disappearanceDate="20260213")
    _ingest(matter, office="JP", kind="jp-registration", body=lapsed, key="registration")
    recompute_deadlines(matter=matter, reason="test", today=D("2026-12-03"))
    matter.refresh_from_db()
    assert (matter.lifecycle_state, matter.lifecycle_event.event_type.code) == ("lapsed", "JP.RIGHT_LAPSED")
    # The registry's newer answer states the same paid years: the same events, not three more.
    assert OfficeEvent.objects.filter(matter=matter, event_type__code="JP.ANNUITY_PAID").count() == 3
    assert _deadline(matter, "JP.ANNUITY", "8").status == Deadline.Status.MOOT
    assert _deadline(matter, "JP.ANNUITY", "5").status == Deadline.Status.SUPERSEDED  # paid stays paid
    restoration = _deadline(matter, "JP.RESTORATION")
    assert (restoration.status, restoration.due_date) == (Deadline.Status.OPEN, D("2027-08-13"))


# --- WO: INPADOC legal events through the sync ----------------------------------------------------------------


@pytest.mark.simulator
def test_pct_sync_fetches_inpadoc_legal_and_a_recorded_national_phase_entry_closes_that_deadline(
    simulator_factory, sim_client, inline_deadlines, django_capture_on_commit_callbacks
):
    """PCT Art. 22 / 39: the INPADOC "ENP" entry with its country answers that office's national phase."""
    sim = simulator_factory(seed=3, matters=80)
    matters = [m for m in docket_from(sim.portfolio, offices=("WO",)) if m.office == "WO"]
    with django_capture_on_commit_callbacks(execute=True):
        run = sync.run_inline(office="WO", client=sim_client(sim, "WO"), max_wait=5.0)
    assert (run.errors, run.matters_synced) == (0, len(matters))
    # One published-data request for the batch + one legal request per matter + the token.
    assert run.requests == 1 + len(matters) + 1
    assert OfficePayload.objects.filter(kind="ep-legal").count() == len(matters)
    entered = OfficeEvent.objects.filter(matter__in=matters, event_type__code="WO.NATIONAL_PHASE_ENTERED",
                                         params__office="US")
    assert entered.exists()
    for event in entered:
        us_phase = Deadline.objects.get(matter=event.matter, rule_id="WO.NATIONAL_PHASE_US")
        assert us_phase.status == Deadline.Status.SUPERSEDED
        assert f"answered by WO.NATIONAL_PHASE_ENTERED of {event.date.isoformat()}" in _why(us_phase)
