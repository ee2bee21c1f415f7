"""Exactly once: retries, a worker dying mid-send (simulated and a real SIGKILL), two sweeps at once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection

from deadlines.models import Delivery, Reminder
from deadlines.reminders import LEASE, send_due_reminders
from tests.concurrency import on_own_connection
from tests.factories import TeamMembershipFactory, UserFactory

from . import backends
from .conftest import at, sweep

DUE = dt.date(2026, 6, 1)
WHEN = at(DUE - dt.timedelta(days=7), 8)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_digests_today(settings):
    # These tests count deliveries of deadline reminders; keep the morning digests out of the way.
    settings.REMINDERS_DIGEST_HOUR = 23


@pytest.fixture
def three_due(team, make_deadline):
    """Three deadlines whose 7-day reminder is due at WHEN, each to a different paralegal."""
    made = []
    for n in range(3):
        user = UserFactory(username=f"para{n}", email=f"para{n}@firm.test")
        made.append(make_deadline(due_date=DUE, responsible=user, title=f"Deadline {n}"))
    return made


def message_ids(messages) -> list[str]:
    return [m.extra_headers["Message-ID"] for m in messages]


@pytest.mark.django_db
def test_worker_dying_after_the_server_accepted_does_not_lead_to_a_duplicate(three_due, settings, mailoutbox):
    backends.ACCEPTED.clear()
    settings.REMINDERS_SEND_CHUNK = 1
    settings.EMAIL_BACKEND = "tests.reminders.backends.DiesAfterAcceptingBackend"
    with pytest.raises(backends.WorkerKilled):
        sweep(WHEN)
    assert len(backends.ACCEPTED) == 1
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == ["queued", "queued", "sending"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Before the lease runs out nobody touches the dead sweep's claims.
    sweep(WHEN + dt.timedelta(minutes=5))
    assert mailoutbox == []
    # After it: the two never handed over are sent; the one the server may have is NOT resent.
    sweep(WHEN + LEASE + dt.timedelta(minutes=1))
    sweep(WHEN + LEASE + dt.timedelta(minutes=30))
    accepted_id = message_ids(backends.ACCEPTED)[0]
    assert accepted_id not in message_ids(mailoutbox)
    all_ids = message_ids(backends.ACCEPTED) + message_ids(mailoutbox)
    assert len(all_ids) == len(set(all_ids)) == 3
    unconfirmed = Delivery.objects.get(message_id=accepted_id)
    assert unconfirmed.status == Delivery.Status.UNCONFIRMED
    assert "may have been sent" in unconfirmed.error
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["sent", "sent", "unconfirmed"]


@pytest.mark.django_db
def test_unconfirmed_delivery_is_listed_for_staff_on_the_outbox_page(three_due, settings, client):
    backends.ACCEPTED.clear()
    settings.REMINDERS_SEND_CHUNK = 1
    settings.EMAIL_BACKEND = "tests.reminders.backends.DiesAfterAcceptingBackend"
    with pytest.raises(backends.WorkerKilled):
        sweep(WHEN)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep(WHEN + LEASE + dt.timedelta(minutes=1))
    unconfirmed = Delivery.objects.get(status=Delivery.Status.UNCONFIRMED)
    staff = UserFactory(username="staffer", is_staff=True)
    # The outbox shows staff the deliveries of their own clients' matters.
    TeamMembershipFactory(user=staff, client=unconfirmed.reminder.deadline.matter.client)
    client.force_login(staff)
    page = client.get("/deadlines/outbox/").content.decode()
    assert "1 unconfirmed delivery" in page
    detail = client.get(f"/deadlines/outbox/{unconfirmed.pk}/").content.decode()
    assert unconfirmed.message_id.replace("<", "&lt;").replace(">", "&gt;") in detail
    # The text as handed to the server is kept, so a human can judge (and, if needed, resend) it.
    assert "Due in 7 days" in detail and unconfirmed.reminder.deadline.title in detail
    # Not for non-staff users.
    client.force_login(UserFactory(username="nonstaff"))
    assert client.get("/deadlines/outbox/").status_code == 302


@pytest.mark.django_db
def test_connection_dropped_mid_data_is_unconfirmed_not_retried(three_due, settings, mailoutbox):
    backends.ACCEPTED.clear()
    settings.EMAIL_BACKEND = "tests.reminders.backends.DisconnectsMidDataBackend"
    sweep(WHEN)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep(WHEN + dt.timedelta(hours=2))
    assert mailoutbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.UNCONFIRMED}


@pytest.mark.django_db
def test_refused_message_is_retried_and_then_sent_once(team, make_deadline, settings, mailoutbox):
    backends.FlakyBackend.failures.clear()
    settings.EMAIL_BACKEND = "tests.reminders.backends.FlakyBackend"
    make_deadline(due_date=DUE)
    sweep(WHEN)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.RETRY, 1)
    assert "451" in delivery.error
    sweep(WHEN + dt.timedelta(minutes=5))  # backoff after the first attempt is 10 minutes
    assert mailoutbox == []
    sweep(WHEN + dt.timedelta(minutes=11))
    sweep(WHEN + dt.timedelta(minutes=16))
    assert [m.subject[:14] for m in mailoutbox] == ["Due in 7 days:"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_message_once(team, make_deadline, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.reminders.backends.SlowLocmemBackend"
    settings.REMINDERS_SEND_CHUNK = 2
    users = [UserFactory(username=f"c{n}", email=f"c{n}@firm.test") for n in range(4)]
    for n in range(40):
        make_deadline(due_date=DUE - dt.timedelta(days=n % 5), responsible=users[n % 4], title=f"D{n}")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        send_due_reminders(now=WHEN, batch_size=7)

    threads = [threading.Thread(target=on_own_connection(run, errors), name=f"sweep-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    ids = message_ids(mailoutbox)
    assert len(ids) == len(set(ids))
    expected = Delivery.objects.filter(status=Delivery.Status.SENT).count()
    assert len(ids) == expected >= 40
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
    assert not Reminder.objects.filter(status=Reminder.Status.SCHEDULED, due_at__lte=WHEN).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_killed_with_sigkill_mid_send_is_not_resent(team, make_deadline, tmp_path, settings, mailoutbox):
    """A real process, a real SIGKILL while it is inside the mail backend."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = dt.datetime.now(dt.UTC).date()
    for n in range(3):
        user = UserFactory(username=f"k{n}", email=f"k{n}@firm.test")
        make_deadline(
            due_date=today + dt.timedelta(days=3), responsible=user, title=f"Kill {n}", created=dt.datetime.now(dt.UTC)
        )
    marker = tmp_path / "handed-over.txt"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reminders.crash_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REMINDER_TEST_MARKER": str(marker),
    }
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "send_due_reminders"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not (marker.exists() and marker.read_text().strip()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        assert marker.exists(), "the subprocess never reached the mail backend"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    handed_over = marker.read_text().split()
    assert len(handed_over) == 1
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == 1

    with time_machine.travel(dt.datetime.now(dt.UTC) + LEASE + dt.timedelta(minutes=1), tick=False):
        send_due_reminders()
        send_due_reminders()
    sent_ids = message_ids(mailoutbox)
    assert handed_over[0] not in sent_ids
    assert len(sent_ids) == len(set(sent_ids))
    assert Delivery.objects.get(message_id=handed_over[0]).status == Delivery.Status.UNCONFIRMED
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == len(sent_ids) >= 2
    assert django_settings.EMAIL_BACKEND.endswith("locmem.EmailBackend")


@pytest.mark.django_db
def test_a_backlog_is_drained_by_helpers_after_the_catch_up_pass_each_message_once(
    team, make_deadline, settings, mailoutbox
):
    """A sweep with more than a batch due asks for helpers (Celery tasks on other workers) and they drain
    with the sweep's clock; they are asked only once overtaken reminders are skipped, so none of those goes."""
    from deadlines import tasks
    from deadlines.reminders import drain_due_reminders

    settings.REMINDERS_SWEEP_WORKERS = 3
    users = [UserFactory(username=f"h{n}", email=f"h{n}@firm.test") for n in range(3)]
    # Planned 60 days ahead: each deadline's 60-, 30- and 14-day reminders are overtaken by its 7-day one.
    made = [
        make_deadline(due_date=DUE, responsible=users[n % 3], title=f"Backlog {n}", created=at(DUE - dt.timedelta(60)))
        for n in range(7)
    ]
    asked: list[tuple[dt.datetime, int]] = []

    def helpers(now: dt.datetime, count: int) -> None:
        asked.append((now, count))
        assert not Reminder.objects.due(now).filter(offset_days__gt=7).exists()  # catch-up already done
        drain_due_reminders(now=now, batch_size=2, max_batches=1)  # a helper takes a batch meanwhile
        tasks.drain_due_reminders.run(now.isoformat())  # another, through the Celery task's own code

    with time_machine.travel(WHEN, tick=False):
        counts = send_due_reminders(now=WHEN, batch_size=2, helpers=helpers)
    assert asked == [(WHEN, 2)]  # 7 due, batches of 2: two helpers (REMINDERS_SWEEP_WORKERS - 1)
    assert counts["skipped_overtaken"] == 21
    ids = message_ids(mailoutbox)
    assert len(ids) == len(set(ids)) == 7
    assert sorted(m.subject.split("] ")[1].split(" (")[0] for m in mailoutbox) == sorted(d.title for d in made)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}

