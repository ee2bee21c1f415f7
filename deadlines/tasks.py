"""Celery tasks of the deadlines app: take ids, call a service (see STYLE.md)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

log = logging.getLogger(__name__)

# --- Reminders: the sweep and re-planning after a change (logic in deadlines.reminders) -----------------


@shared_task(name="deadlines.send_due_reminders", ignore_result=True)
def send_due_reminders() -> dict:
    """Beat, every five minutes: send what is due (idempotent; concurrent runs never send twice)."""
    from deadlines import reminders

    return reminders.send_due_reminders(helpers=_ask_for_helpers)


def _ask_for_helpers(now: dt.datetime, count: int) -> None:
    # A large backlog (after downtime, an import): other workers drain it too, with the sweep's own clock.
    for _ in range(count):
        drain_due_reminders.apply_async(args=[now.isoformat()], expires=3600)


@shared_task(name="deadlines.drain_due_reminders", ignore_result=True)
def drain_due_reminders(now: str) -> dict:
    """Helper of a sweep with a large backlog: claim and send batches until nothing is due at ``now``."""
    from deadlines import reminders

    return reminders.drain_due_reminders(now=dt.datetime.fromisoformat(now))


@shared_task(name="deadlines.sync_reminders_for_deadlines", ignore_result=True)
def sync_reminders_for_deadlines(deadline_ids: list[int]) -> dict:
    from deadlines import reminders

    return reminders.sync_reminders_for_deadlines(deadline_ids=deadline_ids)


@shared_task(name="deadlines.sync_reminders_for_open_deadlines", ignore_result=True)
def sync_reminders_for_open_deadlines(client_id: int | None = None, kind: str = "") -> dict:
    """After a reminder policy changed in the admin: re-plan the open deadlines it covers."""
    from deadlines import reminders

    return reminders.sync_reminders_for_open_deadlines(client_id=client_id, kind=kind)


# --- Deadline engine ----------------------------------------------------------------------------------


@shared_task(name="deadlines.recompute_deadlines", acks_late=True, ignore_result=True)
def recompute_deadlines(matter_id: int, reason: str = "office event recorded or changed") -> dict:
    """Recompute one matter (idempotent, so a redelivered task is harmless)."""
    from deadlines import services

    return services.recompute_deadlines(matter_id=matter_id, reason=reason).summary()


def schedule_recompute(matter_id: int, reason: str = "office event recorded or changed") -> None:
    """Run once an office event committed (deadlines.signals): queue the matter's recompute.

    The need is already recorded in the database (``mark_recompute_pending``, same transaction as the
    event), so a broker that is down costs a delay, not a deadline: the failure is logged, the caller (a
    page, a sync batch) carries on, and ``recompute_pending`` catches up once the broker is back.
    """
    try:
        recompute_deadlines.delay(matter_id, reason)
    except Exception as exc:  # noqa: BLE001 - any broker/transport error; the pending mark is the fallback
        log.warning("recompute of matter %s not queued (%s: %s); the recompute-pending sweep will do it",
                    matter_id, type(exc).__name__, exc)


@shared_task(name="deadlines.recompute_pending", ignore_result=True)
def recompute_pending() -> dict:
    """Beat, every five minutes: recompute matters whose recompute task was lost (broker down, worker gone)."""
    from deadlines import services

    return services.recompute_pending()


RECOMPUTE_CHUNK = 2000  # matters per chunk task of the nightly pass (a few seconds of work each)


@shared_task(name="deadlines.recompute_chunk", acks_late=True, ignore_result=True)
def recompute_chunk(matter_ids: list[int], reason: str = "nightly recompute") -> dict:
    """One chunk of a full pass: these matters, in transactions of ``recompute_matters``' own chunk size.

    Idempotent (an unchanged matter is skipped by its inputs key), so a redelivered chunk is harmless; chunks
    are disjoint and each matter is locked while it is computed, so any number of workers may run them in
    any order (tests/deadlines/test_recompute_skip.py)."""
    from deadlines import services

    return services.recompute_matters(matter_ids=matter_ids, reason=reason).summary()


@shared_task(name="deadlines.recompute_all", ignore_result=True)
def recompute_all(chunk_size: int | None = None) -> dict:
    """Beat, nightly: recompute every matter whose inputs changed, so states that move with time (a term
    ends, a grace period ends) and facts about other matters (a PCT phase matter created, a later application
    claiming a provisional) reach the docket without a new event. Matters whose inputs key is unchanged are
    skipped (deadlines.services.input_keys). Also `python manage.py deadlines recompute`.

    The pass is spread over the workers: one ``recompute_chunk`` task per chunk of matter ids, so it scales
    out with the workers that consume the queue. A chunk that cannot be queued (broker gone) is marked
    pending in the database, so the recompute-pending sweep does it: nothing is dropped."""
    from deadlines import services

    size = chunk_size or RECOMPUTE_CHUNK
    ids = services.all_engine_matter_ids()
    queued = unqueued = 0
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        try:
            recompute_chunk.delay(chunk, "nightly recompute")
            queued += 1
        except Exception as exc:  # noqa: BLE001 - any broker/transport error; the pending marks are the fallback
            log.warning("nightly recompute chunk of %s matters not queued (%s: %s); marked pending",
                        len(chunk), type(exc).__name__, exc)
            services.mark_recompute_pending_many(chunk)
            unqueued += 1
    return {"matters": len(ids), "chunks_queued": queued, "chunks_marked_pending": unqueued}
