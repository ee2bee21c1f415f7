"""Fixtures for the reminder tests: a matter with a responsible paralegal and a supervising attorney."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from deadlines.models import Deadline, Delivery, Reminder
from deadlines.reminders import send_due_reminders, sync_reminders_for_deadlines
from docketapp.audit import attributed
from patents.models import TeamMembership, UserProfile
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

UTC = dt.UTC


def at(day: dt.date, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The factories hash a password per user; PBKDF2 would dominate these tests' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    client = ClientFactory(reference="ACME", name="Acme Batteries")
    paralegal = UserFactory(username="paula", email="paula@firm.test")
    attorney = UserFactory(username="arthur", email="arthur@firm.test")
    TeamMembershipFactory(user=paralegal, client=client, role=TeamMembership.Role.PARALEGAL)
    TeamMembershipFactory(user=attorney, client=client, role=TeamMembership.Role.ATTORNEY)
    matter = MatterFactory(
        client=client, reference="ACME-001", responsible_attorney=attorney, responsible_paralegal=paralegal
    )
    return {"client": client, "paralegal": paralegal, "attorney": attorney, "matter": matter}


@pytest.fixture
def make_deadline(team):
    def make(**kwargs) -> Deadline:
        kwargs.setdefault("matter", team["matter"])
        kwargs.setdefault("responsible", team["paralegal"])
        with time_machine.travel(kwargs.pop("created", at(dt.date(2026, 1, 5))), tick=False):
            deadline = DeadlineFactory(**kwargs)
            sync_reminders_for_deadlines(deadline_ids=[deadline.pk])
        return deadline

    return make


def sweep(when: dt.datetime, **kwargs) -> dict:
    with time_machine.travel(when, tick=False):
        return send_due_reminders(**kwargs)


def change(deadline: Deadline, reason: str = "test change", **fields) -> Deadline:
    """Change a deadline the way the engine/actions do (attributed, update_fields), then sync."""
    with attributed(reason=reason, process="tests"):
        for name, value in fields.items():
            setattr(deadline, name, value)
        deadline.save(update_fields=[*fields, "updated_at"])
    return deadline


def resync(deadline: Deadline, when: dt.datetime) -> dict:
    """What the engine/actions do after a change: sync the deadline's reminders (at that moment)."""
    with time_machine.travel(when, tick=False):
        return sync_reminders_for_deadlines(deadline_ids=[deadline.pk])


def set_profile(user, **fields) -> UserProfile:
    with attributed(reason="test profile", process="tests"):
        profile, _ = UserProfile.objects.get_or_create(user=user)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
    user.refresh_from_db()
    return profile


def sent_to(mailoutbox, address: str) -> list:
    return [m for m in mailoutbox if address in m.to]


__all__ = ["Delivery", "Reminder", "at", "change", "resync", "set_profile", "sent_to", "sweep"]
