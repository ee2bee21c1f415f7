"""What people do to deadlines from the dashboard: each action is one transaction, attributed to the user.

Two-person rule: any change made here (done, extension, waiver, a new manual deadline) leaves the deadline
*unverified*, with ``last_changed_by`` set to the person who made it. Only a different person can verify it,
and never the person who created it (``verify_deadline``). Views call these functions and nothing else.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from docketapp.audit import attributed
from patents.models import Matter, UserProfile

from .formatting import fmt_date
from .models import Deadline

VERIFY_REASON_PREFIX = "verified"


class ActionRefused(ValidationError):
    """The action is not allowed in the deadline's current state (shown to the user, nothing written)."""


def _locked(deadline: Deadline) -> Deadline:
    # Re-read under a row lock: two people acting on one deadline at once must not both succeed
    # on a stale copy.
    return Deadline.objects.select_for_update().get(pk=deadline.pk)


def _require_open(deadline: Deadline, action: str) -> None:
    if deadline.status != Deadline.Status.OPEN:
        raise ActionRefused(f"Cannot {action}: this deadline is {deadline.get_status_display().lower()}, not open.")


def _unverify(deadline: Deadline, user: Any) -> list[str]:
    deadline.last_changed_by = user
    deadline.verified_by = None
    deadline.verified_at = None
    return ["last_changed_by", "verified_by", "verified_at", "updated_at"]


def extension_options(deadline: Deadline) -> list[dict]:
    """The rule's ladder: each date the deadline can still be moved to by extension or grace.

    Read from the engine's explanation (``steps[op=extension].options``) so the dashboard offers exactly the
    dates the rule computed, never a date typed by hand.
    """
    options: list[dict] = []
    for step in (deadline.explanation or {}).get("steps", []) or []:
        if step.get("op") != "extension":
            continue
        grace = step.get("model") == "grace_surcharge"
        for option in step.get("options", []) or []:
            try:
                until = dt.date.fromisoformat(option["until"])
            except (KeyError, TypeError, ValueError):
                continue
            months = option.get("months")
            label = (
                f"{'Grace period with surcharge' if grace else 'Extension'}"
                f"{f' of {months} month' + ('s' if months != 1 else '') if months else ''}"
                f" – until {fmt_date(until)}"
            )
            options.append(
                {
                    "until": until,
                    "months": months,
                    "grace": grace,
                    "label": label,
                    "citation": step.get("citation", ""),
                }
            )
    return options


def check_done_input(*, done_on: dt.date, evidence: str) -> None:
    """What marking done requires of the person, whatever the deadline: evidence, and no future date."""
    if not evidence or not evidence.strip():
        raise ActionRefused("Say what shows it was done (e.g. the filing receipt number).")
    if done_on > timezone.now().date() + dt.timedelta(days=1):
        raise ActionRefused("The completion date cannot be in the future.")


def done_reason(*, done_on: dt.date, evidence: str) -> str:
    return f"marked done on {done_on.isoformat()}: {evidence.strip()}"


def apply_done(locked: Deadline, *, user: Any, done_on: dt.date, evidence: str) -> list[str]:
    """Mark a locked row done in memory (refused unless open); the fields to save."""
    _require_open(locked, "mark it done")
    locked.status = Deadline.Status.DONE
    locked.done_on = done_on
    locked.done_note = evidence.strip()
    return ["status", "done_on", "done_note", *_unverify(locked, user)]


def mark_done(*, deadline: Deadline, user: Any, done_on: dt.date, evidence: str) -> Deadline:
    check_done_input(done_on=done_on, evidence=evidence)
    with transaction.atomic(), attributed(reason=done_reason(done_on=done_on, evidence=evidence), user=user):
        deadline = _locked(deadline)
        deadline.save(update_fields=apply_done(deadline, user=user, done_on=done_on, evidence=evidence))
        _sync_reminders(deadline)
    return deadline


def record_extension(*, deadline: Deadline, user: Any, until: dt.date, reason: str) -> Deadline:
    if not reason or not reason.strip():
        raise ActionRefused("Say why the extension is taken (e.g. fee paid, request filed).")
    with transaction.atomic():
        locked = _locked(deadline)
        _require_open(locked, "record an extension")
        allowed = {o["until"]: o for o in extension_options(locked)}
        if until not in allowed:
            raise ActionRefused("Choose one of the dates the rule allows; this date is not on its ladder.")
        if until <= locked.effective_date:
            raise ActionRefused(
                f"{until.isoformat()} is not later than the current date {locked.effective_date.isoformat()}."
            )
        option = allowed[until]
        what = "grace period" if option["grace"] else "extension"
        with attributed(reason=f"{what} to {until.isoformat()}: {reason.strip()}", user=user):
            locked.extended_to = until
            locked.save(update_fields=["extended_to", *_unverify(locked, user)])
            _sync_reminders(locked)
    return locked


def waive(*, deadline: Deadline, user: Any, reason: str) -> Deadline:
    if not reason or not reason.strip():
        raise ActionRefused("A waiver needs a reason (e.g. client instructed to abandon).")
    with transaction.atomic(), attributed(reason=f"waived: {reason.strip()}", user=user):
        deadline = _locked(deadline)
        _require_open(deadline, "waive it")
        deadline.status = Deadline.Status.WAIVED
        deadline.waived_reason = reason.strip()
        deadline.save(update_fields=["status", "waived_reason", *_unverify(deadline, user)])
        _sync_reminders(deadline)
    return deadline


NOT_USED_REASON = "option not used"


def confirm_not_used(*, deadline: Deadline, user: Any) -> Deadline:
    """Close an optional act as "not used" (waived, reason ``NOT_USED_REASON``, attributed to the user): the
    one-click answer to "Windows passed — confirm not used". Only an optional act: for any other deadline
    not acting is a decision that needs its own reason (``waive``)."""
    if not deadline.optional:
        raise ActionRefused("Only an optional act can be closed as \"not used\"; waive it with a reason instead.")
    return waive(deadline=deadline, user=user, reason=NOT_USED_REASON)


def add_manual_deadline(
    *,
    matter: Matter,
    user: Any,
    title: str,
    kind: str,
    due_date: dt.date,
    reason: str,
    responsible: Any | None = None,
    citation: str = "",
) -> Deadline:
    if not reason or not reason.strip():
        raise ActionRefused("Say where this deadline comes from (e.g. client instruction of 3 May).")
    if kind not in Deadline.Kind.values:
        raise ActionRefused(f"Unknown kind {kind!r}.")
    with transaction.atomic(), attributed(reason=f"manual deadline added: {reason.strip()}", user=user):
        deadline = Deadline(
            matter=matter,
            key=f"manual:{uuid.uuid4().hex}",
            origin=Deadline.Origin.MANUAL,
            office=matter.office,
            title=title.strip(),
            kind=kind,
            due_date=due_date,
            responsible=responsible,
            citation=citation.strip(),
            explanation={
                "manual": {
                    "entered_by": user.get_username(),
                    "reason": reason.strip(),
                    "entered_at": timezone.now().isoformat(),
                }
            },
            last_changed_by=user,
        )
        deadline.full_clean()
        deadline.save()
        _sync_reminders(deadline)
    return deadline


def creator_id(deadline: Deadline) -> int | None:
    first = deadline.history.order_by("history_date", "history_id").only("history_user_id").first()
    return first.history_user_id if first else None


def creator_ids(ids: list[int]) -> dict[int, int | None]:
    """``creator_id`` for many deadlines in one query: the user of each one's first history row."""
    first_rows = Deadline.history.filter(id__in=ids).order_by().values("id").annotate(first=Min("history_id"))
    return dict(
        Deadline.history.filter(history_id__in=first_rows.values("first")).values_list("id", "history_user_id")
    )


_NOT_LOOKED_UP = object()


def verification_refusal(deadline: Deadline, user: Any, *, creator: Any = _NOT_LOOKED_UP) -> str | None:
    """Why ``user`` may not verify ``deadline`` right now, or None when they may. ``creator`` (a user id or
    None) saves the history query when the caller looked it up already (``creator_ids``)."""
    if deadline.status == Deadline.Status.SUPERSEDED:
        return "A superseded deadline is no longer live and needs no verification."
    if deadline.is_verified:
        return "Already verified."
    if deadline.last_changed_by_id is not None and deadline.last_changed_by_id == user.pk:
        return "You made the last change to this deadline; a second person must verify it."
    if (creator_id(deadline) if creator is _NOT_LOOKED_UP else creator) == user.pk:
        return "You created this deadline; a second person must verify it."
    return None


def current_version(deadline: Deadline) -> int:
    """The id of the newest history row: it changes with every recorded change, even within one clock tick."""
    latest = deadline.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return latest or 0


def current_versions(ids: list[int]) -> dict[int, int]:
    """``current_version`` for many deadlines in one query."""
    rows = Deadline.history.filter(id__in=ids).order_by().values("id").annotate(v=Max("history_id"))
    return {row["id"]: row["v"] for row in rows}


CHANGED_SINCE_SEEN = "This deadline changed after you opened it; review the new version and verify again."


def verify_reason(locked: Deadline) -> str:
    return (
        f"{VERIFY_REASON_PREFIX}: due {locked.effective_date.isoformat()}, "
        f"status {locked.get_status_display().lower()}"
    )


def apply_verification(locked: Deadline, *, user: Any) -> list[str]:
    locked.verified_by = user
    locked.verified_at = timezone.now()
    return ["verified_by", "verified_at", "updated_at"]


def verify_deadline(*, deadline: Deadline, user: Any, seen_version: int | None = None) -> Deadline:
    """Second-person confirmation. ``seen_version`` (see ``current_version``) guards against verifying a
    version of the deadline you did not see: someone may have changed it while you were reading."""
    with transaction.atomic():
        locked = _locked(deadline)
        if seen_version is not None and current_version(locked) != seen_version:
            raise ActionRefused(CHANGED_SINCE_SEEN)
        refusal = verification_refusal(locked, user)
        if refusal:
            raise ActionRefused(refusal)
        with attributed(reason=verify_reason(locked), user=user):
            locked.save(update_fields=apply_verification(locked, user=user))
    return locked


def reassign_refusal(deadline: Deadline, *, responsible: Any, may_see_matter: bool) -> str | None:
    """Why ``deadline`` cannot go to ``responsible``, or None. Only deadlines that still need action move, and
    only to an active person who may see the matter's client (else it would vanish from everyone's docket)."""
    if not deadline.needs_action:
        return f"Cannot reassign: this deadline is {deadline.get_status_display().lower()}, not open."
    if not responsible.is_active:
        return f"{responsible.get_username()} is not an active user."
    if not may_see_matter:
        return f"{responsible.get_username()} may not see this client's matters."
    return None


def reassign_reason(*, responsible: Any, note: str) -> str:
    return f"reassigned to {responsible.get_username()}" + (f": {note.strip()}" if note and note.strip() else "")


def reassign(*, deadline: Deadline, user: Any, responsible: Any, note: str = "") -> Deadline:
    """Give the deadline to another person. Who does the work is not part of what was verified (the date,
    the rule, the status), so a reassignment leaves the verification as it was; the history names who moved
    it, to whom and why."""
    may_see = Matter.objects.visible_to(responsible).filter(pk=deadline.matter_id).exists()
    with transaction.atomic(), attributed(reason=reassign_reason(responsible=responsible, note=note), user=user):
        locked = _locked(deadline)
        refusal = reassign_refusal(locked, responsible=responsible, may_see_matter=may_see)
        if refusal:
            raise ActionRefused(refusal)
        locked.responsible = responsible
        # Reminders find their recipients when they are sent, so nothing to re-plan here.
        locked.save(update_fields=["responsible", "updated_at"])
    return locked


def _profile_for_update(user: Any) -> UserProfile:
    profile = UserProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        profile = UserProfile(user=user)
        profile.save()
    return profile


def regenerate_ics_token(*, user: Any) -> str:
    """A new secret calendar URL; the old URL stops working at once.

    Returns the token: the only time it exists in clear. Only its hash is stored, so the caller shows it
    to the user now or never.
    """
    token = UserProfile.new_token()
    with transaction.atomic(), attributed(reason="calendar feed token regenerated", user=user):
        profile = _profile_for_update(user)
        profile.ics_token_hash = UserProfile.hash_token(token)
        profile.ics_token_created_at = timezone.now()
        profile.save(update_fields=["ics_token_hash", "ics_token_created_at"])
    return token


def revoke_ics_token(*, user: Any) -> None:
    with transaction.atomic(), attributed(reason="calendar feed token revoked", user=user):
        profile = _profile_for_update(user)
        if profile.ics_token_hash:
            profile.ics_token_hash = ""
            profile.ics_token_created_at = None
            profile.save(update_fields=["ics_token_hash", "ics_token_created_at"])


def _sync_reminders(deadline: Deadline) -> None:
    # Reminders follow the deadline in the same transaction: done/waived cancels what is scheduled, an
    # extension reschedules, a new deadline is announced by the next sweep (deadlines.reminders).
    from .reminders import sync_reminders_for_deadlines

    sync_reminders_for_deadlines(deadline_ids=[deadline.pk])
