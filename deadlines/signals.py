"""How the deadline engine reacts to office events recorded in patents (patents.signals documents them)."""

from __future__ import annotations

from typing import Any

from patents.signals import office_events_changed, office_events_committed

from .services import mark_recompute_pending
from .tasks import schedule_recompute


def mark_pending(sender: Any, matter_id: int, **kwargs: Any) -> None:
    # Inside the event's transaction: the need to recompute commits (or rolls back) with the event.
    mark_recompute_pending(matter_id)


def queue_recompute(sender: Any, matter_id: int, **kwargs: Any) -> None:
    # After the commit: the recompute task reads committed events; the mark above covers a lost task.
    schedule_recompute(matter_id)


def connect_office_event_receivers() -> None:
    office_events_changed.connect(mark_pending, dispatch_uid="deadlines.mark_pending")
    office_events_committed.connect(queue_recompute, dispatch_uid="deadlines.queue_recompute")
