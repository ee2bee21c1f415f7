"""The reading task: OCR never runs in a web request. Registered through ``patents.tasks``."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


# Three limits, innermost first: the reader stops at DOCUMENT_OCR_TIME_LIMIT and refuses the file itself;
# Celery's soft limit raises in the task (the document is refused with that reason); the hard limit kills the
# child, and the document would stay "being read": the beat sweep below marks it failed (with the reason) in
# the review queue, where "Read again" queues it anew.
# Idempotent (a document already read is left alone; one whose worker died is read again), so it is
# acknowledged late: a worker lost mid-reading leaves the message to be redelivered.
@shared_task(
    name="patents.read_document", acks_late=True, ignore_result=True,
    soft_time_limit=settings.DOCUMENT_OCR_SOFT_TIME_LIMIT, time_limit=settings.DOCUMENT_OCR_HARD_TIME_LIMIT,
)
def read_document_task(document_id: int) -> str:
    from .service import read_and_propose

    return read_and_propose(document_id=document_id).status


@shared_task(name="patents.fail_stuck_document_readings", ignore_result=True)
def fail_stuck_document_readings() -> list[int]:
    """Beat: documents "being read" long past the hard time limit are marked failed, with the reason, and
    wait in the review queue for "Read again" (also `manage.py fail_stuck_document_readings`)."""
    from .service import fail_stuck_readings

    return fail_stuck_readings()
