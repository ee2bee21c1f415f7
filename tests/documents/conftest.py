"""Documents tests: a private storage location per test, two clients, and a paralegal who may upload.

Reading tests need Tesseract (Debian's tesseract-ocr + eng/deu/fra/jpn data, installed by .ci/run)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from docketapp.audit import attributed
from patents.documents.reading import tesseract_available
from patents.models import Client, Matter, TeamMembership
from tests.conftest import skip_or_fail


@pytest.fixture
def tesseract():
    if not tesseract_available():
        skip_or_fail("needs Tesseract: apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu "
                     "tesseract-ocr-fra tesseract-ocr-jpn")


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path):
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                      "OPTIONS": {"location": str(location), "base_url": "/no-public-url/"}},
    }
    return location


def stored_files(location) -> list:
    return [p for p in location.rglob("*") if p.is_file()] if location.exists() else []


def _user(username: str, client: Client, *perms: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="patents", codename__in=perms))
    TeamMembership.objects.create(user=user, client=client, role=TeamMembership.Role.PARALEGAL)
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def docket(db):
    """Client ACME with a US matter (application 17/123,456) and its paralegal; client BETA with its own."""
    from patents.normalize import seed_code_mappings

    seed_code_mappings()  # the seeded event types (a transactional test elsewhere may have flushed them)
    with attributed(reason="test set-up", process="tests"):
        acme = Client.objects.create(reference="ACME", name="Acme Batteries GmbH")
        beta = Client.objects.create(reference="BETA", name="Beta Corp")
        matter = Matter.objects.create(client=acme, reference="ACME-001", office="US", title="Lattice anode",
                                       application_number="17/123,456", filing_date=dt.date(2021, 3, 15))
        other = Matter.objects.create(client=beta, reference="BETA-001", office="US", title="Beta widget",
                                      application_number="17/999,888", filing_date=dt.date(2021, 5, 1))
        pat = _user("pat", acme, "add_document", "change_document")
        reader = _user("reader", acme)  # sees the matter, may neither upload nor decide
        bob = _user("bob", beta, "add_document", "change_document")
    return {"acme": acme, "beta": beta, "matter": matter, "other": other, "pat": pat, "reader": reader, "bob": bob}
