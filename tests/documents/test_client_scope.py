"""The same file is recognised within one client, never across clients.

Before: ``Document.sha256`` was unique over the whole docket, so when client BETA's paralegal uploaded a letter
client ACME already had, the answer was "already received as document N" — ACME's document, named to BETA —
and BETA's upload was refused. Now each client has its own document of the file (the bytes are stored once,
served only through a document the user may see), and within one client the same file is still recognised.
"""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from patents.documents.service import accept_document, read_and_propose, receive_document
from patents.models import Document
from tests.documents.builders import pdf, us_office_action
from tests.documents.conftest import stored_files

pytestmark = pytest.mark.django_db


def _upload(client, user, matter, name: str, data: bytes) -> str:
    client.force_login(user)
    response = client.post(reverse("patents:document-upload", args=[matter.pk]),
                           {"files": [SimpleUploadedFile(name, data)]}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _names(text: str, document: Document) -> bool:
    return re.search(rf"document {document.pk}\b", text) is not None


def test_another_client_uploading_the_same_file_gets_its_own_document_and_hears_nothing_of_the_first(
        client, docket, document_storage):
    data = pdf([us_office_action(number="17/999,888")])  # the same letter, forwarded to both firms' clients
    _upload(client, docket["pat"], docket["matter"], "oa.pdf", data)
    acme_document = Document.objects.get()
    page = _upload(client, docket["bob"], docket["other"], "letter.pdf", data)
    beta_document = Document.objects.exclude(pk=acme_document.pk).get()
    assert f"letter.pdf received as document {beta_document.pk}" in page
    assert "already" not in page and not _names(page, acme_document) and "ACME" not in page
    assert (beta_document.matter, beta_document.client, beta_document.uploaded_by) == (
        docket["other"], docket["beta"], docket["bob"])
    assert acme_document.client == docket["acme"]
    # One copy of the bytes; each client downloads it through its own document only.
    assert len(stored_files(document_storage)) == 1
    assert client.get(reverse("patents:document-file", args=[beta_document.pk])).status_code == 200
    assert client.get(reverse("patents:document-file", args=[acme_document.pk])).status_code == 404


def test_within_one_client_the_same_file_on_another_matter_is_recognised(client, docket, document_storage):
    from docketapp.audit import attributed
    from patents.models import Matter

    with attributed(reason="test set-up", process="tests"):
        second = Matter.objects.create(client=docket["acme"], reference="ACME-002", office="US", title="Cathode",
                                       application_number="17/222,333")
    data = pdf([us_office_action()])
    _upload(client, docket["pat"], docket["matter"], "oa.pdf", data)
    page = _upload(client, docket["pat"], second, "oa-again.pdf", data)
    document = Document.objects.get()
    assert f"oa-again.pdf was already received as document {document.pk} (ACME-001)" in page
    assert len(stored_files(document_storage)) == 1


def _ingest(*args) -> dict:
    out = StringIO()
    call_command("ingest_document", *args, "--json", stdout=out)
    (line,) = [json.loads(line) for line in out.getvalue().splitlines()]
    return line


def test_the_command_files_the_same_file_for_each_client_and_recognises_it_within_one(docket, tmp_path):
    path = tmp_path / "oa.pdf"
    path.write_bytes(pdf([us_office_action(number="17/999,888")]))
    acme = _ingest("--matter", "ACME-001", str(path))
    beta = _ingest("--matter", "BETA-001", str(path))
    assert beta["document"] != acme["document"] and beta["matter"] == "BETA-001" and "message" not in beta
    again = _ingest("--matter", "BETA-001", str(path))
    assert again["document"] == beta["document"]
    assert again["message"] == f"already received as document {beta['document']}"
    assert Document.objects.count() == 2


def test_a_file_without_a_matter_is_matched_only_among_the_uploaders_matters(docket):
    # BETA's paralegal sends a letter naming ACME's application: it must not land on ACME's matter.
    received = receive_document(data=pdf([us_office_action()]), filename="oa.pdf", user=docket["bob"])
    document = read_and_propose(document_id=received.document.pk)
    assert document.matter is None and document.client is None
    assert document.status_reason == "no matter in the docket has application number 17123456 (US)"
    assert Document.objects.visible_to(docket["bob"]).filter(pk=document.pk).exists()
    assert not Document.objects.visible_to(docket["pat"]).filter(pk=document.pk).exists()


def test_a_document_whose_client_already_has_the_file_is_left_for_a_person_not_filed_twice(client, docket):
    data = pdf([us_office_action()])
    filed = receive_document(data=data, filename="oa.pdf", matter=docket["matter"], user=docket["pat"]).document
    # The process takes the same file in without a matter (before: one global document for both).
    loose = receive_document(data=data, filename="scan-batch-7.pdf").document
    assert loose.pk == filed.pk  # the process (an operator who sees the whole docket) is told of it
    own = receive_document(data=data, filename="mine.pdf", user=docket["pat"]).document
    assert own.pk != filed.pk and own.matter is None
    own = read_and_propose(document_id=own.pk)
    assert own.matter is None
    assert own.status_reason.startswith(f"the same file is already document {filed.pk} of ACME-001")
    with pytest.raises(ValidationError, match=f"already document {filed.pk} of ACME-001"):
        accept_document(document=own, user=docket["pat"], matter=docket["matter"])
