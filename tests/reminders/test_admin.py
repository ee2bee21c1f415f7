"""Admin: policies are edited there; a human resolves unconfirmed deliveries there."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from deadlines.models import Delivery, ReminderPolicy
from deadlines.reminders import LEASE
from tests.factories import UserFactory

from . import backends
from .conftest import at, sweep

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 6, 1)
WHEN = at(DUE - dt.timedelta(days=7), 8)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def unconfirmed(make_deadline, settings):
    settings.REMINDERS_DIGEST_HOUR = 23
    settings.REMINDERS_SEND_CHUNK = 1
    backends.ACCEPTED.clear()
    make_deadline(due_date=DUE)
    settings.EMAIL_BACKEND = "tests.reminders.backends.DiesAfterAcceptingBackend"
    with pytest.raises(backends.WorkerKilled):
        sweep(WHEN)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep(WHEN + LEASE + dt.timedelta(minutes=1))
    return Delivery.objects.get(status=Delivery.Status.UNCONFIRMED)


@pytest.mark.parametrize("page", ["reminder", "delivery", "reminderpolicy", "reminderpolicy/add"])
def test_reminder_admin_pages_open(admin_client, make_deadline, page):
    make_deadline(due_date=DUE)
    assert admin_client.get(f"/admin/deadlines/{page}/").status_code == 200


def test_policy_is_added_in_the_admin_with_a_reason(admin_client, team):
    response = admin_client.post(
        "/admin/deadlines/reminderpolicy/add/",
        {
            "client": team["client"].pk,
            "deadline_kind": "",
            "before_due_days": "45, 10",
            "before_latest_days": "",
            "note": "",
            "change_reason": "client asked for fewer e-mails",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = ReminderPolicy.objects.get()
    assert policy.before_due == (45, 10)
    assert policy.history.first().history_change_reason == "admin: client asked for fewer e-mails"


def test_human_confirms_an_unconfirmed_delivery_was_sent(admin_client, unconfirmed, mailoutbox):
    admin_client.post("/admin/deadlines/delivery/", {"action": "confirm_sent", "_selected_action": [unconfirmed.pk]})
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Delivery.Status.SENT
    assert "confirmed sent from the mail log by root" in unconfirmed.error
    sweep(WHEN + 3 * LEASE)
    assert mailoutbox == []


def test_human_releases_an_unsent_delivery_and_the_next_sweep_sends_it_once(admin_client, unconfirmed, mailoutbox):
    with time_machine.travel(WHEN + 2 * LEASE, tick=False):
        admin_client.post(
            "/admin/deadlines/delivery/", {"action": "release_for_resend", "_selected_action": [unconfirmed.pk]}
        )
    sweep(WHEN + 3 * LEASE)
    sweep(WHEN + 4 * LEASE)
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [unconfirmed.message_id]
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Delivery.Status.SENT
