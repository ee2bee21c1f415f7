"""The client's instruction per renewal fee: pay, let lapse, or undecided (docs/renewals.md).

One function, one transaction, attributed to the user who records it. "Let lapse" closes the deadline
with status ``let_lapse`` and a reason naming the instruction, the person and the day; the matter's
lifecycle is not touched (the office's later lapse fact does that, through the engine). "Pay" keeps the
deadline open until the office reports the payment (the rule's ``answered_by`` codes close it). Changing
one's mind reopens a let-lapse deadline; every decision stays in the instruction's history.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from docketapp.audit import attributed

from .actions import ActionRefused
from .formatting import STORED, fmt_date
from .models import NEEDS_ACTION, Deadline, RenewalInstruction

Decision = RenewalInstruction.Decision


def record_instruction(*, deadline: Deadline, decision: str, user: Any, note: str = "") -> RenewalInstruction:
    """Record ``decision`` for the renewal ``deadline`` (ActionRefused, nothing written, when not allowed)."""
    if decision not in Decision.values:
        raise ActionRefused(f"Unknown instruction {decision!r}: choose pay, let lapse or undecided.")
    note = (note or "").strip()
    label = Decision(decision).label.lower()
    now = timezone.now()
    reason = f"renewal instruction: {label}" + (f" ({note})" if note else "")
    with transaction.atomic(), attributed(reason=reason, user=user):
        locked = Deadline.objects.select_for_update().select_related("matter").get(pk=deadline.pk)
        if not locked.is_renewal:
            raise ActionRefused("Only renewal fees, annuities and maintenance fees take a pay / let lapse instruction.")
        reopening = locked.status == Deadline.Status.LET_LAPSE
        if locked.status not in NEEDS_ACTION and not reopening:
            raise ActionRefused(
                f"This fee is {locked.get_status_display().lower()}: there is nothing left to instruct."
            )
        # One history row per decision: build the first one in memory rather than get_or_create it undecided.
        instruction = RenewalInstruction.objects.select_for_update().filter(deadline=locked).first()
        instruction = instruction or RenewalInstruction(deadline=locked)
        instruction.decision = decision
        instruction.decided_by = user
        instruction.decided_at = now
        instruction.note = note
        instruction.save()
        if decision == Decision.LET_LAPSE:
            _close_let_lapse(locked, user=user, note=note, now=now)
        elif reopening:
            _reopen(locked, user=user)
        _sync_reminders(locked)
    return instruction


def _close_let_lapse(deadline: Deadline, *, user: Any, note: str, now) -> None:
    who = user.get_full_name() or user.get_username()
    deadline.status = Deadline.Status.LET_LAPSE
    deadline.closed_on = timezone.localdate(now)
    deadline.closed_reason = (
        f"Instructed to let lapse by {who} on {fmt_date(deadline.closed_on, STORED)}" + (f": {note}" if note else "")
        + ". The right lapses when the office says so; this docket does not mark the matter lapsed by itself."
    )
    deadline.last_changed_by, deadline.verified_by, deadline.verified_at = user, None, None
    deadline.save(update_fields=[
        "status", "closed_on", "closed_reason", "last_changed_by", "verified_by", "verified_at", "updated_at",
    ])


def _reopen(deadline: Deadline, *, user: Any) -> None:
    deadline.status = Deadline.Status.OPEN
    deadline.closed_on = None
    deadline.closed_reason = ""
    deadline.last_changed_by, deadline.verified_by, deadline.verified_at = user, None, None
    deadline.save(update_fields=[
        "status", "closed_on", "closed_reason", "last_changed_by", "verified_by", "verified_at", "updated_at",
    ])


def _sync_reminders(deadline: Deadline) -> None:
    from .reminders import sync_reminders_for_deadlines

    sync_reminders_for_deadlines(deadline_ids=[deadline.pk])
