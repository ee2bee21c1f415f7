"""What the sweep sends is what ``build_message`` renders for the delivery loaded from the database.

The sweep renders from the reminder objects its claim loaded (``delivery.attach_related``) and loads each
recipient once per part; a delivery retried in a later sweep has its reminder loaded there. Either way the
text, the HTML and the headers are those of the delivery as it is in the database.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from deadlines.models import Delivery
from deadlines.reminders import messages
from tests.factories import UserFactory

from . import backends
from .conftest import at, set_profile, sweep

DUE = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _no_digests(settings):
    settings.REMINDERS_DIGEST_HOUR = 23


def _sent(message) -> tuple:
    return message.subject, message.to, message.body, message.alternatives, message.extra_headers


@pytest.mark.django_db
def test_reminders_and_escalations_sent_by_a_sweep_are_rendered_as_from_the_database(team, make_deadline, mailoutbox):
    otto = UserFactory(username="otto", email="otto@firm.test")
    set_profile(otto, date_format="Y-m-d")
    make_deadline(due_date=DUE, title="Reply to the examination report")
    make_deadline(due_date=DUE, responsible=otto, title="File the translation – “claims”")
    overdue = make_deadline(due_date=DUE - dt.timedelta(days=12), title="Pay the renewal fee <year 5>")
    when = at(DUE - dt.timedelta(days=7), 8)
    sweep(when)
    # The overdue deadline's escalation goes to the paralegal and to the supervising attorney.
    assert Delivery.objects.filter(reminder__deadline=overdue).count() == 2
    assert len(mailoutbox) == Delivery.objects.count() >= 4
    for message in mailoutbox:
        # Loaded from the database, its related rows one by one as build_message reads them.
        delivery = Delivery.objects.get(message_id=message.extra_headers["Message-ID"])
        assert delivery.status == Delivery.Status.SENT
        with time_machine.travel(when, tick=False):
            reference = messages.build_message(delivery, now=when)
        assert _sent(message) == (
            reference.subject,
            reference.to,
            reference.body,
            reference.alternatives,
            reference.extra_headers,
        )


@pytest.mark.django_db
def test_a_retried_delivery_is_rendered_as_from_the_database(team, make_deadline, settings, mailoutbox):
    backends.FlakyBackend.failures.clear()
    settings.EMAIL_BACKEND = "tests.reminders.backends.FlakyBackend"
    make_deadline(due_date=DUE, title="Reply to the examination report")
    first = at(DUE - dt.timedelta(days=7), 8)
    sweep(first)
    assert Delivery.objects.get().status == Delivery.Status.RETRY
    later = first + dt.timedelta(minutes=11)
    sweep(later)  # the reminder is not claimed in this sweep: its delivery is loaded with it
    (message,) = mailoutbox
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT
    with time_machine.travel(later, tick=False):
        reference = messages.build_message(delivery, now=later)
    assert (message.subject, message.body, message.alternatives) == (
        reference.subject,
        reference.body,
        reference.alternatives,
    )
