"""What people do to a whole matter from the dashboard that touches both apps: close it (its open deadlines
become moot, naming who closed it and why) and reopen it (those deadlines open again, and the engine looks at
the matter afresh). patents never imports deadlines, so the two are joined here, in the site layer.

Each action is one transaction, attributed to the user with the reason.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from deadlines.models import Deadline
from deadlines.reminders import sync_reminders_for_deadlines
from docketapp.audit import attributed
from patents.models import Matter
from patents.services import close_matter, notify_events_recorded, reopen_matter

CLOSED_PREFIX = "matter closed by "


def close_matter_and_deadlines(*, matter: Matter, user: Any, reason: str) -> tuple[Matter, int]:
    """Close the matter and make its open deadlines moot; returns (matter, deadlines made moot)."""
    reason = (reason or "").strip()
    why = f"{CLOSED_PREFIX}{user.get_username()}: {reason}"
    with transaction.atomic(), attributed(reason=why, user=user):
        matter = close_matter(matter=matter, user=user, reason=reason)
        rows = list(Deadline.objects.select_for_update().filter(matter=matter, status=Deadline.Status.OPEN))
        today = timezone.now().date()
        for deadline in rows:
            deadline.status = Deadline.Status.MOOT
            deadline.closed_reason = why
            deadline.closed_on = today
            deadline.closed_by_event = None
            deadline.save(update_fields=["status", "closed_reason", "closed_on", "closed_by_event", "updated_at"])
        if rows:
            sync_reminders_for_deadlines(deadline_ids=[d.pk for d in rows])
    return matter, len(rows)


def reopen_matter_and_deadlines(*, matter: Matter, user: Any, reason: str) -> tuple[Matter, int]:
    """Reopen the matter and the deadlines its closing made moot, then have the engine recompute it (a fact
    recorded while it was closed counts); returns (matter, deadlines reopened)."""
    reason = (reason or "").strip() or "reopened in the dashboard"
    with transaction.atomic(), attributed(reason=f"matter reopened by {user.get_username()}: {reason}", user=user):
        matter = reopen_matter(matter=matter)
        rows = list(
            Deadline.objects.select_for_update().filter(
                matter=matter, status=Deadline.Status.MOOT, closed_reason__startswith=CLOSED_PREFIX
            )
        )
        for deadline in rows:
            deadline.status = Deadline.Status.OPEN
            deadline.closed_reason = ""
            deadline.closed_on = None
            deadline.save(update_fields=["status", "closed_reason", "closed_on", "updated_at"])
        if rows:
            sync_reminders_for_deadlines(deadline_ids=[d.pk for d in rows])
        notify_events_recorded(matter_id=matter.pk)
    return matter, len(rows)
