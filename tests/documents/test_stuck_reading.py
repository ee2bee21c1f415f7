"""A reading that never finishes (the worker was killed, or the task hit its hard time limit) does not leave the
document "being read" for ever: the beat sweep marks it failed with the reason, attributed to the sweep, and it
waits in the review queue with "Read again", which a user who may see and decide it uses to queue it anew.

The sweep and the button are called here in-process (the beat task's function, the view over the test
client); the "killed worker" is a document a worker took up (``_claim_for_reading``, what the task does first)
that never got a result. A real worker killed by its hard limit, and the sweep after it, is in test_worker.py."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from patents.documents.service import (
    STUCK_REASON,
    _claim_for_reading,
    read_and_propose,
    reading_stale_after,
    receive_document,
)
from patents.documents.tasks import fail_stuck_document_readings
from patents.models import Document
from tests.documents.builders import pdf, us_office_action

pytestmark = pytest.mark.django_db


def _taken_up(docket, *, name: str = "oa.pdf", mailed: str = "03/04/2025") -> Document:
    """A document a worker took up for reading (and then died, as far as the docket can tell)."""
    received = receive_document(data=pdf([us_office_action(mailed=mailed)]), filename=name, matter=docket["matter"],
                                user=docket["pat"])
    claimed = _claim_for_reading(received.document.pk)
    assert claimed is not None and claimed.status == Document.Status.READING
    return claimed


def test_the_sweep_marks_a_reading_that_never_finished_as_failed_and_it_waits_in_the_queue(client, docket, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        stuck = _taken_up(docket)
    with time_machine.travel(start + reading_stale_after() - dt.timedelta(minutes=2), tick=False):
        live = _taken_up(docket, name="oa2.pdf", mailed="06/02/2025")  # taken up two minutes before the limit
    with time_machine.travel(start + reading_stale_after() + dt.timedelta(seconds=1), tick=False):
        assert fail_stuck_document_readings() == [stuck.pk]  # the beat task's body, in-process
    stuck.refresh_from_db()
    live.refresh_from_db()
    assert live.status == Document.Status.READING  # still within the limit: a worker may be on it
    assert stuck.status == Document.Status.FAILED
    minutes = round(reading_stale_after().total_seconds() / 60)  # hard limit + broker redelivery + margin
    assert stuck.status_reason.startswith(
        f"reading did not finish: the worker stopped or the time limit was hit (no result {minutes} minutes")
    record = stuck.history.latest()
    assert record.history_user is None and record.history_actor == "process:documents.stuck_reading_sweep"
    assert record.history_change_reason == f"document {stuck.pk}: {STUCK_REASON}"
    # Never dropped: it is in the queue of documents waiting for review, saying what happened, with the button.
    assert Document.objects.waiting_for_review().filter(pk=stuck.pk).exists()
    client.force_login(docket["pat"])
    queue = client.get(reverse("patents:document-queue")).content.decode()
    row = queue[queue.index(f'id="d{stuck.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "Reading failed: needs attention" in row and STUCK_REASON in row
    assert reverse("patents:document-read-again", args=[stuck.pk]) in row
    # The worker that was thought dead reports after all: the failure stands, it is not silently overwritten.
    assert read_and_propose(document_id=stuck.pk).status == Document.Status.FAILED
    assert settings.CELERY_BEAT_SCHEDULE["patents.fail_stuck_document_readings"]["options"]["expires"] > 0


def test_the_sweep_as_a_command(docket):
    stuck = _taken_up(docket)
    out = StringIO()
    call_command("fail_stuck_document_readings", "--minutes", "0", stdout=out)
    assert out.getvalue().strip() == f"1 document readings marked failed: [{stuck.pk}]"
    call_command("fail_stuck_document_readings", stdout=out)  # nothing else stuck: nothing else changes
    assert Document.objects.get().status == Document.Status.FAILED


def test_read_again_queues_the_reading_and_the_history_names_the_user(client, docket,
                                                                      django_capture_on_commit_callbacks):
    stuck = _taken_up(docket)
    call_command("fail_stuck_document_readings", "--minutes", "0", stdout=StringIO())
    client.force_login(docket["pat"])
    page = client.get(reverse("patents:document-review", args=[stuck.pk])).content.decode()
    assert 'id="read-again"' in page and STUCK_REASON in page
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("patents:document-read-again", args=[stuck.pk]), follow=True)
    assert f"Document {stuck.pk} is being read again" in response.content.decode()
    assert len(queued) == 1  # the reading task, sent once the change is committed
    stuck.refresh_from_db()
    assert (stuck.status, stuck.status_reason, stuck.reading_started_at) == (Document.Status.RECEIVED, "", None)
    record = stuck.history.latest()
    assert record.history_user == docket["pat"]
    assert record.history_change_reason == f"document {stuck.pk}: read again (was reading failed: needs attention)"
    # What the queued task does (called here in-process): read, propose, waiting for review.
    assert read_and_propose(document_id=stuck.pk).status == Document.Status.PROPOSED


def test_read_again_only_for_who_may_see_and_decide_it_by_post_with_csrf(client, docket):
    stuck = _taken_up(docket)
    call_command("fail_stuck_document_readings", "--minutes", "0", stdout=StringIO())
    url = reverse("patents:document-read-again", args=[stuck.pk])
    client.force_login(docket["bob"])  # another client's paralegal: no such document
    assert client.post(url).status_code == 404
    client.force_login(docket["reader"])  # sees the matter, may not decide documents
    page = client.post(url, follow=True).content.decode()
    assert "you may not decide documents" in page
    assert 'id="read-again"' not in page
    client.force_login(docket["pat"])
    assert client.get(url).status_code == 405
    strict = HttpClient(enforce_csrf_checks=True)
    strict.force_login(docket["pat"])
    assert strict.post(url).status_code == 403
    assert Document.objects.get().status == Document.Status.FAILED  # none of these changed anything


def test_a_proposal_is_decided_not_read_again(client, docket):
    document = read_and_propose(document_id=_taken_up(docket).pk)
    assert document.status == Document.Status.PROPOSED
    client.force_login(docket["pat"])
    page = client.post(reverse("patents:document-read-again", args=[document.pk]), follow=True).content.decode()
    assert "only a document whose reading failed, was refused or found nothing is read again" in page
    assert Document.objects.get().status == Document.Status.PROPOSED
