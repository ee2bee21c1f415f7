"""Upload from the matter page: several files at once, each stored once, read later by the worker; scoped to
the users who can see the matter; the file is only ever served as a download to them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patents.models import Document
from tests.documents.builders import pdf, us_office_action
from tests.documents.conftest import stored_files

pytestmark = pytest.mark.django_db


def _upload(client, matter, *files):
    return client.post(reverse("patents:document-upload", args=[matter.pk]),
                       {"files": [SimpleUploadedFile(name, data) for name, data in files]}, follow=True)


def test_paralegal_uploads_several_files_at_once_and_each_waits_to_be_read(client, docket, document_storage,
                                                                              django_capture_on_commit_callbacks):
    client.force_login(docket["pat"])
    first, second = pdf([us_office_action()]), pdf([us_office_action(mailed="06/02/2025")])
    with django_capture_on_commit_callbacks() as queued:
        page = _upload(client, docket["matter"], ("oa.pdf", first), ("oa2.pdf", second))
    text = page.content.decode()
    documents = list(Document.objects.order_by("pk"))
    assert [d.file_name for d in documents] == ["oa.pdf", "oa2.pdf"]
    assert all(d.matter == docket["matter"] and d.status == "received" and d.uploaded_by == docket["pat"]
               for d in documents)
    assert all(d.content_type == "application/pdf" and len(d.sha256) == 64 for d in documents)
    assert f"received as document {documents[0].pk}" in text and "review queue" in text
    assert len(queued) == 2  # one reading task per new document, sent once the rows are committed
    assert len(stored_files(document_storage)) == 2
    # Who uploaded it and why is in the history.
    record = documents[0].history.earliest()
    assert record.history_user == docket["pat"] and "document received for ACME-001" in record.history_change_reason


def test_the_same_file_twice_is_recognised_by_its_hash_and_not_stored_twice(client, docket, document_storage):
    client.force_login(docket["pat"])
    data = pdf([us_office_action()])
    _upload(client, docket["matter"], ("oa.pdf", data))
    page = _upload(client, docket["matter"], ("copy-of-oa.pdf", data))
    document = Document.objects.get()
    assert f"copy-of-oa.pdf was already received as document {document.pk}" in page.content.decode()
    assert len(stored_files(document_storage)) == 1


def test_another_clients_user_can_neither_upload_to_nor_see_the_matters_documents(client, docket, document_storage):
    client.force_login(docket["pat"])
    _upload(client, docket["matter"], ("oa.pdf", pdf([us_office_action()])))
    document = Document.objects.get()
    client.force_login(docket["bob"])
    response = client.post(reverse("patents:document-upload", args=[docket["matter"].pk]),
                           {"files": [SimpleUploadedFile("x.pdf", pdf([["other"]]))]})
    assert response.status_code == 404
    for name, args in (("patents:document-file", [document.pk]), ("patents:document-review", [document.pk]),
                       ("patents:document-page", [document.pk, 1])):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    queue = client.get(reverse("patents:document-queue", ) + "?status=all").content.decode()
    assert "oa.pdf" not in queue and "ACME-001" not in queue
    assert Document.objects.count() == 1 and len(stored_files(document_storage)) == 1


def test_upload_needs_the_add_document_permission(client, docket, document_storage):
    client.force_login(docket["reader"])
    page = client.get(docket["matter"].get_absolute_url()).content.decode()
    assert 'id="document-upload"' not in page
    response = client.post(reverse("patents:document-upload", args=[docket["matter"].pk]),
                           {"files": [SimpleUploadedFile("oa.pdf", pdf([us_office_action()]))]})
    assert response.status_code == 403
    assert not Document.objects.exists() and not stored_files(document_storage)


def test_the_file_is_served_only_as_a_download_that_nothing_can_run(client, docket):
    client.force_login(docket["pat"])
    data = pdf([us_office_action()])
    _upload(client, docket["matter"], ("oa.pdf", data))
    document = Document.objects.get()
    response = client.get(reverse("patents:document-file", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    # The storage has no public URL: the bytes are not under MEDIA or static files.
    assert "/media/" not in document.storage_name and not document.storage_name.startswith("/")
