from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from deadlines.models import Deadline
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

TODAY = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def _plain_static(settings):
    # Tests do not run collectstatic; the manifest storage would refuse every {% static %}.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 at production strength costs ~0.3 s per user; these tests are about pages, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def portfolio(db, today):
    """Two clients; alice and bob work on A, carol on B. Deadlines spread around 'today'."""
    alice, bob, carol = (
        UserFactory(username="alice"),
        UserFactory(username="bob"),
        UserFactory(username="carol"),
    )
    client_a, client_b = ClientFactory(reference="ACME"), ClientFactory(reference="BETA")
    TeamMembershipFactory(user=alice, client=client_a)
    TeamMembershipFactory(user=bob, client=client_a)
    TeamMembershipFactory(user=carol, client=client_b)
    matter_a = MatterFactory(client=client_a, reference="ACME-001", responsible_paralegal=alice)
    matter_a2 = MatterFactory(
        client=client_a,
        reference="ACME-002",
        office="US",
        application_number="17/123,456",
        application_number_normalized="17123456",
    )
    matter_b = MatterFactory(client=client_b, reference="BETA-001")
    overdue = DeadlineFactory(
        matter=matter_a,
        title="Reply to Art. 94(3) communication",
        responsible=alice,
        due_date=TODAY - dt.timedelta(days=5),
    )
    soon = DeadlineFactory(
        matter=matter_a,
        title="Pay renewal fee year 6",
        responsible=alice,
        kind=Deadline.Kind.PROCEDURAL,
        due_date=TODAY + dt.timedelta(days=10),
    )
    later = DeadlineFactory(
        matter=matter_a2,
        title="Reply to non-final Office action",
        responsible=bob,
        office="US",
        due_date=TODAY + dt.timedelta(days=40),
    )
    far = DeadlineFactory(
        matter=matter_a,
        title="File divisional (internal reminder)",
        responsible=alice,
        kind=Deadline.Kind.INTERNAL,
        due_date=TODAY + dt.timedelta(days=200),
    )
    other = DeadlineFactory(
        matter=matter_b,
        title="BETA secret deadline",
        responsible=carol,
        due_date=TODAY + dt.timedelta(days=3),
    )
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "client_a": client_a,
        "client_b": client_b,
        "matter_a": matter_a,
        "matter_a2": matter_a2,
        "matter_b": matter_b,
        "overdue": overdue,
        "soon": soon,
        "later": later,
        "far": far,
        "other": other,
    }
