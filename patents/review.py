"""Decisions on quarantined office data: map the code (then replay), accept, or reject — all in history.

Who may decide what:

- Anyone decides the items of matters they can see (``Matter.objects.visible_to``). A paralegal's "map" or
  "accept" of an unmapped code applies to *their* items only: the code is read with the chosen event type
  for those matters' payloads, no ``OfficeCodeMapping`` is created, and no other client's matter is
  replayed, given events or deadlines. The next answer with that code is quarantined again (nothing is
  dropped) until a docketing admin maps the code for everyone.
- A docketing admin (a user with ``patents.decide_global_mapping``; superusers have every permission)
  maps codes for every client: that creates the mapping and replays every open item of the code, whoever's
  it is, so it is applied only once the admin has seen how many items and clients it touches
  (``mapping_impact``; the service refuses a confirmation made for a different impact). Accepting an
  unmapped code as an internal step is such a mapping too: it suppresses that code's deadlines everywhere.
- Items with no matter (an answer for many clients' matters, or for none) are seen and decided only by a
  docketing admin: their payloads hold other clients' data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from docketapp.audit import attributed

from .ingestion import process_payload
from .models import EventType, Matter, OfficeCodeMapping, QuarantineItem
from .normalize import MappingTable
from .offices import DEFAULT_OFFICE, OFFICES_BY_CODE
from .services import ensure_event_type

OPEN = QuarantineItem.Status.OPEN
AUTHORITY = "patents.decide_global_mapping"


def is_docketing_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(AUTHORITY))


def visible_quarantine(user) -> QuerySet[QuarantineItem]:
    """The items ``user`` may see and decide: their matters' items; a docketing admin's also matter-less ones."""
    q = Q(matter__in=Matter.objects.visible_to(user))
    if is_docketing_admin(user):
        q |= Q(matter__isnull=True)
    return QuarantineItem.objects.filter(q)


@dataclass(frozen=True)
class MappingImpact:
    """What mapping an item's code for every client would answer: shown before a docketing admin applies it."""

    office: str
    source: str
    code: str
    items: int  # open items of the code (this one included)
    matters: int
    clients: int
    without_matter: int  # items of answers for no single matter (their clients are not known in advance)
    event_type: EventType | None = None

    @property
    def suppresses_deadlines(self) -> bool:
        return bool(self.event_type and self.event_type.internal)


class ConfirmationNeeded(ValidationError):
    """A global mapping must be confirmed against its current impact (which may have changed meanwhile)."""

    def __init__(self, impact: MappingImpact) -> None:
        super().__init__(f"confirm the mapping of {impact.code!r}: it answers {impact.items} item(s) of "
                         f"{impact.clients} client(s)")
        self.impact = impact


def _office_of(item: QuarantineItem) -> str:
    return (item.details or {}).get("office") or item.office


def _same_code(item: QuarantineItem) -> list[QuarantineItem]:
    """Every open unmapped-code item the same mapping (office, feed, code) answers, ``item`` first."""
    office = _office_of(item)
    others = QuarantineItem.objects.filter(
        status=OPEN, category=QuarantineItem.Category.UNMAPPED_CODE, source=item.source,
        office_code=item.office_code,
    ).exclude(pk=item.pk).select_related("matter").order_by("pk")
    # The same letters at another office are another code (the mapping is per office).
    return [item, *(q for q in others if _office_of(q) == office)]


def mapping_impact(*, item: QuarantineItem, event_type: EventType | None = None) -> MappingImpact:
    items = _same_code(item)
    with_matter = [q for q in items if q.matter_id]
    return MappingImpact(
        office=_office_of(item), source=item.source, code=item.office_code.strip(), items=len(items),
        matters=len({q.matter_id for q in with_matter}),
        clients=len({q.matter.client_id for q in with_matter if q.matter is not None}),
        without_matter=len(items) - len(with_matter), event_type=event_type,
    )


def _decide(item: QuarantineItem, *, status: str, user, note: str) -> None:
    item.status, item.decided_by, item.decided_at, item.note = status, user, timezone.now(), note.strip()
    item.save(update_fields=["status", "decided_by", "decided_at", "note"])


def _require_open(item: QuarantineItem, user) -> QuarantineItem:
    # Lock only the item row: PostgreSQL cannot lock the nullable side of the outer join to its matter.
    item = QuarantineItem.objects.select_for_update(of=("self",)).select_related("matter").get(pk=item.pk)
    # The service is the guard, not only the page: a decision on an item the user cannot see is refused.
    if not visible_quarantine(user).filter(pk=item.pk).exists():
        raise PermissionDenied("this item is not one you can decide")
    if item.status != OPEN:
        raise ValidationError("this item was already decided")
    return item


def _check_confirmed(item: QuarantineItem, event_type: EventType, confirmed: tuple[int, int] | None) -> None:
    impact = mapping_impact(item=item, event_type=event_type)
    if confirmed != (impact.items, impact.clients):
        raise ConfirmationNeeded(impact)


def _replay_for_every_client(items: list[QuarantineItem]) -> int:
    table = MappingTable.load()
    created = 0
    # Items of one bulk answer share its payload: one replay applies it to every matter it names.
    by_payload = {q.payload_id: q for q in items}
    for q in by_payload.values():
        created += process_payload(payload=q.payload, table=table,
                                   matters=[q.matter] if q.matter is not None else ()).events_created
    return created


def _replay_for_own_matters(items: list[QuarantineItem], *, event_type: EventType) -> int:
    # The code read as ``event_type`` for these matters only: the global table is not changed, and
    # documents of the same answer for other matters are left alone (``confine``).
    table = MappingTable.load()
    item = items[0]
    table.by_key[(_office_of(item), item.source, item.office_code.strip())] = event_type
    return sum(
        # Callers pass items that have a matter (matter_id checked before).
        process_payload(payload=q.payload, table=table, matters=[cast(Matter, q.matter)], confine=True).events_created
        for q in items
    )


def map_code(*, item: QuarantineItem, event_type: EventType, user, note: str = "",
             confirmed: tuple[int, int] | None = None) -> dict:
    """Read an unmapped office code as ``event_type``, then replay the payloads concerned.

    A docketing admin maps it for every client (``confirmed`` must be the (items, clients) of the current
    ``mapping_impact``, else ``ConfirmationNeeded``); anyone else for their own matters' items only.
    """
    global_ = is_docketing_admin(user)
    scope = "for every client" if global_ else "only for matters the decider can see"
    with transaction.atomic(), attributed(
        reason=f"quarantine: mapped {item.office_code!r} to {event_type.code} {scope}"
        + (f" ({note})" if note else ""),
        user=user,
    ):
        item = _require_open(item, user)
        if item.category != QuarantineItem.Category.UNMAPPED_CODE:
            raise ValidationError("only an unmapped office code can be mapped")
        if global_:
            _check_confirmed(item, event_type, confirmed)
            mapping, _ = OfficeCodeMapping.objects.get_or_create(
                office=_office_of(item), source=item.source, code=item.office_code.strip(),
                defaults={"event_type": event_type, "note": note or f"mapped from quarantine item {item.pk}"},
            )
            items = _same_code(item)
        else:
            mapping = None
            visible = set(Matter.objects.visible_to(user).values_list("pk", flat=True))
            items = [q for q in _same_code(item) if q.matter_id in visible]
        _decide(item, status=QuarantineItem.Status.MAPPED, user=user,
                note=note or f"mapped to {event_type.code} {scope}")
        for sibling in items[1:]:
            _decide(sibling, status=QuarantineItem.Status.MAPPED, user=user,
                    note=f"mapped to {event_type.code} {scope} with item {item.pk}")
        created = (_replay_for_every_client(items) if global_
                   else _replay_for_own_matters(items, event_type=event_type))
    return {"mapping": mapping.pk if mapping else None, "events_created": created, "items": len(items),
            "global": global_}


def internal_step_type(item: QuarantineItem) -> EventType:
    office = _office_of(item)
    # An office we do not docket (an INPADOC event of a national office) files its step under the default.
    known = OFFICES_BY_CODE.get(office)
    home = known.code if known is not None and known.file_kinds else DEFAULT_OFFICE.code
    return ensure_event_type(code=f"{office}.OFFICE_STEP", label="Other office step (accepted)",
                             office=home, internal=True)


def accept_item(*, item: QuarantineItem, user, note: str, confirmed: tuple[int, int] | None = None) -> dict:
    """Accept the office data as it stands.

    Unmapped code: record it as an internal office step (kept in the timeline, triggers nothing): for this
    item's matter, or — by a docketing admin, confirmed like a mapping — for every client.
    Number mismatch: apply the answer to the matter anyway. Malformed/schema/conflict: acknowledged.
    """
    if not note.strip():
        raise ValidationError("say why the item is accepted")
    global_ = is_docketing_admin(user)
    reason = f"quarantine: accepted ({note.strip()})"
    if item.category == QuarantineItem.Category.UNMAPPED_CODE:
        reason += f" as an internal step {'for every client' if global_ else 'for this matter only'}"
    with transaction.atomic(), attributed(reason=reason, user=user):
        item = _require_open(item, user)
        created = 0
        if item.category == QuarantineItem.Category.UNMAPPED_CODE:
            step = internal_step_type(item)
            if global_:
                _check_confirmed(item, step, confirmed)
                OfficeCodeMapping.objects.get_or_create(
                    office=_office_of(item), source=item.source, code=item.office_code.strip(),
                    defaults={"event_type": step, "note": f"accepted as an internal step: {note.strip()}"},
                )
                items = _same_code(item)
                _decide(item, status=QuarantineItem.Status.ACCEPTED, user=user, note=note)
                for sibling in items[1:]:
                    _decide(sibling, status=QuarantineItem.Status.ACCEPTED, user=user,
                            note=f"accepted as an internal step for every client with item {item.pk}")
                created = _replay_for_every_client(items)
            elif item.matter_id:
                _decide(item, status=QuarantineItem.Status.ACCEPTED, user=user, note=note)
                created = _replay_for_own_matters([item], event_type=step)
        elif item.category == QuarantineItem.Category.MISMATCH and item.matter_id:
            _decide(item, status=QuarantineItem.Status.ACCEPTED, user=user, note=note)
            created = process_payload(payload=item.payload, matters=[cast(Matter, item.matter)],
                                      trust_numbers=True, confine=True).events_created
        else:
            _decide(item, status=QuarantineItem.Status.ACCEPTED, user=user, note=note)
    return {"events_created": created, "global": global_}


def needs_confirmation(*, item: QuarantineItem, action: str, user) -> bool:
    """Whether ``action`` on ``item`` by ``user`` is a global mapping (shown with its impact first)."""
    return (is_docketing_admin(user) and item.category == QuarantineItem.Category.UNMAPPED_CODE
            and action in ("map", "accept"))


def reject_item(*, item: QuarantineItem, user, note: str) -> None:
    if not note.strip():
        raise ValidationError("say why the item is rejected")
    with transaction.atomic(), attributed(reason=f"quarantine: rejected ({note.strip()})", user=user):
        item = _require_open(item, user)
        _decide(item, status=QuarantineItem.Status.REJECTED, user=user, note=note)
