"""`manage.py ingest_file`: a saved office response goes through the sync path; twice changes nothing.

Real recorded responses from ../shared/office-samples (never copied into the repository).
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from patents.models import Matter, OfficeEvent, OfficePayload, QuarantineItem
from tests.sync.conftest import row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings", "no_hooks")]

D = dt.date.fromisoformat


def ingest(*args) -> dict:
    out = StringIO()
    call_command("ingest_file", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_json_report_has_exactly_the_documented_keys_and_a_second_run_changes_nothing(office_samples):
    path = office_samples / "epo" / "register-biblio-EP2400812-ns2ns3-prefixes.xml"
    first = ingest("--office", "EP", "--kind", "register", "--create", str(path))
    assert set(first) == {"matter", "events_created", "quarantined", "deadlines"}
    assert first["matter"] == "EP10167109"
    assert first["events_created"] == 2  # filing and grant, from the bibliographic data
    assert first["quarantined"] == []
    assert first["deadlines"] and all(
        set(d) == {"rule", "title", "due_date", "latest_date", "status"} for d in first["deadlines"]
    )
    matter = Matter.objects.get(reference="EP10167109")
    assert matter.filing_date == D("2010-06-24") and matter.publication_number  # as in the file
    # (the oldest record: the recompute that follows writes the derived lifecycle state after it)
    assert matter.history.last().history_change_reason.startswith("ingest_file register-biblio")
    before = row_counts()
    second = ingest("--office", "EP", "--kind", "register", "--create", str(path))
    assert second["events_created"] == 0 and second["deadlines"] == first["deadlines"]
    assert row_counts() == before


def test_register_files_in_sequence_answer_the_deadlines_they_should(office_samples):
    epo = office_samples / "epo"
    biblio = epo / "register-biblio-EP2400812-ns2ns3-prefixes.xml"
    ingest("--office", "EP", "--kind", "register", "--create", str(biblio))
    # The events and procedural-steps constituents carry no biblio: matched by the publication number.
    events = ingest("--office", "EP", "--kind", "register", "--create", str(epo / "register-events-EP2400812.xml"))
    steps = ingest("--office", "EP", "--kind", "register", "--create",
                   str(epo / "register-procedural-steps-EP2400812.xml"))
    assert events["matter"] == steps["matter"] == "EP10167109"
    assert events["events_created"] > 20 and steps["events_created"] > 10
    open_rules = {d["rule"] for d in steps["deadlines"] if d["status"] == "open"}
    # RFEE steps carry the renewal year: years 3-10 are paid, so no renewal fee is open any more; the
    # request for examination (dossier event 0009171) answers Rule 70(1).
    assert "EP.RENEWAL_FEE" not in open_rules
    assert "EP.EXAMINATION_REQUEST" not in open_rules
    exre = OfficeEvent.objects.filter(matter__reference="EP10167109", office_code="EXRE").order_by("date")
    # The event date is the date the document bears (DATE_OF_DISPATCH); the engine applies the 10-day rule.
    assert [e.date for e in exre] == [D("2017-02-01"), D("2018-03-15"), D("2019-01-03")]
    assert {e.event_type.code for e in exre} == {"EP.COMMUNICATION_94_3"}


def test_inpadoc_codes_keep_their_padding_and_map_through_the_stripped_code(office_samples):
    ingest("--office", "EP", "--kind", "register", "--create",
           str(office_samples / "epo" / "register-biblio-EP2400812-ns2ns3-prefixes.xml"))
    report = ingest("--office", "EP", "--kind", "legal", "--matter", "EP10167109",
                    str(office_samples / "epo" / "legal-inpadoc-EP2400812A1-trimmed.xml"))
    assert report["quarantined"] == [] and report["events_created"] == 40
    codes = set(OfficeEvent.objects.filter(matter__reference="EP10167109", natural_key__contains="inpadoc")
                .values_list("office_code", flat=True))
    assert {"AK  ", "17P ", "PGFP"} <= codes
    assert OfficeEvent.objects.filter(office_code="AK  ").first().event_type.internal


def test_odp_application_creates_the_matter_and_runs_deadlines_from_the_grant(office_samples):
    report = ingest("--office", "US", "--kind", "application", "--create",
                    str(office_samples / "uspto" / "odp-application-17248024.json"))
    assert report["matter"] == "US-17248024"
    matter = Matter.objects.get(reference="US-17248024")
    assert matter.grant_number and matter.grant_date
    mn = OfficeEvent.objects.get(matter=matter, office_code="MN/=.")
    assert mn.event_type.code == "US.NOTICE_OF_ALLOWANCE" and not mn.event_type.internal
    assert OfficeEvent.objects.get(matter=matter, office_code="N/=.").event_type.internal
    maintenance = [d for d in report["deadlines"] if d["rule"] == "US.MAINTENANCE_FEE"]
    assert len(maintenance) == 3
    # The transactions endpoint reports the same events: nothing new.
    again = ingest("--office", "US", "--kind", "transactions", "--matter", "US-17248024",
                   str(office_samples / "uspto" / "odp-transactions-17248024.json"))
    assert again["events_created"] == 0


def test_jpo_progress_creates_the_matter_with_one_filing_event(office_samples):
    report = ingest("--office", "JP", "--kind", "progress", "--create",
                    str(office_samples / "jpo" / "patent-app_progress-2020123456.json"))
    assert report["matter"] == "JP-2020123456"
    filed = OfficeEvent.objects.filter(matter__reference="JP-2020123456", event_type__code="JP.FILED")
    assert filed.count() == 1  # five A63 filing documents, one filing
    assert {d["rule"] for d in report["deadlines"]} >= {"JP.ANNUITY"}


def test_an_unreadable_file_is_quarantined_with_its_reason_and_nothing_else_is_written(tmp_path):
    bad = tmp_path / "truncated.xml"
    bad.write_bytes(b'<?xml version="1.0"?><ops:world-patent-data xmlns:ops="http://ops.epo.org"><reg:regi')
    before = row_counts()
    report = ingest("--office", "EP", "--kind", "register", "--create", str(bad))
    assert report["events_created"] == 0
    assert [q["category"] for q in report["quarantined"]] == ["malformed"]
    item = QuarantineItem.objects.get()
    assert item.payload.raw == bad.read_bytes() and "malformed" in item.reason
    after = row_counts()
    assert after["OfficePayload"] == before["OfficePayload"] + 1 and after["QuarantineItem"] == 1
    assert after["OfficeEvent"] == before["OfficeEvent"] and after["Matter"] == before["Matter"]


def test_unknown_kind_is_refused_with_the_choices(office_samples):
    with pytest.raises(CommandError, match="register, legal, biblio"):
        call_command("ingest_file", "--office", "EP", "--kind", "transactions", "--create",
                     str(office_samples / "epo" / "register-events-EP2400812.xml"))
    assert not OfficePayload.objects.exists()
