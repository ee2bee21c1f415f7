"""A real Celery worker on PostgreSQL and Redis reads an uploaded scan (OCR in the worker, never in the web
request) and puts the proposal in the review queue; a reading that overruns the task's soft time limit ends
as a refused document with the reason, not a hung worker."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patents.models import Document
from tests.conftest import ROOT, redis_url
from tests.documents.builders import pdf, scan, us_office_action
from tests.sync.test_worker_end_to_end import _broker, _database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _worker(tmp_path, document_storage, **limits: str) -> subprocess.Popen:
    from docketapp.celery import app

    app.control.purge()  # messages left by earlier tests on this broker are not ours
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": _broker(), "REDIS_URL": redis_url(),
           "DOCUMENT_STORAGE_DIR": str(document_storage), "AUDIT_STRICT": "true", "DOCKETAPP_NO_BOOTSTRAP": "1",
           **limits}
    log = open(tmp_path / "worker.log", "w+")  # a file, not a pipe: a full pipe would stall the worker
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "docketapp", "worker", "-Q", "default", "-c", "1",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _read_by_worker(document: Document, timeout: float = 120.0) -> Document:
    end = time.monotonic() + timeout
    while document.status in (Document.Status.RECEIVED, Document.Status.READING):
        assert time.monotonic() < end, f"document {document.pk} still {document.status}"
        time.sleep(0.5)
        document.refresh_from_db()
    return document


def _upload(client, docket, data: bytes, name: str) -> Document:
    client.force_login(docket["pat"])
    response = client.post(reverse("patents:document-upload", args=[docket["matter"].pk]),
                           {"files": [SimpleUploadedFile(name, data)]})
    # The request only stores the file and queues the task: when it answers, nothing has been read yet (the
    # worker may have taken it up meanwhile). Not a stopwatch: on a loaded machine the request alone can take
    # seconds.
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.status in (Document.Status.RECEIVED, Document.Status.READING) and not document.reading
    return document


def test_a_worker_reads_an_uploaded_scan_and_proposes_its_event(client, docket, tmp_path, document_storage):
    worker = _worker(tmp_path, document_storage)
    try:
        document = _read_by_worker(_upload(client, docket, scan(us_office_action()), "scan.png"))
    finally:
        _stop(worker)
    assert document.status == Document.Status.PROPOSED, document.status_reason
    assert document.ocr_used and document.pages == 1 and document.matter == docket["matter"]
    assert document.extraction["proposed_event"] == {"code": "US.NON_FINAL_REJECTION", "date": "2025-03-04",
                                                     "params": {}}
    words = document.reading["pages"][0]["words"]
    assert words and all(0 <= confidence <= 100 for _, confidence, _ in words)
    assert document.history.latest().history_change_reason == "document read: proposal waiting for review"
    assert "Traceback" not in (tmp_path / "worker.log").read_text()


def test_a_reading_that_overruns_the_soft_time_limit_is_refused_not_hung(client, docket, tmp_path, document_storage,
                                                                         monkeypatch):
    from patents.documents.tasks import read_document_task

    # Celery puts the task's limits in the message when it is sent (here: by the upload request), from options
    # it caches on the task the first time it sends one.
    monkeypatch.setattr(read_document_task, "_exec_options", None)
    monkeypatch.setattr(read_document_task, "soft_time_limit", 1)
    monkeypatch.setattr(read_document_task, "time_limit", 60)
    worker = _worker(tmp_path, document_storage, DOCUMENT_OCR_SOFT_TIME_LIMIT="1", DOCUMENT_OCR_HARD_TIME_LIMIT="60")
    try:
        document = _read_by_worker(_upload(client, docket, scan(us_office_action() * 3), "long-scan.png"))
    finally:
        _stop(worker)
    assert document.status == Document.Status.REFUSED, (tmp_path / "worker.log").read_text()
    assert "reading took longer than 1 s (DOCUMENT_OCR_SOFT_TIME_LIMIT)" in document.status_reason
    assert Document.objects.waiting_for_review().filter(pk=document.pk).exists()



def _hard_limit_hit(log_path, document: Document, timeout: float = 120.0) -> str:
    """The worker's log once it reports the task killed by its hard time limit and its pool process gone (two
    lines, a moment apart)."""
    end = time.monotonic() + timeout
    while True:
        log = log_path.read_text()
        if all(line in log for line in ("Hard time limit (2s) exceeded for patents.read_document",
                                        "exited with 'signal 9 (SIGKILL)'")):
            return log
        document.refresh_from_db()
        assert time.monotonic() < end, (f"no hard time limit in the worker's log (document {document.status}: "
                                        f"{document.status_reason}):\n{log}")
        time.sleep(0.5)


def test_a_reading_killed_by_the_hard_time_limit_is_failed_by_the_sweep_and_the_worker_reads_on(
        client, docket, tmp_path, document_storage, monkeypatch, settings):
    """The outermost limit with a real worker: a reading that ignores the soft limit (here: there is none) is
    killed with its pool process at the hard limit. Celery acknowledges a timed-out task, so nothing reads it
    again: the document stays "being read" until the beat sweep marks it failed with the reason, in the review
    queue. The worker replaces the killed process and reads the next document.

    Celery arms the hard limit only once the soft one has fired, and a task without a soft limit of its own gets
    the worker's (CELERY_TASK_SOFT_TIME_LIMIT, 300 s): so the soft limit is off here in the message, the task and
    the worker, and the 2 s hard limit is the only one. (The earlier attempt left the worker's on: the hard limit
    then waited for it, and the reading finished first.)"""
    import time_machine
    from django.utils import timezone

    from patents.documents.service import STUCK_REASON, reading_stale_after
    from patents.documents.tasks import fail_stuck_document_readings, read_document_task

    monkeypatch.setattr(read_document_task, "_exec_options", None)
    monkeypatch.setattr(read_document_task, "soft_time_limit", None)
    monkeypatch.setattr(read_document_task, "time_limit", 2)
    settings.DOCUMENT_OCR_HARD_TIME_LIMIT = 2  # the sweep's clock: hard limit + broker redelivery + margin
    worker = _worker(tmp_path, document_storage, DOCUMENT_OCR_SOFT_TIME_LIMIT="0", CELERY_TASK_SOFT_TIME_LIMIT="0",
                     DOCUMENT_OCR_HARD_TIME_LIMIT="2")
    try:
        killed = _upload(client, docket, scan(us_office_action() * 6), "long-scan.png")  # 5 s of OCR here
        _hard_limit_hit(tmp_path / "worker.log", killed)
        killed.refresh_from_db()
        assert killed.status == Document.Status.READING and not killed.reading  # killed mid-way: no result
        with time_machine.travel(timezone.now() + reading_stale_after() + dt.timedelta(seconds=1), tick=False):
            assert fail_stuck_document_readings() == [killed.pk]
        killed.refresh_from_db()
        assert killed.status == Document.Status.FAILED and killed.status_reason.startswith(STUCK_REASON)
        assert Document.objects.waiting_for_review().filter(pk=killed.pk).exists()
        # The same worker, its pool process replaced, reads the next upload to the end (a born-digital PDF:
        # well inside the 60 s limit it is sent with).
        monkeypatch.setattr(read_document_task, "_exec_options", None)
        monkeypatch.setattr(read_document_task, "time_limit", 60)
        client.post(reverse("patents:document-upload", args=[docket["matter"].pk]),
                    {"files": [SimpleUploadedFile("oa.pdf", pdf([us_office_action(mailed="06/02/2025")]))]})
        after = _read_by_worker(Document.objects.exclude(pk=killed.pk).get())
    finally:
        _stop(worker)
    assert after.status == Document.Status.PROPOSED, after.status_reason
