"""CSV import of matters: validate the whole file, report every bad row, then write all or nothing.

Columns (header row required; names are case-insensitive; only the first four are mandatory):

    client               client code (Client.reference); created when unknown (then client_name is used)
    reference            our matter reference (unique); re-importing updates the matter in place
    office               WIPO ST.3 code: EP, US, JP, WO, …
    kind                 patent | utility_model | design | provisional | pct | regional
    client_name          name for a new client
    title
    application_number   as the office writes it (validated per office: EP, US, JP, WO formats)
    filing_date          YYYY-MM-DD (as are all dates)
    publication_number, publication_date, grant_number, grant_date
    applicant_name
    applicant_residence  domestic | foreign (relative to the office)
    priority_claims      "CC NUMBER YYYY-MM-DD" separated by ";",
                         e.g. "US 63/123,456 2020-03-16; EP 20123456 2020-04-01"
    designated_offices   ST.3 codes separated by spaces or commas (PCT)
    receiving_office     ST.3 code (PCT)
    responsible_attorney, responsible_paralegal   usernames
    family               family reference (created under the client when unknown)
    parent               reference of the parent matter (in the docket or earlier/later in this file)
    parent_relation      continuation | cip | divisional | national_phase | regional_phase
    sync_enabled         yes/no (default yes)

Every check runs on every row, so one report lists every problem. Identifier columns (references, numbers,
offices, user names) starting with = + - @ are refused (a spreadsheet formula, never an identifier); offices
must be ST.3 codes of real offices (not XX, "unknown"); parent cycles and NUL bytes are row errors.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from docketapp.audit import attributed
from docketapp.csvsafe import formula_like

from .models import Client, Family, Matter
from .numbers import ST3_CODES, InvalidNumber, normalize_application_number
from .services import MatterData, upsert_matter, validate_matter

REQUIRED = ("client", "reference", "office", "kind")
KNOWN = REQUIRED + (
    "client_name", "title", "application_number", "filing_date", "publication_number", "publication_date",
    "grant_number", "grant_date", "applicant_name", "applicant_residence", "priority_claims",
    "designated_offices", "receiving_office", "responsible_attorney", "responsible_paralegal", "family",
    "parent", "parent_relation", "sync_enabled",
)
# Columns naming something (a matter, client, user, office, number): none starts with = + - @, so such a value
# is a spreadsheet formula that came along (CSV injection), refused rather than stored and exported again.
IDENTIFIER_COLUMNS = (
    "client", "reference", "office", "kind", "application_number", "publication_number", "grant_number",
    "priority_claims", "designated_offices", "receiving_office", "responsible_attorney", "responsible_paralegal",
    "family", "parent", "parent_relation",
)
# ST.3 codes that are no office a matter is filed at or claims priority from.
NOT_AN_OFFICE = {
    "XX": "ST.3 XX stands for an unknown state or organisation",
    "XN": "the Nordic Patent Institute searches, it grants nothing",
    "XV": "the Visegrad Patent Institute searches, it grants nothing",
    "XU": "UPOV is for plant varieties",
}
MAX_PARENT_DEPTH = 50


@dataclass
class RowError:
    row: int  # 1-based line number in the file, header = 1
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    data: MatterData | None = None
    client_ref: str = ""
    client_name: str = ""
    family_ref: str = ""
    parent_ref: str = ""
    errors: list[RowError] = field(default_factory=list)  # found while reading (NUL bytes)


def _date(value: str, column: str, line: int, errors: list[RowError]) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(RowError(line, column, f"{value!r} is not a date in the form YYYY-MM-DD"))
        return None


def _priority_claims(value: str, line: int, errors: list[RowError]) -> list[tuple[str, str, dt.date]]:
    claims = []
    for part in filter(None, (p.strip() for p in value.split(";"))):
        bits = part.split()
        if len(bits) < 3:
            errors.append(RowError(line, "priority_claims", f"{part!r} must be 'COUNTRY NUMBER YYYY-MM-DD'"))
            continue
        date = _date(bits[-1], "priority_claims", line, errors)
        if date is not None:
            claims.append((bits[0].upper(), " ".join(bits[1:-1]), date))
    return claims


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


def read_rows(text: str) -> tuple[list[_Row], list[RowError]]:
    errors: list[RowError] = []
    # A NUL byte cannot be stored (PostgreSQL refuses it in text) and is never meant: each one is a row
    # error, and the cell is read without it so the rest of the row is still checked in the same pass.
    nul_lines = {n for n, line in enumerate(text.splitlines(), start=1) if "\x00" in line}
    reader = csv.DictReader(io.StringIO(text.replace("\x00", "") if nul_lines else text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        return [], [RowError(1, "-", f"not a readable CSV file ({exc})")]
    if 1 in nul_lines:
        errors.append(RowError(1, "-", "the header row contains a NUL byte"))
    header = [h.strip().lower() for h in fieldnames]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [*errors, RowError(1, ",".join(missing), "missing required column(s) in the header row")]
    unknown = [h for h in header if h and h not in KNOWN]
    if unknown:
        errors.append(RowError(1, ",".join(unknown), "unknown column(s); see `import_matters --help`"))
    raw_lines = text.splitlines()
    rows = []
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(reader.line_num, "-", f"not readable as CSV ({exc})"))
            break  # the reader cannot resynchronise after a broken quote; the rest is not guessed at
        index = reader.line_num
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue
        row = _Row(line=index, values=values)
        if index in nul_lines:
            for column in _nul_columns(raw_lines[index - 1], fieldnames):
                row.errors.append(RowError(index, column, "contains a NUL byte (\\x00); save the file as plain text"))
        rows.append(row)
    return rows, errors


def _nul_columns(line: str, fieldnames: Sequence[str]) -> list[str]:
    try:
        cells = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return ["-"]
    names = [(f or "").strip().lower() for f in fieldnames]
    found = [names[i] if i < len(names) else f"#{i + 1}" for i, cell in enumerate(cells) if "\x00" in cell]
    return found or ["-"]


def _office_problem(code: str) -> str | None:
    """Why ``code`` is not an office a matter can be at (None when it is one)."""
    if code in NOT_AN_OFFICE:
        return f"{code!r} is not an office: {NOT_AN_OFFICE[code]}"
    if code not in ST3_CODES:
        return f"{code!r} is not a WIPO ST.3 office code (e.g. EP, US, JP, WO)"
    return None


@dataclass
class _Report:
    """The errors found so far, and per row the columns already reported (the model's own message about
    such a column is not repeated)."""

    errors: list[RowError]
    bad: dict[int, set[str]] = field(default_factory=dict)

    def add(self, line: int, column: str, reason: str) -> None:
        self.errors.append(RowError(line, column, reason))
        self.bad.setdefault(line, set()).add(column)


def validate_rows(rows: list[_Row]) -> list[RowError]:
    """Turn every row into a MatterData and validate it; returns all errors, touches nothing.

    Every check runs on every row (a row with one problem is still checked for the others), so the first
    report is the whole list: fixing it does not reveal new problems.
    """
    report = _Report(errors=[e for r in rows for e in r.errors])
    user_model = get_user_model()
    usernames = {
        name for r in rows for c in ("responsible_attorney", "responsible_paralegal") if (name := r.values.get(c))
    }
    users = {u.get_username(): u for u in user_model.objects.filter(username__in=usernames)}
    clients = {c.reference: c for c in Client.objects.filter(reference__in={r.values.get("client") for r in rows})}
    by_ref = _check_required(rows, report)
    for row in rows:
        row.data = _row_data(row, users, clients, report)
    _link_parents(rows, by_ref, report)
    _check_duplicate_numbers(rows, report)
    report.errors.sort(key=lambda e: e.row)
    return report.errors


def _check_required(rows: list[_Row], report: _Report) -> dict[str, _Row]:
    """Required columns and references used twice; returns the first row of each reference."""
    by_ref: dict[str, _Row] = {}
    for row in rows:
        report.bad.setdefault(row.line, set()).update(e.column for e in row.errors)
        v = row.values
        ref = v.get("reference", "")
        for column in REQUIRED:
            if not v.get(column):
                report.add(row.line, column, "is required")
        if ref and ref in by_ref:
            report.add(row.line, "reference", f"{ref!r} appears twice (first on row {by_ref[ref].line})")
        if ref:
            by_ref.setdefault(ref, row)
    return by_ref


def _check_identifiers(v: dict[str, str], line: int, report: _Report) -> tuple[str, str, list[str]]:
    """Formula-like identifiers and office codes; returns (office, receiving office, designated offices)."""
    for column in IDENTIFIER_COLUMNS:
        value = v.get(column, "")
        if formula_like(value):
            report.add(line, column, f"{value!r} starts with {value[0]!r}: a spreadsheet formula, not an identifier")
    office = v.get("office", "").upper()
    if office and (problem := _office_problem(office)):
        report.add(line, "office", problem)
    receiving = v.get("receiving_office", "").upper()
    if receiving and (problem := _office_problem(receiving)):
        report.add(line, "receiving_office", problem)
    designated = [c.upper() for c in v.get("designated_offices", "").replace(",", " ").split()]
    for code in designated:
        if problem := _office_problem(code):
            report.add(line, "designated_offices", problem)
    return office, receiving, designated


def _check_choices(v: dict[str, str], line: int, report: _Report) -> tuple[str, str, str, str]:
    """The columns with a fixed set of values; returns (kind, residence, parent relation, sync_enabled)."""
    kind = v.get("kind", "").lower()
    if kind and kind not in Matter.Kind.values:
        report.add(line, "kind", f"{v['kind']!r} is not one of {', '.join(Matter.Kind.values)}")
    residence = (v.get("applicant_residence") or Matter.Residence.DOMESTIC).lower()
    if residence not in Matter.Residence.values:
        report.add(line, "applicant_residence", "must be domestic or foreign")
    relation = (v.get("parent_relation") or "").lower()
    if relation and relation not in Matter.Relation.values:
        report.add(line, "parent_relation", f"must be one of {', '.join(Matter.Relation.values)}")
    sync = (v.get("sync_enabled") or "yes").lower()
    if sync not in {"yes", "no", "true", "false", "1", "0"}:
        report.add(line, "sync_enabled", "must be yes or no")
    return kind, residence, relation, sync


def _row_data(row: _Row, users: dict[str, Any], clients: dict[str, Client], report: _Report) -> MatterData:
    """Every check of one row's own columns; the MatterData it describes (parents are linked later)."""
    v = row.values
    line = row.line
    office, receiving, designated = _check_identifiers(v, line, report)
    client = clients.get(v.get("client", ""))
    if client is None and v.get("client") and "client" not in report.bad[line]:
        if v.get("client_name"):
            client = Client(reference=v["client"], name=v["client_name"])
        else:
            report.add(line, "client", f"unknown client {v['client']!r}; add client_name to create it")
    people = {}
    for column in ("responsible_attorney", "responsible_paralegal"):
        name = v.get(column, "")
        if name and name not in users:
            report.add(line, column, f"no user named {name!r}")
        people[column] = users.get(name)
    kind, residence, relation, sync = _check_choices(v, line, report)
    row_errors: list[RowError] = []
    dates = {c: _date(v.get(c, ""), c, line, row_errors) for c in ("filing_date", "publication_date", "grant_date")}
    claims = _priority_claims(v.get("priority_claims", ""), line, row_errors)
    for claim_country, *_ in claims:
        if problem := _office_problem(claim_country):
            row_errors.append(RowError(line, "priority_claims", problem))
    for error in row_errors:
        report.add(error.row, error.column, error.reason)
    row.client_ref, row.client_name = v.get("client", ""), v.get("client_name", "")
    row.family_ref, row.parent_ref = v.get("family", ""), v.get("parent", "")
    return MatterData(
        client=client,  # type: ignore[arg-type]  # None only when already reported
        reference=v.get("reference", ""),
        office=office,
        kind=kind,
        title=v.get("title", ""),
        application_number=v.get("application_number", ""),
        filing_date=dates["filing_date"],
        publication_number=v.get("publication_number", ""),
        publication_date=dates["publication_date"],
        grant_number=v.get("grant_number", ""),
        grant_date=dates["grant_date"],
        applicant_name=v.get("applicant_name", ""),
        applicant_residence=residence,
        designated_offices=designated,
        receiving_office=receiving,
        responsible_attorney=people["responsible_attorney"],
        responsible_paralegal=people["responsible_paralegal"],
        parent_relation=relation,
        sync_enabled=sync in {"yes", "true", "1"},
        priority_claims=claims,
    )


def _link_parents(rows: list[_Row], by_ref: dict[str, _Row], report: _Report) -> None:
    """Parents: an existing matter, or another row of this file (validated against that row's data); then
    the model's own validation of every row."""
    existing_parents = {
        m.reference: m for m in Matter.objects.filter(reference__in={r.parent_ref for r in rows if r.parent_ref})
    }
    for line, column, reason in _parent_cycles(rows, by_ref):
        report.add(line, column, reason)
    # One query for the matters this file updates; validation works on these (throwaway) instances.
    existing_matters = Matter.objects.in_bulk([r.data.reference for r in rows if r.data and r.data.reference],
                                              field_name="reference")
    unsaved: dict[str, Matter] = {}
    for row in rows:
        assert row.data is not None
        if row.parent_ref and "parent" not in report.bad[row.line]:
            if row.parent_ref in existing_parents and row.parent_ref not in by_ref:
                row.data.parent = existing_parents[row.parent_ref]
            elif row.parent_ref in by_ref:
                parent_data = by_ref[row.parent_ref].data
                assert parent_data is not None
                unsaved.setdefault(row.parent_ref, Matter(reference=parent_data.reference, office=parent_data.office))
                row.data.parent = unsaved[row.parent_ref]
            elif row.parent_ref in existing_parents:
                row.data.parent = existing_parents[row.parent_ref]
            else:
                report.add(row.line, "parent", f"no matter {row.parent_ref!r} in the docket or this file")
        try:
            validate_matter(row.data, instance=existing_matters.get(row.data.reference))
        except ValidationError as exc:
            for column, messages in _message_dict(exc).items():
                if column in report.bad[row.line]:
                    continue  # already said in our own words
                for message in messages:
                    report.errors.append(RowError(row.line, column, message))


def _check_duplicate_numbers(rows: list[_Row], report: _Report) -> None:
    seen_numbers: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.data is None or not row.data.application_number:
            continue
        try:
            key = (row.data.office, normalize_application_number(row.data.office, row.data.application_number))
        except InvalidNumber:
            continue  # already reported by validate_matter
        if key in seen_numbers:
            report.errors.append(RowError(row.line, "application_number",
                                          f"{row.data.application_number!r} is also on row {seen_numbers[key]}"))
        seen_numbers.setdefault(key, row.line)


def _parent_cycles(rows: list[_Row], by_ref: dict[str, _Row]) -> list[tuple[int, str, str]]:
    """Rows whose parent chain (through this file, then the docket) comes back to the row itself."""
    parent_of = {ref: row.parent_ref for ref, row in by_ref.items()}
    # The docket's own links, for chains that leave the file (a file row can re-parent a docket matter).
    frontier = {p for p in parent_of.values() if p and p not in parent_of}
    for _ in range(MAX_PARENT_DEPTH):
        if not frontier:
            break
        found = dict(Matter.objects.filter(reference__in=frontier).values_list("reference", "parent__reference"))
        for ref in frontier:
            parent_of[ref] = found.get(ref) or ""
        frontier = {p for p in found.values() if p and p not in parent_of}
    out = []
    for row in rows:
        ref = row.values.get("reference", "")
        if not ref or not row.parent_ref or by_ref.get(ref) is not row:
            continue
        if row.parent_ref == ref:
            out.append((row.line, "parent", "a matter cannot be its own parent"))
            continue
        chain, current = [ref], row.parent_ref
        while current and current not in chain and len(chain) <= MAX_PARENT_DEPTH:
            chain.append(current)
            current = parent_of.get(current, "")
        if current == ref:
            path = " → ".join([*chain, ref])
            out.append((row.line, "parent", f"parent cycle {path}: a matter cannot descend from itself"))
    return out


def _data(row: _Row) -> MatterData:
    """The row's MatterData: validate_rows gives every row one, so after it this never fails."""
    assert row.data is not None, f"row {row.line} was not validated"
    return row.data


def _ordered(rows: list[_Row]) -> list[_Row]:
    """Parents from the file before their children."""
    by_ref = {_data(r).reference: r for r in rows}
    done: set[str] = set()
    ordered: list[_Row] = []

    def visit(row: _Row, depth: int = 0) -> None:
        ref = _data(row).reference
        if ref in done or depth > len(rows):
            return
        if row.parent_ref in by_ref:
            visit(by_ref[row.parent_ref], depth + 1)
        done.add(ref)
        ordered.append(row)

    for row in rows:
        visit(row)
    return ordered


def import_matters(
    *,
    path: Path,
    dry_run: bool = False,
    user: Any = None,
    progress: Callable[[list[_Row]], Iterable[_Row]] | None = None,
    text: str | None = None,
) -> ImportResult:
    if text is None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            return ImportResult(errors=[RowError(0, "-", f"the file is not UTF-8 text ({exc.reason})")])
    rows, errors = read_rows(text)
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    errors += validate_rows(rows)
    if errors:
        result.errors = errors
        return result
    existing_refs = set(
        Matter.objects.filter(reference__in=[_data(r).reference for r in rows]).values_list("reference", flat=True)
    )
    if dry_run:
        result.updated = sum(_data(r).reference in existing_refs for r in rows)
        result.created = len(rows) - result.updated
        return result
    reason = f"import {path.name}"
    kwargs = {"user": user} if user is not None else {"process": "import_matters"}
    with attributed(reason=reason, **kwargs), transaction.atomic():
        clients: dict[str, Client] = {}
        saved: dict[str, Matter] = {}
        iterator = _ordered(rows)
        for row in progress(iterator) if progress else iterator:
            data = _data(row)
            client = clients.get(row.client_ref) or Client.objects.filter(reference=row.client_ref).first()
            if client is None:
                client = Client(reference=row.client_ref, name=row.client_name)
                client.full_clean()
                client.save()
            clients[row.client_ref] = client
            data.client = client
            if row.family_ref:
                data.family = Family.objects.filter(client=client, reference=row.family_ref).first()
                if data.family is None:
                    data.family = Family.objects.create(client=client, reference=row.family_ref)
            if row.parent_ref:
                data.parent = saved.get(row.parent_ref) or Matter.objects.get(reference=row.parent_ref)
            matter, changed = upsert_matter(data=data)
            saved[matter.reference] = matter
            if matter.reference not in existing_refs:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return result
