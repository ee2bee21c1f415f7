"""Staff can read what was sent: the outbox page, with the raw message when the file backend is used."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlines.models import Delivery
from tests.factories import UserFactory

from .conftest import at, sweep

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 1)


def test_outbox_shows_the_message_written_by_the_file_backend(make_deadline, settings, tmp_path, client):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.REMINDERS_DIGEST_HOUR = 23
    make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=3), 8))
    delivery = Delivery.objects.get(reminder__deadline__isnull=False)
    assert delivery.status == Delivery.Status.SENT
    client.force_login(UserFactory(username="staffer", is_staff=True))
    listing = client.get("/deadlines/outbox/?status=sent").content.decode()
    assert "Due in 3 days: [ACME-001]" in listing
    detail = client.get(f"/deadlines/outbox/{delivery.pk}/").content.decode()
    assert "Raw message (outbox folder)" in detail
    assert "To: paula@firm.test" in detail
    assert "Content-Type: text/html" in detail  # the HTML alternative travels with the text
