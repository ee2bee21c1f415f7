"""One definition each of "needs action", "overdue" and "needs verification": the model, its QuerySet and the
docket's annotation agree for every status, so the docket, calendar, matter page and reminders cannot differ."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from deadlines.filters import with_docket_annotations
from deadlines.models import Deadline
from tests.factories import DeadlineFactory, MatterFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def rows():
    matter = MatterFactory()
    made = []
    for status in Deadline.Status:
        for due, extended in ((TODAY - dt.timedelta(days=3), None), (TODAY + dt.timedelta(days=3), None),
                              (TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=1))):
            for verified in (None, timezone.now()):
                made.append(DeadlineFactory(matter=matter, status=status, due_date=due, extended_to=extended,
                                            verified_at=verified))
    return made


def test_model_queryset_and_docket_agree_on_needs_action_and_overdue(rows):
    needs_action = set(Deadline.objects.needs_action().values_list("pk", flat=True))
    overdue = set(Deadline.objects.overdue(TODAY).values_list("pk", flat=True))
    ranked = dict(with_docket_annotations(Deadline.objects.all(), TODAY).values_list("pk", "overdue_rank"))
    for d in rows:
        assert d.needs_action == (d.pk in needs_action) == (d.status in ("open", "missed")), d.status
        assert d.is_overdue(TODAY) == (d.pk in overdue) == (ranked[d.pk] == 0), (d.status, d.due_date)
    # An extension actually taken moves the date in force: not overdue although the due date passed.
    assert not any(d.is_overdue(TODAY) for d in rows if d.extended_to)


def test_a_missed_deadline_past_its_date_is_overdue_like_an_open_one(rows):
    for status in ("open", "missed"):
        past = next(d for d in rows if d.status == status and d.due_date < TODAY and not d.extended_to)
        assert past.is_overdue(TODAY)
    assert not any(d.is_overdue(TODAY) for d in rows if d.status in ("done", "waived", "superseded"))


def test_model_and_queryset_agree_on_needs_verification(rows):
    unverified = set(Deadline.objects.unverified().values_list("pk", flat=True))
    for d in rows:
        assert d.needs_verification == (d.pk in unverified), (d.status, d.verified_at)
    assert not any(d.needs_verification for d in rows if d.status == "superseded")
