"""Decisions on quarantined office data: map the code (then replay), accept, or reject — all in history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from docketapp.audit import attributed

from .ingestion import process_payload
from .models import EventType, OfficeCodeMapping, QuarantineItem
from .normalize import MappingTable
from .services import ensure_event_type

OPEN = QuarantineItem.Status.OPEN


def _decide(item: QuarantineItem, *, status: str, user, note: str) -> None:
    item.status, item.decided_by, item.decided_at, item.note = status, user, timezone.now(), note.strip()
    item.save(update_fields=["status", "decided_by", "decided_at", "note"])


def _require_open(item: QuarantineItem) -> QuarantineItem:
    item = QuarantineItem.objects.select_for_update().get(pk=item.pk)
    if item.status != OPEN:
        raise ValidationError("this item was already decided")
    return item


def map_code(*, item: QuarantineItem, event_type: EventType, user, note: str = "") -> dict:
    """Map an unmapped office code to a canonical event type, then replay the payloads of that code."""
    with transaction.atomic(), attributed(
        reason=f"quarantine: mapped {item.office_code!r} to {event_type.code}" + (f" ({note})" if note else ""),
        user=user,
    ):
        item = _require_open(item)
        if item.category != QuarantineItem.Category.UNMAPPED_CODE:
            raise ValidationError("only an unmapped office code can be mapped")
        office = (item.details or {}).get("office") or item.office
        mapping, _ = OfficeCodeMapping.objects.get_or_create(
            office=office, source=item.source, code=item.office_code.strip(),
            defaults={"event_type": event_type, "note": note or f"mapped from quarantine item {item.pk}"},
        )
        _decide(item, status=QuarantineItem.Status.MAPPED, user=user, note=note or f"mapped to {event_type.code}")
        # Every open item for the same code is answered by the same mapping.
        siblings = list(QuarantineItem.objects.filter(
            status=OPEN, category=item.category, source=item.source, office_code=item.office_code,
        ).exclude(pk=item.pk))
        for sibling in siblings:
            _decide(sibling, status=QuarantineItem.Status.MAPPED, user=user,
                    note=f"mapped to {event_type.code} with item {item.pk}")
        table = MappingTable.load()
        created = 0
        # Items of one bulk answer share its payload: one replay applies it to every matter it names.
        by_payload = {q.payload_id: q for q in [item, *siblings]}
        for q in by_payload.values():
            result = process_payload(payload=q.payload, table=table,
                                     matters=[q.matter] if q.matter_id else ())
            created += result.events_created
    return {"mapping": mapping.pk, "events_created": created, "items": 1 + len(siblings)}


def accept_item(*, item: QuarantineItem, user, note: str) -> dict:
    """Accept the office data as it stands.

    Unmapped code: record it as an internal office step (kept in the timeline, triggers nothing).
    Number mismatch: apply the answer to the matter anyway. Malformed/schema/conflict: acknowledged.
    """
    if not note.strip():
        raise ValidationError("say why the item is accepted")
    with transaction.atomic(), attributed(reason=f"quarantine: accepted ({note.strip()})", user=user):
        item = _require_open(item)
        created = 0
        if item.category == QuarantineItem.Category.UNMAPPED_CODE:
            office = (item.details or {}).get("office") or item.office
            step = ensure_event_type(code=f"{office}.OFFICE_STEP", label="Other office step (accepted)",
                                     office=office if office in ("EP", "US", "JP", "WO") else "EP", internal=True)
            OfficeCodeMapping.objects.get_or_create(
                office=office, source=item.source, code=item.office_code.strip(),
                defaults={"event_type": step, "note": f"accepted as an internal step: {note.strip()}"},
            )
            _decide(item, status=QuarantineItem.Status.ACCEPTED, user=user, note=note)
            matters = [item.matter] if item.matter_id else ()
            created = process_payload(payload=item.payload, matters=matters).events_created
        elif item.category == QuarantineItem.Category.MISMATCH and item.matter_id:
            _decide(item, status=QuarantineItem.Status.ACCEPTED, user=user, note=note)
            created = process_payload(payload=item.payload, matters=[item.matter], trust_numbers=True).events_created
        else:
            _decide(item, status=QuarantineItem.Status.ACCEPTED, user=user, note=note)
    return {"events_created": created}


def reject_item(*, item: QuarantineItem, user, note: str) -> None:
    if not note.strip():
        raise ValidationError("say why the item is rejected")
    with transaction.atomic(), attributed(reason=f"quarantine: rejected ({note.strip()})", user=user):
        item = _require_open(item)
        _decide(item, status=QuarantineItem.Status.REJECTED, user=user, note=note)
