"""import_matters: the whole file is validated first; any bad row means nothing is written."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from patents.models import Client, Matter, PriorityClaim
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ("client,client_name,reference,office,kind,application_number,filing_date,priority_claims,"
          "responsible_attorney,responsible_paralegal,designated_offices,receiving_office,parent,parent_relation\n")


def write(tmp_path, rows, name="portfolio.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def people():
    return UserFactory(username="alice"), UserFactory(username="pat")


GOOD = [
    "ACME,Acme GmbH,A-1-WO,WO,pct,PCT/EP2024/061234,2024-03-01,US 63/210417 2023-03-02,alice,pat,EP US JP,EP,,",
    "ACME,Acme GmbH,A-1-US,US,patent,18/555,123,2025-09-01,US 63/210417 2023-03-02,alice,pat,,,A-1-WO,national_phase",
    "ACME,Acme GmbH,A-2-EP,EP,patent,EP21187456,2021-07-20,,alice,,,,,",
]


def test_a_good_file_creates_matters_clients_claims_and_links(tmp_path, people):
    # The US number contains a comma, so quote it as a CSV user would.
    rows = [GOOD[0], GOOD[1].replace("18/555,123", '"18/555,123"'), GOOD[2]]
    out = StringIO()
    call_command("import_matters", str(write(tmp_path, rows)), stdout=out)
    assert "created 3" in out.getvalue()
    us = Matter.objects.get(reference="A-1-US")
    assert us.parent.reference == "A-1-WO"
    assert us.application_number_normalized == "18555123"
    assert us.responsible_attorney.username == "alice"
    assert Matter.objects.get(reference="A-1-WO").designated_offices == ["EP", "US", "JP"]
    assert PriorityClaim.objects.filter(matter=us, country="US", date=dt.date(2023, 3, 2)).exists()
    assert Client.objects.get(reference="ACME").name == "Acme GmbH"
    record = us.history.get()
    assert record.history_change_reason == "import portfolio.csv"
    assert record.history_actor == "process:import_matters"


def test_reimporting_the_same_file_changes_nothing(tmp_path, people):
    rows = [GOOD[0], GOOD[2]]
    path = write(tmp_path, rows)
    call_command("import_matters", str(path), stdout=StringIO())
    history_before = Matter.history.count() + PriorityClaim.history.count()
    out = StringIO()
    call_command("import_matters", str(path), stdout=out)
    assert "created 0" in out.getvalue() and "unchanged 2" in out.getvalue()
    assert Matter.history.count() + PriorityClaim.history.count() == history_before


def test_one_bad_row_rejects_the_whole_file_and_lists_every_problem(tmp_path, people):
    rows = [
        GOOD[2],
        "ACME,Acme GmbH,B-1,US,patent,16/12,2021-01-01,,alice,,,,,",          # bad US number
        "ACME,Acme GmbH,B-2,EP,patent,EP21000002,2099-01-01,,nobody,,,,,",    # future date, unknown user
        "ACME,Acme GmbH,B-3,US,patent,,2021-13-01,,,,,,A-2-EP,national_phase",  # bad date, parent not WO
        "ACME,Acme GmbH,B-4,EP,gadget,,,,,,,,,",                              # unknown kind
    ]
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_matters", str(write(tmp_path, rows)), stdout=StringIO(), stderr=err)
    report = err.getvalue()
    assert "row 3, column application_number: '16/12' is not a US application number" in report
    assert "row 4, column filing_date" in report and "in the future" in report
    assert "row 4, column responsible_attorney: no user named 'nobody'" in report
    assert "row 5, column filing_date: '2021-13-01' is not a date" in report
    assert "row 5, column parent" in report and "WO (PCT) matter" in report
    assert "row 6, column kind" in report
    assert not Matter.objects.exists()
    assert not Client.objects.exists()


def test_dry_run_validates_and_writes_nothing(tmp_path, people):
    out = StringIO()
    call_command("import_matters", str(write(tmp_path, [GOOD[0]])), "--dry-run", stdout=out)
    assert "would create 1" in out.getvalue()
    assert not Matter.objects.exists()


def test_missing_required_columns_are_reported(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("reference,office\nX,EP\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_matters", str(path), stderr=err)
    assert "row 1, column client,kind: missing required column(s)" in err.getvalue()


def test_duplicate_references_and_numbers_in_one_file_are_reported(tmp_path, people):
    ClientFactory(reference="ACME")
    rows = [GOOD[2], GOOD[2].replace("A-2-EP", "A-3-EP"), GOOD[2]]
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_matters", str(write(tmp_path, rows)), stderr=err)
    assert "row 4, column reference: 'A-2-EP' appears twice (first on row 2)" in err.getvalue()
    assert "row 3, column application_number: 'EP21187456' is also on row 2" in err.getvalue()


def test_a_non_utf8_file_is_rejected_cleanly(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "ACME,Acmé,R,EP,patent,,,,,,,,,\n".encode("latin-1"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_matters", str(path), stderr=err)
    assert "not UTF-8" in err.getvalue()
