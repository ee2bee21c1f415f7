"""Weekly reports are rendered a few at a time (each holds every row of its attorney's next eight weeks): split
into groups, every attorney still gets their own report, once, with their own rows."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlines.reminders import delivery
from patents.models import TeamMembership
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

from .conftest import at, sent_to, sweep

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 6, 1)


def test_reports_rendered_in_groups_each_go_to_their_attorney_once_with_their_rows(monkeypatch, mailoutbox):
    monkeypatch.setattr(delivery, "REPORTS_AT_ONCE", 1)
    client = ClientFactory(reference="ACME", name="Acme")
    names = [f"att{n}" for n in range(3)]
    for n, name in enumerate(names):
        attorney = UserFactory(username=name, email=f"{name}@firm.test")
        TeamMembershipFactory(user=attorney, client=client, role=TeamMembership.Role.ATTORNEY)
        matter = MatterFactory(client=client, reference=f"M-{name}", responsible_attorney=attorney)
        DeadlineFactory(matter=matter, title=f"Deadline of {name}", due_date=MONDAY + dt.timedelta(days=30 + n))
    sweep(at(MONDAY, 8))
    for name in names:
        [report] = [m for m in sent_to(mailoutbox, f"{name}@firm.test") if m.subject.startswith("Weekly docket report")]
        assert f"Deadline of {name}" in report.body
        assert [other for other in names if other != name and f"Deadline of {other}" in report.body] == []
