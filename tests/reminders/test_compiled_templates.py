"""Deadline reminders rendered the sweep's way (the template once per shape, then filled in) say exactly what
the templates rendered with the objects themselves say: every kind, every date format, both recipients of an
escalation, text and HTML, awkward characters included."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.utils import timezone

from deadlines.models import Deadline, Reminder
from deadlines.reminders import compiled, messages
from patents.dates import HINTS, preferences_for
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, UserFactory

from .conftest import at, set_profile
from .test_explanation_in_email import EXPLANATION, REMEDIES

TODAY = dt.date(2026, 6, 1)
K = Reminder.Kind
COMMON = {"site_url": str(settings.SITE_URL).rstrip("/"), "dashboard_url": "https://docket.test/"}


@pytest.fixture
def varied(db):
    """Deadlines that take every branch of the template, with text that HTML must escape."""
    client = ClientFactory(reference="R&D <1>", name='Acme "Batteries" & Söhne')
    attorney = UserFactory(username="arthur", email="arthur@firm.test")
    paralegal = UserFactory(username="o'neil", email="oneil@firm.test")
    matter = MatterFactory(
        client=client,
        reference="ACME-001",
        title="Battery <electrode> & cell – ß",
        application_number="",
        responsible_attorney=attorney,
        responsible_paralegal=paralegal,
    )
    verified = timezone.now()
    deadlines = [
        DeadlineFactory(
            matter=matter,
            responsible=paralegal,
            due_date=TODAY,
            verified_at=verified,
            explanation=EXPLANATION,
            remedies=REMEDIES,
        ),
        DeadlineFactory(
            matter=matter,
            responsible=None,
            title='Pay <fee> & "more"',
            citation="",
            due_date=TODAY,
            extended_to=TODAY + dt.timedelta(days=30),
            kind=Deadline.Kind.PROCEDURAL,
        ),
        DeadlineFactory(
            matter=matter,
            responsible=attorney,
            title="Renewal – year 5 {{ x }} %s",
            due_date=TODAY + dt.timedelta(days=1),
            extendable=True,
            latest_date=TODAY + dt.timedelta(days=183),
            verified_at=verified,
        ),
        DeadlineFactory(
            matter=MatterFactory(client=client, reference="ACME-002", application_number="EP 24 123.4"),
            responsible=paralegal,
            due_date=TODAY - dt.timedelta(days=3),
            extendable=True,
            latest_date=None,
            kind=Deadline.Kind.INTERNAL,
        ),
    ]
    return {"deadlines": deadlines, "recipients": [paralegal, attorney]}


def _cases(varied):
    kinds_days = [
        (K.BEFORE_DUE, 0),
        (K.BEFORE_DUE, 1),
        (K.BEFORE_DUE, 14),
        (K.BEFORE_LATEST, 0),
        (K.BEFORE_LATEST, 1),
        (K.BEFORE_LATEST, 60),
        (K.INSTRUCTION, 0),
        (K.INSTRUCTION, 1),
        (K.INSTRUCTION, 30),
        (K.OVERDUE, -1),
        (K.OVERDUE, -9),
    ]
    for deadline, (kind, days), user in itertools.product(varied["deadlines"], kinds_days, varied["recipients"]):
        yield Reminder(pk=1, deadline=deadline, kind=kind, target_date=TODAY + dt.timedelta(days=days)), user


def _reference(reminder, user, now):
    """The templates rendered with the objects (``deadline_context``), as before the compiled path."""
    common = {**COMMON, "recipient": user}
    with preferences_for(user):
        context = {**common, **messages.deadline_context(reminder, user=user, now=now, cache=None)}
        return messages._render("emails/deadline_reminder", context, cache=None, key=None)


def _compiled(reminder, user, now, cache):
    common = {**COMMON, "recipient": user}
    with preferences_for(user):
        return messages._render_for(reminder, user=user, now=now, common=common, cache=cache)


@pytest.mark.parametrize("date_format", sorted(HINTS))
def test_compiled_deadline_reminders_are_the_templates_text_exactly(varied, date_format):
    for user in varied["recipients"]:
        set_profile(user, date_format=date_format)
        user.refresh_from_db()
    now = at(TODAY, 7)
    cache: dict = {}  # one batch's cache, shared as in the sweep
    compared = 0
    for reminder, user in _cases(varied):
        expected = _reference(reminder, user, now)
        assert _compiled(reminder, user, now, cache) == expected, (reminder.kind, reminder.target_date, user)
        compared += 1
    assert compared == 88
    # The awkward values did reach the messages, escaped in HTML and as typed in the text.
    text, html = _reference(
        Reminder(deadline=varied["deadlines"][1], kind=K.BEFORE_DUE, target_date=TODAY), varied["recipients"][0], now
    )
    assert 'Pay <fee> & "more"' in text and "Pay &lt;fee&gt; &amp; &quot;more&quot;" in html
    assert "nobody assigned" in text


def test_a_value_that_looks_like_a_marker_is_printed_as_it_is(db):
    fields = {
        "is_overdue": False,
        "is_latest": False,
        "is_instruction": False,
        "days_left": 3,
        "days_overdue": -3,
        "supervising_attorney": False,
        "deadline": {"title": "\x1e<0>\x1f <b>", "responsible": None},
    }
    [html] = compiled.render(["emails/deadline_reminder.html"], fields)
    assert html.count("\x1e&lt;0&gt;\x1f &lt;b&gt;") == 2  # the link's text and the title


def test_a_template_that_alters_a_string_is_rendered_plainly_never_with_a_broken_marker(settings):
    """The fill-in rule is that strings are only printed. A template edited against it (``|upper``, a slice)
    would turn a marker into text the cut cannot find: such a template is rendered with the values
    themselves, so a reminder never carries a marker or a wrong value."""
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {
                        "plain.txt": "Due: {{ deadline.title }} for {{ client }}",
                        "shouting.txt": "DUE: {{ deadline.title|upper }} ({{ client|slice:':3' }})",
                    })
                ]
            },
        }
    ]
    context = {"deadline": {"title": "Reply <to> office"}, "client": "Acme"}
    for _ in range(2):  # the first rendering of a shape and the cached one
        plain, shouting = compiled.render(["plain.txt", "shouting.txt"], context)
        assert plain == "Due: Reply &lt;to&gt; office for Acme"
        assert shouting == "DUE: REPLY &lt;TO&gt; OFFICE (Acm)"
        assert "\x1e" not in shouting and "\x1f" not in shouting
