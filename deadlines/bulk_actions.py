"""The docket's bulk actions: verify, reassign and mark done many deadlines at once.

Each applies the single-deadline action's own checks (``deadlines.actions``) to every row and writes every
row's history with that action's reason, so a bulk change reads in the history exactly like one made on the
deadline's page. A row the user may not act on is refused with its reason and reported, never skipped. The
number of queries does not grow with the selection: the rows are locked and read in one query, creators and
versions in one each, and the changes are stored with simple-history's bulk helpers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from docketapp.audit import attributed, history_kwargs, set_change_reason
from patents.models import Matter

from . import actions
from .models import Deadline

MAX_SELECTION = 500


@dataclass
class BulkOutcome:
    """What happened to each selected deadline: changed, or refused with the reason shown to the user."""

    changed: list[Deadline] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (which deadline, why not)

    def refuse(self, deadline: Deadline, reason: str) -> None:
        self.refused.append((label(deadline), reason))


def label(deadline: Deadline) -> str:
    return f"{deadline.matter.reference} – {deadline.title}"


def _locked_selection(deadlines: QuerySet, ids: list[int], outcome: BulkOutcome) -> list[Deadline]:
    """The selected rows the user may see, locked, in the order selected; the others are reported."""
    if len(ids) > MAX_SELECTION:
        raise actions.ActionRefused(f"Select at most {MAX_SELECTION} deadlines at once.")
    rows = deadlines.select_for_update(of=("self",)).select_related("matter").in_bulk(ids)
    for pk in ids:
        if pk not in rows:
            outcome.refused.append((f"Deadline #{pk}", "Not found among the deadlines you may see."))
    return [rows[pk] for pk in ids if pk in rows]


def _store(rows: list[Deadline], fields: list[str], *, reason: str, user: Any) -> None:
    if not rows:
        return
    now = timezone.now()
    for row in rows:
        row.updated_at = now  # bulk_update does not fill auto_now fields
    with attributed(reason=reason, user=user):
        bulk_update_with_history(rows, Deadline, sorted({*fields, "updated_at"}), batch_size=500, **history_kwargs())


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def verify_many(
    *,
    deadlines: QuerySet,
    ids: list[int],
    user: Any,
    seen: dict[int, int] | None = None,
    seen_at: dict[int, dt.datetime] | None = None,
) -> BulkOutcome:
    """Verify every selected deadline the user may verify (never their own change or creation); each keeps
    its own history row naming the verifier. What the user looked at, to refuse a row changed since: ``seen``
    (id → the history version, as on the verification queue) or ``seen_at`` (id → its ``updated_at``, which
    every write moves, as on the docket, where reading the versions would cost a query)."""
    outcome = BulkOutcome()
    ids = _unique(ids)
    with transaction.atomic():
        rows = _locked_selection(deadlines, ids, outcome)
        creators = actions.creator_ids([r.pk for r in rows])
        versions = actions.current_versions([r.pk for r in rows]) if seen else {}
        for row in rows:
            refusal = actions.verification_refusal(row, user, creator=creators.get(row.pk))
            if refusal is None and seen and row.pk in seen and versions.get(row.pk, 0) != seen[row.pk]:
                refusal = actions.CHANGED_SINCE_SEEN
            if refusal is None and seen_at and row.pk in seen_at and row.updated_at != seen_at[row.pk]:
                refusal = actions.CHANGED_SINCE_SEEN
            if refusal:
                outcome.refuse(row, refusal)
                continue
            set_change_reason(row, actions.verify_reason(row))
            actions.apply_verification(row, user=user)
            outcome.changed.append(row)
        _store(outcome.changed, ["verified_by", "verified_at"], reason="verified in bulk", user=user)
    return outcome


def mark_done_many(
    *, deadlines: QuerySet, ids: list[int], user: Any, done_on: dt.date, evidence: dict[int, str]
) -> BulkOutcome:
    """Mark each selected deadline done with its own evidence note (``evidence``: id → note)."""
    from .reminders import sync_reminders_for_deadlines

    outcome = BulkOutcome()
    ids = _unique(ids)
    with transaction.atomic():
        rows = _locked_selection(deadlines, ids, outcome)
        fields: list[str] = []
        for row in rows:
            note = evidence.get(row.pk, "")
            try:
                actions.check_done_input(done_on=done_on, evidence=note)
                fields = actions.apply_done(row, user=user, done_on=done_on, evidence=note)
            except actions.ActionRefused as exc:
                outcome.refuse(row, " ".join(exc.messages))
                continue
            set_change_reason(row, actions.done_reason(done_on=done_on, evidence=note))
            outcome.changed.append(row)
        _store(outcome.changed, fields, reason="marked done in bulk", user=user)
        if outcome.changed:
            sync_reminders_for_deadlines(deadline_ids=[r.pk for r in outcome.changed])
    return outcome


def reassign_many(*, deadlines: QuerySet, ids: list[int], user: Any, responsible: Any, note: str = "") -> BulkOutcome:
    """Give each selected deadline to ``responsible`` where they may see its client."""
    outcome = BulkOutcome()
    ids = _unique(ids)
    reason = actions.reassign_reason(responsible=responsible, note=note)
    with transaction.atomic():
        rows = _locked_selection(deadlines, ids, outcome)
        matter_ids = {r.matter_id for r in rows}
        visible = set(Matter.objects.visible_to(responsible).filter(pk__in=matter_ids).values_list("pk", flat=True))
        for row in rows:
            refusal = actions.reassign_refusal(row, responsible=responsible, may_see_matter=row.matter_id in visible)
            if refusal:
                outcome.refuse(row, refusal)
                continue
            row.responsible = responsible
            set_change_reason(row, reason)
            outcome.changed.append(row)
        _store(outcome.changed, ["responsible"], reason=reason, user=user)
    return outcome
