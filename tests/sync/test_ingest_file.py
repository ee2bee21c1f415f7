"""`manage.py ingest_file`: a saved office response goes through the sync path; twice changes nothing.

Real recorded responses from tests/fixtures/offices (copied verbatim, see SOURCES.md there).
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
    assert set(first) == {"matter", "events_created", "quarantined", "not_in_docket", "deadlines"}
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


# --- real answers recorded from the offices ---------------------------------------------------------------


def test_a_jp_application_never_lands_on_another_application_published_under_the_same_digits(office_samples):
    # The JPO's own lookup: publication 2020123456 belongs to application 2019013554 (registration 7193363).
    from docketapp.audit import attributed
    from tests.factories import MatterFactory

    with attributed(reason="test set-up", process="tests"):
        other = MatterFactory(reference="JP-OTHER", office="JP", application_number="2019-013554",
                              publication_number="2020123456", grant_number="7193363")
    report = ingest("--office", "JP", "--kind", "progress", "--create",
                    str(office_samples / "jpo" / "patent-app_progress-2020123456.json"))
    assert report["matter"] == "JP-2020123456"  # its own matter, made from its own application number
    assert not other.events.exists()
    assert Matter.objects.get(reference="JP-2020123456").application_number_normalized == "2020123456"


def test_two_matters_named_by_one_answer_are_quarantined_not_guessed(office_samples):
    from docketapp.audit import attributed
    from tests.factories import MatterFactory

    with attributed(reason="test set-up", process="tests"):
        MatterFactory(reference="A", office="EP", application_number="EP10167109")
        MatterFactory(reference="B", office="EP", application_number="EP99999999", publication_number="EP2400812")
    report = ingest("--office", "EP", "--kind", "biblio",
                    str(office_samples / "epo" / "published-data-biblio-EP2400812A1.xml"))
    assert report["matter"] is None and report["events_created"] == 0
    assert [q["category"] for q in report["quarantined"]] == ["conflict"]
    assert "A" in report["quarantined"][0]["reason"] and "B" in report["quarantined"][0]["reason"]


def test_a_body_stored_but_never_processed_is_processed_on_the_next_run_not_reported_unchanged(office_samples):
    # What a crash half-way (the old WO ValidationError) left behind: the body stored, nothing parsed.
    from docketapp.audit import attributed
    from patents.ingestion import store_payload

    path = office_samples / "epo" / "published-data-biblio-WO2009085664A2.xml"
    with attributed(reason="test set-up", process="tests"):
        store_payload(office="WO", kind="ep-published-biblio", endpoint="file/biblio",
                      request_key=f"FILE WO biblio {path.name} -> create", body=path.read_bytes(),
                      origin="file", file_name=path.name)
    report = ingest("--office", "WO", "--kind", "biblio", "--create", str(path))
    assert report["matter"] == "WO-PCT-US2008-086599"
    assert OfficePayload.objects.get().outcome == "parsed"  # the same row, finished: no second copy


def test_the_same_file_for_another_matter_is_another_request(office_samples):
    from docketapp.audit import attributed
    from tests.factories import MatterFactory

    path = office_samples / "epo" / "register-biblio-EP2400812-ns2ns3-prefixes.xml"
    with attributed(reason="test set-up", process="tests"):
        MatterFactory(reference="EP-WRONG", office="EP", application_number="EP11111111")
        MatterFactory(reference="EP-RIGHT", office="EP", application_number="EP10167109")
    wrong = ingest("--office", "EP", "--kind", "register", "--matter", "EP-WRONG", str(path))
    assert [q["category"] for q in wrong["quarantined"]] == ["mismatch"] and wrong["events_created"] == 0
    right = ingest("--office", "EP", "--kind", "register", "--matter", "EP-RIGHT", str(path))
    assert right["events_created"] == 2  # filing and grant: not "unchanged since the last ingest"


def test_office_no_data_is_shown_to_the_operator_in_the_office_words(office_samples, admin_client):
    report = ingest("--office", "JP", "--kind", "progress", "--create",
                    str(office_samples / "jpo" / "patent-app_progress-9999999999-status107-no-data.json"))
    assert [q["category"] for q in report["quarantined"]] == ["no_data"]
    assert not Matter.objects.exists()
    for url in ("/sync/", "/sync/quarantine/"):
        page = admin_client.get(url).content.decode()
        assert "Office has no data" in page and "該当するデータがありません" in page, url


def test_foreign_priority_given_by_office_name_keeps_its_country_and_an_unknown_name_is_held(office_samples,
                                                                                             tmp_path):
    # The real ODP application, with the two foreign priorities the way ODP writes them: by office name
    # ("CHINA", as in the issue report) and by a name no table knows.
    body = json.loads((office_samples / "uspto" / "odp-application-17248024.json").read_text())
    body["patentFileWrapperDataBag"][0]["foreignPriorityBag"] = [
        {"ipOfficeName": "CHINA", "filingDate": "2020-01-06", "applicationNumberText": "202010008557.0"},
        {"ipOfficeName": "ATLANTIS", "filingDate": "2020-01-07", "applicationNumberText": "A-1"},
    ]
    path = tmp_path / "odp-application-17248024-with-priorities.json"
    path.write_text(json.dumps(body))
    report = ingest("--office", "US", "--kind", "application", "--create", str(path))
    matter = Matter.objects.get(reference="US-17248024")
    assert [(c.country, c.date) for c in matter.priority_claims.all()] == [("CN", D("2020-01-06"))]
    held = [q for q in report["quarantined"] if "ATLANTIS" in q["reason"]]
    assert len(held) == 1 and "A-1" in held[0]["reason"] and "not entered" in held[0]["reason"]


def test_an_ops_no_results_fault_is_office_no_data_not_a_schema_error(tmp_path):
    # No recording of this body exists (see tests/fixtures/offices/SOURCES.md); this is the fault as other
    # projects' tests quote it: <fault xmlns="http://ops.epo.org"> with code SERVER.EntityNotFound.
    path = tmp_path / "register-EP99999999.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?><fault xmlns="http://ops.epo.org">'
                     b"<code>SERVER.EntityNotFound</code><message>No results found</message></fault>")
    report = ingest("--office", "EP", "--kind", "register", "--create", str(path))
    assert [q["category"] for q in report["quarantined"]] == ["no_data"]
    assert "SERVER.EntityNotFound No results found" in report["quarantined"][0]["reason"]
    assert not Matter.objects.exists()


def test_an_empty_404_from_the_sync_is_office_no_data(office_samples):
    from docketapp.audit import attributed
    from patents.ingestion import ingest_response
    from tests.factories import MatterFactory

    with attributed(reason="test set-up", process="tests"):
        matter = MatterFactory(reference="EP-NONE", office="EP", application_number="EP99999999")
        result = ingest_response(office="EP", kind="ep-register", endpoint="register/search",
                                 request_key="GET register/search?q=ap%3DEP99999999", body=b"", status=404,
                                 matters=[matter])
    assert result.no_data == [matter.pk] and not result.malformed
    (item,) = result.quarantined
    assert item.category == "no_data" and item.matter == matter and "empty body" in item.reason


def _divisional_of(office_samples, tmp_path, parent_long_form: str):
    # No recorded register body of a divisional exists in the fixtures (see SOURCES.md): the real
    # EP2400812 register body with the related-documents block in the shape OPS returns it (the
    # application itself is the empty placeholder; the parent in the long form, 19990203729 = EP99203729).
    body = (office_samples / "epo" / "register-biblio-EP2400812-ns2ns3-prefixes.xml").read_text()
    block = (
        "<ns3:related-documents><ns3:division><ns3:relation>"
        "<ns3:child-doc><ns3:document-id><ns3:country></ns3:country><ns3:doc-number></ns3:doc-number>"
        "</ns3:document-id></ns3:child-doc>"
        '<ns3:parent-doc><ns3:document-id document-id-type="application number"><ns3:country>EP</ns3:country>'
        f"<ns3:doc-number>{parent_long_form}</ns3:doc-number><ns3:kind>D</ns3:kind></ns3:document-id>"
        "</ns3:parent-doc></ns3:relation></ns3:division></ns3:related-documents>"
    )
    path = tmp_path / "register-biblio-EP2400812-as-divisional.xml"
    path.write_text(body.replace("</ns3:bibliographic-data>", block + "</ns3:bibliographic-data>"))
    return path


def test_an_ep_divisional_keeps_its_parent_from_the_register(office_samples, tmp_path):
    ingest("--office", "EP", "--kind", "register", "--create",
           str(office_samples / "epo" / "register-biblio-EP99203729-2016-ops-reg-prefixes.xml"))
    report = ingest("--office", "EP", "--kind", "register", "--create",
                    str(_divisional_of(office_samples, tmp_path, "19990203729")))
    assert report["matter"] == "EP10167109" and report["quarantined"] == []
    child = Matter.objects.get(reference="EP10167109")
    assert (child.parent.reference, child.parent_relation) == ("EP99203729", "divisional")


def test_a_divisional_whose_parent_is_not_in_the_docket_keeps_the_relation_with_the_parent_number(
        office_samples, tmp_path):
    report = ingest("--office", "EP", "--kind", "register", "--create",
                    str(_divisional_of(office_samples, tmp_path, "20110776418")))
    child = Matter.objects.get(reference="EP10167109")
    assert child.parent is None
    # Kept on the matter as the office names it, not lost and not a false alarm in quarantine.
    assert (child.parent_relation, child.parent_number) == ("divisional", "EP11776418")
    assert not [q for q in report["quarantined"] if q["category"] == "mismatch"]


def test_a_divisional_linked_to_another_parent_in_the_docket_is_held_not_overwritten(office_samples, tmp_path):
    ingest("--office", "EP", "--kind", "register", "--create",
           str(office_samples / "epo" / "register-biblio-EP99203729-2016-ops-reg-prefixes.xml"))
    ingest("--office", "EP", "--kind", "register", "--create",
           str(office_samples / "epo" / "register-biblio-EP2400812-ns2ns3-prefixes.xml"))
    other = Matter.objects.get(reference="EP10167109")
    report = ingest("--office", "EP", "--kind", "register", "--create",
                    str(_divisional_of(office_samples, tmp_path, "20110776418")))
    child = Matter.objects.get(reference="EP10167109")
    assert child == other and child.parent is None and child.parent_relation == "divisional"
    # Now the docket says another parent: the register's word is held for a person.
    parent = Matter.objects.get(reference="EP99203729")
    from docketapp.audit import attributed

    with attributed(reason="test: a paralegal links another parent", process="tests"):
        child.parent, child.parent_number = parent, ""
        child.save(update_fields=["parent", "parent_number"])
    report = ingest("--office", "EP", "--kind", "register", "--matter", "EP10167109",
                    str(_divisional_of(office_samples, tmp_path, "20110776418")))
    (held,) = [q for q in report["quarantined"] if q["category"] == "mismatch"]
    assert "divisional of EP11776418" in held["reason"] and "EP99203729" in held["reason"]
    child.refresh_from_db()
    assert child.parent == parent


def test_inpadoc_legal_of_an_old_ep_patent_lands_on_the_matter_with_that_publication(office_samples):
    ingest("--office", "EP", "--kind", "register", "--create",
           str(office_samples / "epo" / "register-biblio-EP99203729-2016-ops-reg-prefixes.xml"))
    # No --matter: the legal body names publication EP1000000, matched against publication numbers only.
    report = ingest("--office", "EP", "--kind", "legal", str(office_samples / "epo" / "legal-inpadoc-EP1000000A1.xml"))
    assert report["matter"] == "EP99203729"
    assert OfficeEvent.objects.filter(matter__reference="EP99203729", natural_key__contains="inpadoc").exists()
    assert {q["category"] for q in report["quarantined"]} <= {"unmapped_code"}  # national codes: held, not lost
