"""Reconciliation: the office's bibliographic data against the docket's, field by field.

Blank docket fields are filled; a field that disagrees opens a ReconciliationItem for a person, and a value
a person decided to ignore stays ignored while the office keeps saying it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from docketapp.audit import attributed

from ..models import (
    Matter,
    OfficePayload,
    QuarantineItem,
    ReconciliationItem,
)
from ..normalize import (
    compact_number,
    docket_status,
    iso,
)
from ..parsers.types import Biblio
from ..services import (
    set_priority_claims,
)
from .store import quarantine


def _claims(biblio: Biblio) -> list[tuple[str, str, dt.date]]:
    out = []
    for c in biblio.priority_claims:
        if c.country and len(c.country) == 2 and c.date and c.number:
            if biblio.filing_date and c.date > biblio.filing_date:
                continue
            out.append((c.country.upper(), c.number[:40], c.date))
    return sorted(set(out))


# --- reconciliation -----------------------------------------------------------------------------------------


@dataclass
class Reconciliation:
    open: int = 0
    filled: list[str] = field(default_factory=list)
    quarantined: list[QuarantineItem] = field(default_factory=list)


def office_values(biblio: Biblio) -> dict[str, Any]:
    """The docket fields the office data speaks to, as JSON values (None: the office does not say)."""
    return {
        "filing_date": iso(biblio.filing_date),
        "status": docket_status(biblio),
        "publication_number": biblio.publication_number or None,
        "publication_date": iso(biblio.publication_date),
        "grant_number": biblio.grant_number or None,
        "grant_date": iso(biblio.grant_date),
        "priority_claims": [[c, n, d.isoformat()] for c, n, d in _claims(biblio)] or None,
    }


def docket_values(matter: Matter) -> dict[str, Any]:
    return {
        "filing_date": iso(matter.filing_date),
        "status": None if matter.status == Matter.Status.UNKNOWN else matter.status,
        "publication_number": matter.publication_number or None,
        "publication_date": iso(matter.publication_date),
        "grant_number": matter.grant_number or None,
        "grant_date": iso(matter.grant_date),
        "priority_claims": [[c.country, c.number, c.date.isoformat()] for c in matter.priority_claims.all()] or None,
    }


def _same(field_name: str, docket: Any, office: Any) -> bool:
    if field_name in ("publication_number", "grant_number"):
        return compact_number(docket) == compact_number(office)
    if field_name == "priority_claims":
        def number(country: str, raw: str) -> str:
            # Offices write the same priority as 2024572511, EP2024572511 or EP 2024 572511.
            text = "".join(ch for ch in raw if ch.isalnum()).upper()
            return (text[len(country):] if text.startswith(country) else text).lstrip("0")

        def key(rows):
            return sorted((c, number(c, n), d) for c, n, d in rows or ())
        return key(docket) == key(office)
    return docket == office


def reconcile_matter(*, matter: Matter, biblio: Biblio, payload: OfficePayload) -> Reconciliation:
    """Fill what the docket leaves blank; open a ReconciliationItem for every field that disagrees.

    A field a person decided to ignore stays ignored while the office keeps saying the same value.
    """
    out = Reconciliation()
    office = office_values(biblio)
    docket = docket_values(matter)
    fill: dict[str, Any] = {}
    # One query for the open items (a replay runs this for every payload; most matters have none).
    open_items = {i.field: i for i in ReconciliationItem.objects.filter(matter=matter, status="open")}
    for name, office_value in office.items():
        docket_value = docket[name]
        if office_value is None or _same(name, docket_value, office_value):
            if name in open_items:
                _close_open(open_items[name], ReconciliationItem.Status.RESOLVED, "docket and office agree")
            continue
        if docket_value is None:
            fill[name] = office_value
            continue
        open_item = open_items.get(name)
        decided = ReconciliationItem.objects.filter(
            matter=matter, field=name, status=ReconciliationItem.Status.IGNORED
        ).order_by("-decided_at", "-pk").first()
        if decided is not None and decided.office_value == office_value and decided.docket_value == docket_value:
            continue
        if open_item is not None:
            if open_item.office_value != office_value or open_item.docket_value != docket_value:
                open_item.office_value, open_item.docket_value, open_item.payload = office_value, docket_value, payload
                open_item.save(update_fields=["office_value", "docket_value", "payload"])
            out.open += 1
            continue
        try:
            with transaction.atomic():
                ReconciliationItem.objects.create(
                    matter=matter, field=name, docket_value=docket_value, office_value=office_value,
                    office=payload.office, payload=payload,
                )
            out.open += 1
        except IntegrityError:
            out.open += 1
    status_text = (biblio.status_text or "")[:300]
    if fill or (status_text and matter.office_status != status_text):
        try:
            out.filled = apply_office_values(
                matter=matter, values=fill, office_status=status_text or None,
            )
        except ValidationError as exc:
            item = quarantine(
                payload=payload, category=QuarantineItem.Category.CONFLICT, matter=matter,
                reason=f"office data cannot be applied to {matter.reference}: {'; '.join(exc.messages)}",
                fingerprint=f"conflict|fill|{matter.pk}|{sorted(fill)}",
                details={"values": fill},
            )
            if item:
                out.quarantined.append(item)
    return out


def _close_open(item: ReconciliationItem, status: str, note: str) -> None:
    item.status, item.note, item.decided_at = status, note, timezone.now()
    item.save(update_fields=["status", "note", "decided_at"])


def apply_office_values(*, matter: Matter, values: dict[str, Any], office_status: str | None = None) -> list[str]:
    """Write office values onto the matter (validated, with history under the caller's attribution)."""
    changed: list[str] = []
    claims = values.get("priority_claims")
    for name, value in values.items():
        if name == "priority_claims":
            continue
        if name.endswith("_date") and value:
            value = dt.date.fromisoformat(value)
        setattr(matter, name, value if value is not None else "")
        changed.append(name)
    if office_status is not None and matter.office_status != office_status:
        matter.office_status = office_status
        changed.append("office_status")
    with transaction.atomic():
        if changed:
            matter.full_clean(validate_unique=False, validate_constraints=False)
            matter.save(update_fields=[*changed, "updated_at"])
        if claims is not None:
            set_priority_claims(
                matter=matter, claims=[(c, n, dt.date.fromisoformat(d)) for c, n, d in claims]
            )
            changed.append("priority_claims")
    return changed


@transaction.atomic
def decide_reconciliation(*, item: ReconciliationItem, accept: bool, user, note: str = "") -> ReconciliationItem:
    """Accept the office value (the matter is updated, with history) or ignore it with a reason."""
    if item.status != ReconciliationItem.Status.OPEN:
        raise ValidationError("this difference was already decided")
    if not accept and not note.strip():
        raise ValidationError("say why the office value is ignored")
    what = "accepted office value" if accept else "ignored office value"
    with attributed(reason=f"reconciliation: {what} for {item.get_field_display()}"
                    + (f" ({note.strip()})" if note.strip() else ""), user=user):
        if accept and item.field == ReconciliationItem.Field.EVENT_DATE:
            from ..documents.reconcile import accept_office_date

            accept_office_date(item=item)
        elif accept:
            matter = Matter.objects.select_for_update(no_key=True).get(pk=item.matter_id)
            apply_office_values(matter=matter, values={item.field: item.office_value})
        item.status = ReconciliationItem.Status.ACCEPTED if accept else ReconciliationItem.Status.IGNORED
        item.decided_by, item.decided_at, item.note = user, timezone.now(), note.strip()
        item.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return item
