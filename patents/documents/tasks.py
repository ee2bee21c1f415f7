"""The reading task: OCR never runs in a web request. Registered through ``patents.tasks``."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


# Three limits, innermost first: the reader stops at DOCUMENT_OCR_TIME_LIMIT and refuses the file itself;
# Celery's soft limit raises in the task (the document is refused with that reason); the hard limit kills the
# child, and the document stays "being read" in the review queue (listed, never dropped) for a person.
# Idempotent (a document already read is left alone; one whose worker died is read again), so it is
# acknowledged late: a worker lost mid-reading leaves the message to be redelivered.
@shared_task(
    name="patents.read_document", acks_late=True, ignore_result=True,
    soft_time_limit=settings.DOCUMENT_OCR_SOFT_TIME_LIMIT, time_limit=settings.DOCUMENT_OCR_HARD_TIME_LIMIT,
)
def read_document_task(document_id: int) -> str:
    from .service import read_and_propose

    return read_and_propose(document_id=document_id).status
