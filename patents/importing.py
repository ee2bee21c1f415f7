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
    priority_claims      "CC NUMBER YYYY-MM-DD" separated by ";", e.g. "US 63/123,456 2020-03-16; EP 20123456 2020-04-01"
    designated_offices   ST.3 codes separated by spaces or commas (PCT)
    receiving_office     ST.3 code (PCT)
    responsible_attorney, responsible_paralegal   usernames
    family               family reference (created under the client when unknown)
    parent               reference of the parent matter (in the docket or earlier/later in this file)
    parent_relation      continuation | cip | divisional | national_phase | regional_phase
    sync_enabled         yes/no (default yes)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from docketapp.audit import attributed

from .models import Client, Family, Matter
from .numbers import InvalidNumber, normalize_application_number
from .services import MatterData, upsert_matter, validate_matter

REQUIRED = ("client", "reference", "office", "kind")
KNOWN = REQUIRED + (
    "client_name", "title", "application_number", "filing_date", "publication_number", "publication_date",
    "grant_number", "grant_date", "applicant_name", "applicant_residence", "priority_claims",
    "designated_offices", "receiving_office", "responsible_attorney", "responsible_paralegal", "family",
    "parent", "parent_relation", "sync_enabled",
)


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
    reader = csv.DictReader(io.StringIO(text))
    errors: list[RowError] = []
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [RowError(1, ",".join(missing), "missing required column(s) in the header row")]
    unknown = [h for h in header if h and h not in KNOWN]
    if unknown:
        errors.append(RowError(1, ",".join(unknown), "unknown column(s); see `import_matters --help`"))
    rows = []
    for index, raw in enumerate(reader, start=2):
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue
        rows.append(_Row(line=index, values=values))
    return rows, errors


def validate_rows(rows: list[_Row]) -> list[RowError]:
    """Turn every row into a MatterData and validate it; returns all errors, touches nothing."""
    errors: list[RowError] = []
    user_model = get_user_model()
    usernames = {
        v for r in rows for c in ("responsible_attorney", "responsible_paralegal") if (v := r.values.get(c))
    }
    users = {u.get_username(): u for u in user_model.objects.filter(username__in=usernames)}
    clients = {c.reference: c for c in Client.objects.filter(reference__in={r.values.get("client") for r in rows})}
    by_ref: dict[str, _Row] = {}
    for row in rows:
        v = row.values
        ref = v.get("reference", "")
        for column in REQUIRED:
            if not v.get(column):
                errors.append(RowError(row.line, column, "is required"))
        if ref in by_ref:
            errors.append(RowError(row.line, "reference", f"{ref!r} appears twice (first on row {by_ref[ref].line})"))
        by_ref[ref] = row
    row_errors_start = len(errors)
    for row in rows:
        v = row.values
        line = row.line
        if not all(v.get(c) for c in REQUIRED):
            continue
        client = clients.get(v["client"])
        if client is None:
            if not v.get("client_name"):
                errors.append(RowError(line, "client", f"unknown client {v['client']!r}; add client_name to create it"))
                continue
            client = Client(reference=v["client"], name=v["client_name"])
        people = {}
        for column in ("responsible_attorney", "responsible_paralegal"):
            name = v.get(column, "")
            if name and name not in users:
                errors.append(RowError(line, column, f"no user named {name!r}"))
            people[column] = users.get(name)
        kind = v["kind"].lower()
        if kind not in Matter.Kind.values:
            errors.append(RowError(line, "kind", f"{v['kind']!r} is not one of {', '.join(Matter.Kind.values)}"))
            continue
        residence = (v.get("applicant_residence") or Matter.Residence.DOMESTIC).lower()
        if residence not in Matter.Residence.values:
            errors.append(RowError(line, "applicant_residence", "must be domestic or foreign"))
            continue
        relation = (v.get("parent_relation") or "").lower()
        if relation and relation not in Matter.Relation.values:
            errors.append(RowError(line, "parent_relation", f"must be one of {', '.join(Matter.Relation.values)}"))
            continue
        sync = (v.get("sync_enabled") or "yes").lower()
        if sync not in {"yes", "no", "true", "false", "1", "0"}:
            errors.append(RowError(line, "sync_enabled", "must be yes or no"))
            continue
        dates = {c: _date(v.get(c, ""), c, line, errors) for c in ("filing_date", "publication_date", "grant_date")}
        claims = _priority_claims(v.get("priority_claims", ""), line, errors)
        designated = [c.upper() for c in v.get("designated_offices", "").replace(",", " ").split()]
        row.client_ref, row.client_name = v["client"], v.get("client_name", "")
        row.family_ref, row.parent_ref = v.get("family", ""), v.get("parent", "")
        row.data = MatterData(
            client=client,
            reference=v["reference"],
            office=v["office"].upper(),
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
            receiving_office=v.get("receiving_office", "").upper(),
            responsible_attorney=people["responsible_attorney"],
            responsible_paralegal=people["responsible_paralegal"],
            parent_relation=relation,
            sync_enabled=sync in {"yes", "true", "1"},
            priority_claims=claims,
        )
    # Parents: an existing matter, or another row of this file (validated against that row's data).
    existing_parents = {
        m.reference: m for m in Matter.objects.filter(reference__in={r.parent_ref for r in rows if r.parent_ref})
    }
    # One query for the matters this file updates; validation works on these (throwaway) instances.
    existing_matters = Matter.objects.in_bulk([r.data.reference for r in rows if r.data], field_name="reference")
    unsaved: dict[str, Matter] = {}
    for row in rows:
        if row.data is None:
            continue
        if row.parent_ref:
            if row.parent_ref in existing_parents:
                row.data.parent = existing_parents[row.parent_ref]
            elif row.parent_ref in by_ref and by_ref[row.parent_ref].data is not None:
                parent_data = by_ref[row.parent_ref].data
                unsaved.setdefault(row.parent_ref, Matter(reference=parent_data.reference, office=parent_data.office))
                row.data.parent = unsaved[row.parent_ref]
            elif row.parent_ref not in by_ref:
                errors.append(RowError(row.line, "parent", f"no matter {row.parent_ref!r} in the docket or this file"))
                continue
        if row.parent_ref == row.data.reference:
            errors.append(RowError(row.line, "parent", "a matter cannot be its own parent"))
            continue
        try:
            validate_matter(row.data, instance=existing_matters.get(row.data.reference))
        except ValidationError as exc:
            for column, messages in _message_dict(exc).items():
                for message in messages:
                    errors.append(RowError(row.line, column, message))
    seen_numbers: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.data is None or not row.data.application_number:
            continue
        try:
            key = (row.data.office, normalize_application_number(row.data.office, row.data.application_number))
        except InvalidNumber:
            continue  # already reported by validate_matter
        if key in seen_numbers:
            errors.append(RowError(row.line, "application_number",
                                   f"{row.data.application_number!r} is also on row {seen_numbers[key]}"))
        seen_numbers.setdefault(key, row.line)
    if len(errors) > row_errors_start:
        errors.sort(key=lambda e: e.row)
    return errors


def _ordered(rows: list[_Row]) -> list[_Row]:
    """Parents from the file before their children."""
    by_ref = {r.data.reference: r for r in rows if r.data}
    done: set[str] = set()
    ordered: list[_Row] = []

    def visit(row: _Row, depth: int = 0) -> None:
        ref = row.data.reference
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
    *, path: Path, dry_run: bool = False, user=None, progress: Iterable | None = None, text: str | None = None
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
        Matter.objects.filter(reference__in=[r.data.reference for r in rows]).values_list("reference", flat=True)
    )
    if dry_run:
        result.updated = sum(r.data.reference in existing_refs for r in rows)
        result.created = len(rows) - result.updated
        return result
    reason = f"import {path.name}"
    kwargs = {"user": user} if user is not None else {"process": "import_matters"}
    with attributed(reason=reason, **kwargs), transaction.atomic():
        clients: dict[str, Client] = {}
        saved: dict[str, Matter] = {}
        iterator = _ordered(rows)
        for row in progress(iterator) if progress else iterator:
            data = row.data
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
