"""Celery tasks of the office sync: ids in, a service call, errors mapped to retry / record (STYLE.md).

Both are routed to the ``office_sync`` queue (CELERY_TASK_ROUTES: ``patents.sync_*``). The clients are
built with ``max_wait=0``: when the shared throttle says "not now" the task gives its worker slot back
with ``retry(countdown=wait)`` instead of sleeping.
"""

from __future__ import annotations

from celery import shared_task

from .clients.errors import OfficeError


@shared_task(name="patents.sync_office", ignore_result=True)
def sync_office(office: str, trigger: str = "schedule") -> int:
    """Beat entry (one per office): pick the stale matters, enqueue one batch task per request batch."""
    from . import sync

    return sync.enqueue_sync(office=office, trigger=trigger).pk


@shared_task(bind=True, name="patents.sync_batch", acks_late=True, max_retries=None, ignore_result=True)
def sync_batch(self, run_id: int, office: str, matter_ids: list[int], failures: int = 0) -> dict:
    """One batch; idempotent (unchanged answers write nothing, events are upserts), so acks_late is safe.

    ``failures`` counts transient failures only: waiting for our own throttle is not a failure and must
    not grow the backoff.
    """
    from . import sync

    pending = sync.pending_count(run_id=run_id, office=office, matter_ids=matter_ids)
    try:
        outcome = sync.sync_matters(run_id=run_id, office=office, matter_ids=matter_ids)
    except (OfficeError, sync.MalformedPayload) as exc:
        throttled = isinstance(exc, sync.ThrottledError)
        if sync.pending_count(run_id=run_id, office=office, matter_ids=matter_ids) < pending:
            failures = 0  # this attempt got somewhere: back off from the start again
        attempt = self.request.retries if throttled else failures
        countdown = sync.retry_countdown(exc, attempt=attempt) if exc.retryable else None
        if countdown is None:
            sync.record_failure(run_id=run_id, office=office, matter_ids=matter_ids, exc=exc,
                                deferred=bool(exc.retryable))
            sync.finish_batch(run_id)
            return {"failed": type(exc).__name__}
        sync.note_retry(run_id)
        raise self.retry(
            args=[run_id, office, matter_ids], kwargs={"failures": failures + (0 if throttled else 1)},
            countdown=countdown, exc=exc,
        ) from None
    except Exception as exc:  # noqa: BLE001 - mapped below: retried with back-off, then recorded
        # Before this, e.g. an unreachable throttle Redis failed the task with a traceback, the message was
        # acked, and the run stayed "running" forever with nothing on the sync page.
        failure = sync.UnexpectedFailure(f"{type(exc).__name__}: {exc}")
        countdown = sync.retry_countdown(failure, attempt=failures)
        if countdown is None:
            sync.record_failure(run_id=run_id, office=office, matter_ids=matter_ids, exc=failure)
            sync.finish_batch(run_id)
            return {"failed": type(exc).__name__}
        if failures == 0:
            sync.record_failure(run_id=run_id, office=office, matter_ids=matter_ids, exc=failure, deferred=True)
        sync.note_retry(run_id)
        raise self.retry(
            args=[run_id, office, matter_ids], kwargs={"failures": failures + 1}, countdown=countdown, exc=failure,
        ) from None
    sync.finish_batch(run_id)
    return {"synced": len(outcome.synced), "events_created": outcome.events_created}


@shared_task(name="patents.process_pending_payloads", ignore_result=True)
def process_pending_payloads() -> dict:
    """Beat: apply office answers that were stored but never applied (a worker died in between)."""
    from .ingestion import process_pending_payloads as sweep

    return sweep()


@shared_task(name="patents.close_interrupted_runs", ignore_result=True)
def close_interrupted_runs() -> list[int]:
    """Beat: close sync runs whose worker is gone as "interrupted", with the reason."""
    from . import sync

    return sync.close_interrupted_runs()


# Registered with Celery through this module (autodiscovery imports each app's ``tasks``).
from .documents.tasks import fail_stuck_document_readings, read_document_task  # noqa: E402, F401
