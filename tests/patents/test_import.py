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


# --- one pass, no tracebacks, no formulas, no unknown offices ------------------------------------------------

HEADER_T = HEADER.rstrip("\n") + ",title\n"


def import_text(rows):
    from pathlib import Path

    from patents.importing import import_matters

    return import_matters(path=Path("portfolio.csv"), text=HEADER_T + "".join(r + "\n" for r in rows))


def test_every_problem_of_the_file_is_reported_in_one_pass(people):
    rows = [
        "ACME,Acme GmbH,,EP,patent,,2021-02-30,,nobody,,,,,,",                  # no reference, bad date, user
        "ACME,Acme GmbH,K-1,XX,gadget,,2021-13-01,,,,,,,,",                     # office XX, kind, date
        '@evil,,"=HYPERLINK(""http://x"")",EP,patent,-12345678,,,,,,,,,',      # formulas in identifiers
        "ACME,Acme GmbH,C-1,EP,patent,,,,,,,,C-2,divisional,",                  # C-1 → C-2 → C-1
        "ACME,Acme GmbH,C-2,EP,patent,,,,,,,,C-1,divisional,",
        "ACME,Acme GmbH,S-1,EP,patent,,,,,,,,S-1,divisional,",                  # its own parent
        "ACME,Acme GmbH,N-1,EP,patent,,,,,,,,,,Ti\x00tle",                      # NUL byte
        "ACME,Acme GmbH,W-1,WO,pct,PCT/EP2024/061234,2024-03-01,XX 123 2023-03-02,,,EP XX,XX,,,",
        "ACME,Acme GmbH,OK-1,EP,patent,EP21187456,2021-07-20,,alice,,,,,,+ fine in a title",
    ]
    result = import_text(rows)
    formula = "a spreadsheet formula, not an identifier"
    xx = "'XX' is not an office: ST.3 XX stands for an unknown state or organisation"
    assert [str(e) for e in result.errors] == [
        "row 2, column reference: is required",
        "row 2, column responsible_attorney: no user named 'nobody'",
        "row 2, column filing_date: '2021-02-30' is not a date in the form YYYY-MM-DD",
        f"row 3, column office: {xx}",
        "row 3, column kind: 'gadget' is not one of patent, utility_model, design, provisional, pct, regional",
        "row 3, column filing_date: '2021-13-01' is not a date in the form YYYY-MM-DD",
        f"row 4, column client: '@evil' starts with '@': {formula}",
        f"row 4, column reference: '=HYPERLINK(\"http://x\")' starts with '=': {formula}",
        f"row 4, column application_number: '-12345678' starts with '-': {formula}",
        "row 5, column parent: parent cycle C-1 → C-2 → C-1: a matter cannot descend from itself",
        "row 6, column parent: parent cycle C-2 → C-1 → C-2: a matter cannot descend from itself",
        "row 7, column parent: a matter cannot be its own parent",
        "row 8, column title: contains a NUL byte (\\x00); save the file as plain text",
        f"row 9, column receiving_office: {xx}",
        f"row 9, column designated_offices: {xx}",
        f"row 9, column priority_claims: {xx}",
    ]
    assert not Matter.objects.exists() and not Client.objects.exists()


def test_fixing_what_the_report_lists_imports_the_file_without_new_problems(people):
    # The rows of the test above as a paralegal corrects them from that one report.
    rows = [
        "ACME,Acme GmbH,R-1,EP,patent,,2021-02-28,,alice,,,,,,",
        "ACME,Acme GmbH,K-1,DE,patent,,2021-12-01,,,,,,,,",
        "EVIL,Evil Ltd,HYPER-1,EP,patent,12345678,,,,,,,,,",
        "ACME,Acme GmbH,C-1,EP,patent,,,,,,,,,,",
        "ACME,Acme GmbH,C-2,EP,patent,,,,,,,,C-1,divisional,",
        "ACME,Acme GmbH,S-1,EP,patent,,,,,,,,,,",
        "ACME,Acme GmbH,N-1,EP,patent,,,,,,,,,,Title",
        "ACME,Acme GmbH,W-1,WO,pct,PCT/EP2024/061234,2024-03-01,US 123 2023-03-02,,,EP JP,EP,,,",
    ]
    result = import_text(rows)
    assert [str(e) for e in result.errors] == []
    assert result.created == 8


def test_a_cycle_through_the_docket_is_a_row_error_not_a_traceback(people, tmp_path):
    # The docket has P-1 → P-0; the file makes P-0 a child of P-1.
    call_command("import_matters", str(write(tmp_path, [
        "ACME,Acme GmbH,P-0,EP,patent,,,,,,,,,",
        "ACME,Acme GmbH,P-1,EP,patent,,,,,,,,P-0,divisional",
    ])), stdout=StringIO())
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_matters", str(write(tmp_path, ["ACME,Acme GmbH,P-0,EP,patent,,,,,,,,P-1,divisional"],
                                                 name="again.csv")), stdout=StringIO(), stderr=err)
    assert "row 2, column parent: parent cycle P-0 → P-1 → P-0: a matter cannot descend from itself" \
        in err.getvalue()
    assert Matter.objects.get(reference="P-0").parent is None


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
@pytest.mark.parametrize("column", ["client", "reference", "application_number", "parent", "responsible_attorney"])
def test_an_identifier_starting_like_a_formula_is_refused(people, start, column):
    values = dict(zip(HEADER_T.strip().split(","), GOOD[2].split(",") + [""], strict=True))
    values[column] = f"{start}{values[column] or 'x'}"
    result = import_text([",".join(values.values())])
    assert f"row 2, column {column}: '{values[column]}' starts with '{start}'" in "\n".join(map(str, result.errors))


def test_a_nul_byte_through_the_command_is_a_row_error(tmp_path, people):
    path = tmp_path / "nul.csv"
    path.write_bytes((HEADER + "ACME,Acme GmbH,A-9,EP,patent,EP2118\x007456,,,,,,,,\n").encode())
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_matters", str(path), stdout=StringIO(), stderr=err)
    assert "row 2, column application_number: contains a NUL byte" in err.getvalue()
