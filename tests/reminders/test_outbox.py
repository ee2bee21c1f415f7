"""Staff can read what was sent: the outbox page, with the raw message when the file backend is used."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlines.models import Delivery
from tests.factories import ClientFactory, TeamMembershipFactory, UserFactory

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
    staffer = UserFactory(username="staffer", is_staff=True)
    TeamMembershipFactory(user=staffer, client=delivery.reminder.deadline.matter.client)
    client.force_login(staffer)
    listing = client.get("/deadlines/outbox/?status=sent").content.decode()
    assert "Due in 3 days: [ACME-001]" in listing
    detail = client.get(f"/deadlines/outbox/{delivery.pk}/").content.decode()
    assert "Raw message (outbox folder)" in detail
    assert "To: paula@firm.test" in detail
    assert "Content-Type: text/html" in detail  # the HTML alternative travels with the text


def test_outbox_shows_staff_of_another_client_nothing_and_their_message_is_a_404(make_deadline, settings, client):
    settings.REMINDERS_DIGEST_HOUR = 23
    make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=3), 8))
    delivery = Delivery.objects.get(reminder__deadline__isnull=False)
    outsider = UserFactory(username="beta-staff", is_staff=True)
    TeamMembershipFactory(user=outsider, client=ClientFactory(reference="BETA"))
    client.force_login(outsider)
    listing = client.get("/deadlines/outbox/").content.decode()
    assert "ACME-001" not in listing and "paula@firm.test" not in listing
    assert "sent (0)" in listing  # the counts are scoped too
    assert client.get(f"/deadlines/outbox/{delivery.pk}/").status_code == 404


def test_a_colleagues_digest_stays_hidden_on_a_shared_client(make_deadline, team, settings, client):
    settings.REMINDERS_DIGEST_HOUR = 7
    make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=3), 8))
    digest = Delivery.objects.filter(reminder__deadline__isnull=True, recipient=team["paralegal"]).first()
    assert digest is not None
    team["attorney"].is_staff = True
    team["attorney"].save()
    client.force_login(team["attorney"])
    assert client.get(f"/deadlines/outbox/{digest.pk}/").status_code == 404
    client.force_login(team["paralegal"])
    team["paralegal"].is_staff = True
    team["paralegal"].save()
    assert client.get(f"/deadlines/outbox/{digest.pk}/").status_code == 200


def test_outbox_times_are_on_the_viewers_clock_with_the_zone_named(make_deadline, settings, client):
    from docketapp.audit import attributed
    from patents.models import UserProfile

    settings.REMINDERS_DIGEST_HOUR = 23
    make_deadline(due_date=DUE)
    sweep(at(DUE - dt.timedelta(days=3), 8))  # 08:00 UTC = 17:00 in Tokyo
    delivery = Delivery.objects.get(reminder__deadline__isnull=False)
    staffer = UserFactory(username="staffer", is_staff=True)
    TeamMembershipFactory(user=staffer, client=delivery.reminder.deadline.matter.client)
    with attributed(reason="test preference", process="tests"):
        UserProfile.objects.create(user=staffer, date_format="Y-m-d", time_zone="Asia/Tokyo")
    client.force_login(staffer)
    assert "2026-05-29, 17:00 JST" in client.get("/deadlines/outbox/").content.decode()
    assert "2026-05-29, 17:00:00 JST" in client.get(f"/deadlines/outbox/{delivery.pk}/").content.decode()
