"""Workflows that write docket data. Each runs in one transaction and records who and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from docketapp.audit import attributed, require_attribution
from docketapp.plain_rows import history_row, insert_rows, insert_sealed

from .models import Client, EventType, Family, Matter, OfficeEvent, PriorityClaim, TeamMembership
from .signals import send_office_events_changed


def _save(instance, *, update_fields: Iterable[str] | None = None) -> None:
    instance.full_clean()
    instance.save(update_fields=list(update_fields) if update_fields is not None else None)


@dataclass
class MatterData:
    """Everything needed to create or update a matter; used by the importer, the demo seeder and sync."""

    client: Client
    reference: str
    office: str
    kind: str = Matter.Kind.PATENT
    title: str = ""
    application_number: str = ""
    filing_date: dt.date | None = None
    publication_number: str = ""
    publication_date: dt.date | None = None
    grant_number: str = ""
    grant_date: dt.date | None = None
    applicant_name: str = ""
    applicant_residence: str = Matter.Residence.DOMESTIC
    designated_offices: list[str] = field(default_factory=list)
    receiving_office: str = ""
    responsible_attorney: Any = None
    responsible_paralegal: Any = None
    family: Family | None = None
    parent: Matter | None = None
    parent_relation: str = ""
    sync_enabled: bool = True
    priority_claims: list[tuple[str, str, dt.date]] = field(default_factory=list)

    MATTER_FIELDS = (
        "client", "office", "kind", "title", "application_number", "filing_date", "publication_number",
        "publication_date", "grant_number", "grant_date", "applicant_name", "applicant_residence",
        "designated_offices", "receiving_office", "responsible_attorney", "responsible_paralegal", "family",
        "parent", "parent_relation", "sync_enabled",
    )


def validate_matter(data: MatterData, *, instance: Matter | None = None) -> Matter:
    """Build (without saving) the matter ``data`` describes and run every validation on it and its claims."""
    matter = instance or Matter(reference=data.reference)
    for name in MatterData.MATTER_FIELDS:
        setattr(matter, name, getattr(data, name))
    # A client or parent that exists only as an earlier row of an import file has no pk yet.
    unsaved = [
        name for name in ("client", "parent") if getattr(data, name) is not None and getattr(data, name).pk is None
    ]
    matter.full_clean(exclude=unsaved, validate_unique=instance is None or instance.pk is None)
    errors: dict[str, list[str]] = {}
    for country, number, date in data.priority_claims:
        claim = PriorityClaim(matter=matter, country=country, number=number, date=date)
        try:
            claim.full_clean(exclude=["matter"])
            if matter.filing_date and date > matter.filing_date:
                raise ValidationError({"priority_claims": "A priority date cannot be later than the filing date"})
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.setdefault("priority_claims", []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return matter


def set_priority_claims(*, matter: Matter, claims: Iterable[tuple[str, str, dt.date]]) -> bool:
    """Make the matter's priority claims exactly ``claims`` (country, number, date); True if anything changed.

    Runs inside the caller's transaction and attribution (every claim change is in the history)."""
    require_attribution()
    wanted = {(country, number): date for country, number, date in claims}
    changed = False
    for claim in list(matter.priority_claims.all()):
        date = wanted.pop((claim.country, claim.number), None)
        if date is None:
            claim.delete()
            changed = True
        elif claim.date != date:
            claim.date = date
            _save(claim, update_fields=["date"])
            changed = True
    for (country, number), date in wanted.items():
        _save(PriorityClaim(matter=matter, country=country, number=number, date=date))
        changed = True
    return changed


@transaction.atomic
def upsert_matter(*, data: MatterData) -> tuple[Matter, bool]:
    """Create the matter or bring it in line with ``data``; returns (matter, changed). Needs attribution."""
    require_attribution()
    existing = Matter.objects.select_for_update(no_key=True).filter(reference=data.reference).first()
    before = None
    if existing is not None:
        before = {name: getattr(existing, name) for name in MatterData.MATTER_FIELDS}
    matter = validate_matter(data, instance=existing)
    changed_fields = [n for n in MatterData.MATTER_FIELDS if before is None or before[n] != getattr(matter, n)]
    changed = False
    if existing is None:
        matter.save()
        changed = True
    elif changed_fields:
        matter.save(update_fields=[*changed_fields, "application_number_normalized", "updated_at"])
        changed = True
    changed = set_priority_claims(matter=matter, claims=data.priority_claims) or changed
    return matter, changed


@transaction.atomic
def ensure_client(*, reference: str, name: str, contact_emails: str = "") -> tuple[Client, bool]:
    require_attribution()
    client = Client.objects.filter(reference=reference).first()
    if client is None:
        client = Client(reference=reference, name=name, contact_emails=contact_emails)
        _save(client)
        return client, True
    return client, False


@transaction.atomic
def add_team_member(*, client: Client, user, role: str) -> TeamMembership:
    require_attribution()
    membership = TeamMembership.objects.filter(client=client, user=user).first()
    if membership is None:
        membership = TeamMembership(client=client, user=user, role=role)
        _save(membership)
    elif membership.role != role:
        membership.role = role
        _save(membership, update_fields=["role"])
    return membership


@transaction.atomic
def ensure_event_type(*, code: str, label: str, office: str, internal: bool = False) -> EventType:
    require_attribution()
    event_type = EventType.objects.filter(code=code).first()
    if event_type is None:
        event_type = EventType(code=code, label=label, office=office, internal=internal)
        _save(event_type)
    return event_type


def notify_events_recorded(*, matter_id: int) -> None:
    """Send the office-event signals once for a matter (patents.signals: the deadline engine marks and queues
    its recompute): for callers that record many events with ``notify=False`` (the office sync records
    hundreds per answer; one recompute per matter is enough)."""
    send_office_events_changed(matter_id)


def record_office_event(
    *,
    matter: Matter,
    event_type: EventType,
    office_code: str,
    date: dt.date,
    office_text: str = "",
    source: str = OfficeEvent.Source.OFFICE,
    discriminator: str = "",
    params: dict | None = None,
    notify: bool = True,
) -> tuple[OfficeEvent, bool]:
    """Idempotent upsert on the event's natural key; returns (event, created_or_changed).

    The same office event seen again writes nothing. If the office corrected the text, type or params of an
    event it already reported, the row is updated (with history) and the deadlines are recomputed.
    """
    require_attribution()
    natural_key = OfficeEvent.build_natural_key(office_code, date, discriminator)
    params = params or {}
    # No savepoint of its own inside a caller's transaction (one office event is a few statements; a
    # savepoint pair would add two round trips): a failure here fails the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        event = OfficeEvent(
            matter=matter,
            event_type=event_type,
            office_code=office_code,
            office_text=office_text[:500],
            date=date,
            source=source,
            natural_key=natural_key,
            params=params,
        )
        # The commonest case first: sync hands over only events the docket does not hold (patents.ingestion.
        # apply), so the natural key is almost always new and its insert is all there is to do.
        if not (_valid(event) and _insert_event(event)):
            existing = OfficeEvent.objects.select_for_update().filter(
                matter=matter, source=source, natural_key=natural_key
            ).first()
            if existing is not None:
                return _correct(existing, event_type=event_type, office_text=office_text[:500], params=params,
                                notify=notify)
            _validate(event)  # not held, so the insert was not tried: it is invalid, and this says why
            if not _insert_event(event):
                # Refused by its natural key, yet not there when read: another worker's, not yet visible.
                return OfficeEvent.objects.get(matter=matter, source=source, natural_key=natural_key), False
        if notify:
            send_office_events_changed(matter.pk)
        return event, True


def _correct(
    existing: OfficeEvent, *, event_type: EventType, office_text: str, params: dict, notify: bool
) -> tuple[OfficeEvent, bool]:
    """An event the docket holds, seen again: unchanged, nothing written; corrected by the office (its text, type
    or params), the row updated with its history."""
    changes = {"event_type": event_type, "office_text": office_text, "params": params}
    dirty = [name for name, value in changes.items() if getattr(existing, name) != value]
    if not dirty:
        return existing, False
    for name in dirty:
        setattr(existing, name, changes[name])
    _save(existing, update_fields=dirty)
    if notify:
        send_office_events_changed(existing.matter_id)
    return existing, True


def _validate(event: OfficeEvent) -> None:
    # The matter and event type are saved instances the caller holds: validating them would only ask the
    # database whether they exist (two queries per event; the foreign keys enforce it at insert anyway).
    event.full_clean(exclude=["matter", "event_type"], validate_unique=False, validate_constraints=False)


def _valid(event: OfficeEvent) -> bool:
    """Whether a new event could be stored as it is (an invalid one may still be a repeat of one held)."""
    try:
        _validate(event)
    except ValidationError:
        return False
    return True


def _insert_event(event: OfficeEvent) -> bool:
    """Store a new office event with its "+" history row; False when the same event (its natural key) was
    stored meanwhile by another worker.

    PostgreSQL: one INSERT … ON CONFLICT DO NOTHING and the history row sealed and inserted as plain SQL
    (``docketapp.plain_rows``): no savepoint, and none of Django's per-value preparation, for the commonest
    write of a sync. Elsewhere: Django's save in a savepoint, the unique constraint's IntegrityError meaning
    the same."""
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            return False
        return True
    ids = insert_rows(OfficeEvent, [event], returning=True, conflict_ignored=True)
    if not ids:
        return False
    event.pk = ids[0]
    event._state.adding = False
    insert_sealed(OfficeEvent.history.model, [history_row(event, "+", timezone.now())])
    return True


def touch_matter_sync(*, matter: Matter, changed: bool, when: dt.datetime | None = None) -> None:
    """Record a successful sync (and whether it changed anything) on the matter."""
    require_attribution()
    when = when or timezone.now()
    matter.last_synced = when
    fields = ["last_synced"]
    if changed:
        matter.last_changed = when
        fields.append("last_changed")
    matter.save(update_fields=fields)


def close_matter(*, matter: Matter, user, reason: str) -> Matter:
    """Take a matter off the active docket (and out of the sync) with a reason; never deleted.

    Runs inside the caller's transaction and attribution. What becomes of its deadlines is the deadline
    app's business: the site layer (docketapp.pages.matter_actions) calls both.
    """
    require_attribution()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the matter is closed (e.g. client instructed to abandon)."})
    # NO KEY UPDATE: serialises with a recompute's lock, lets a foreign-key check at another's COMMIT through.
    locked = Matter.objects.select_for_update(no_key=True).get(pk=matter.pk)
    if locked.closed_at is not None:
        raise ValidationError({"reason": f"{locked.reference} is already closed."})
    locked.closed_at = timezone.now()
    locked.closed_by = user
    locked.closed_reason = reason[:500]
    locked.save(update_fields=["closed_at", "closed_by", "closed_reason", "updated_at"])
    return locked


def reopen_matter(*, matter: Matter) -> Matter:
    """Put a closed matter back on the active docket (inside the caller's transaction and attribution)."""
    require_attribution()
    # NO KEY UPDATE: serialises with a recompute's lock, lets a foreign-key check at another's COMMIT through.
    locked = Matter.objects.select_for_update(no_key=True).get(pk=matter.pk)
    if locked.closed_at is None:
        raise ValidationError({"reason": f"{locked.reference} is not closed."})
    locked.closed_at = None
    locked.closed_by = None
    locked.closed_reason = ""
    locked.save(update_fields=["closed_at", "closed_by", "closed_reason", "updated_at"])
    return locked


__all__ = [
    "MatterData",
    "close_matter",
    "reopen_matter",
    "add_team_member",
    "attributed",
    "ensure_client",
    "ensure_event_type",
    "notify_events_recorded",
    "record_office_event",
    "set_priority_claims",
    "touch_matter_sync",
    "upsert_matter",
    "validate_matter",
]
