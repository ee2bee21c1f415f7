"""`manage.py ingest_document [--matter REF] [--json] FILE…`: one JSON object per line per file, the matter found
from the application number in the document, duplicates and refusals reported, nothing recorded unreviewed."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from patents.models import Document, OfficeEvent
from tests.documents.builders import encrypted_pdf, pdf, us_office_action

pytestmark = pytest.mark.django_db

CONTRACT = {"file", "document", "matter", "office", "type", "application_number", "dates", "period_months",
            "proposed_event", "confidence", "status"}


def _run(*args) -> list[dict]:
    out = StringIO()
    call_command("ingest_document", *args, "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_contract_and_the_matter_found_from_the_application_number(docket, tmp_path):
    path = tmp_path / "oa.pdf"
    path.write_bytes(pdf([us_office_action()]))
    (line,) = _run(str(path))
    assert CONTRACT <= set(line)
    document = Document.objects.get()
    assert line == {**line, "file": str(path), "document": document.pk, "matter": "ACME-001", "office": "US",
                    "type": "US.NON_FINAL_REJECTION", "application_number": "17123456",
                    "dates": {"mailing": "2025-03-04"}, "period_months": 3, "status": "proposed"}
    assert line["proposed_event"] == {"code": "US.NON_FINAL_REJECTION", "date": "2025-03-04", "params": {}}
    assert 0.8 <= line["confidence"] <= 1
    # Proposed, not recorded: nothing enters the docket before a person accepts it.
    assert not OfficeEvent.objects.exists()
    assert document.reading["pages"][0]["words"] and document.ocr_used is False


def test_a_document_naming_no_matter_of_the_docket_waits_in_review_without_one(docket, tmp_path):
    path = tmp_path / "stranger.pdf"
    path.write_bytes(pdf([us_office_action(number="16/555,444")]))
    (line,) = _run(str(path))
    assert line["matter"] is None and line["status"] == "proposed"
    assert line["message"] == "no matter in the docket has application number 16555444 (US)"
    assert Document.objects.waiting_for_review().get().matter is None


def test_matter_option_files_it_on_that_matter_and_a_second_run_reports_the_duplicate(docket, tmp_path):
    path = tmp_path / "oa.pdf"
    path.write_bytes(pdf([us_office_action(number="16/555,444")]))
    (first,) = _run("--matter", "BETA-001", str(path))
    assert first["matter"] == "BETA-001"
    (again,) = _run(str(path))
    assert again["document"] == first["document"]
    assert again["message"] == f"already received as document {first['document']}"
    assert Document.objects.count() == 1


def test_refused_files_are_reported_per_line_and_the_exit_status_says_so(docket, tmp_path):
    good, locked, missing = tmp_path / "oa.pdf", tmp_path / "locked.pdf", tmp_path / "nothing.pdf"
    good.write_bytes(pdf([us_office_action()]))
    locked.write_bytes(encrypted_pdf(us_office_action()))
    out = StringIO()
    with pytest.raises(CommandError, match="2 of 3 file"):
        call_command("ingest_document", str(good), str(locked), str(missing), "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["status"] for line in lines] == ["proposed", "refused", "refused"]
    assert "encrypted" in lines[1]["message"].lower() and lines[1]["document"] is not None
    assert lines[2]["document"] is None and "no such file" in lines[2]["message"]


def test_unknown_matter_reference_is_a_clear_error(docket, tmp_path):
    with pytest.raises(CommandError, match="no matter with reference 'NOPE'"):
        call_command("ingest_document", "--matter", "NOPE", str(tmp_path / "x.pdf"))
