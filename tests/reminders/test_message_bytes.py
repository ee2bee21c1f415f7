"""The sweep's faster message paths say exactly what the one-by-one paths said.

- ``ReminderEmail`` (short headers written directly, the boundary chosen without a regular expression, the
  multipart header folded once, a text's lines written in one piece, text parts copied from a prototype) gives
  the same bytes on the wire as Django's ``EmailMultiAlternatives``;
- digests and reports loaded for a whole batch (``prefetch_contexts``) render to the same text and HTML as
  the ones loaded recipient by recipient.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from deadlines.models import Deadline, Reminder
from deadlines.reminders import messages
from patents.models import TeamMembership
from tests.factories import ClientFactory, DeadlineFactory, MatterFactory, TeamMembershipFactory, UserFactory

from .conftest import at

LONG_LINE = "x" * 1200  # over the 998-character SMTP limit: Django switches that part to quoted-printable

CASES = [
    # (subject, text, html, extra headers)
    ("Due in 7 days: [ACME-001] Reply (02 Mar 2026)", "Plain text\nsecond line\n", "<p>html</p>", {}),
    ("OVERDUE 3 days: [ACME-001] Pay the renewal fee – year 5 (was due 02 Mar 2026)", "é – ü\n", "<p>é</p>", {}),
    ("A subject long enough to be folded by the header algorithm, with words and more words to spare", "t", "h", {}),
    ("Two  spaces and a trailing one ", "t", "h", {"X-Odd": "  padded  "}),
    ("Encoded =?utf-8?q?word?= lookalike", LONG_LINE, f"<p>{LONG_LINE}</p>", {"X-Tab": "a\tb"}),
    ("Docket digest Wed 03 Jun: 1 overdue, 1 due this week, 0 unverified", "--=====\n", "<b>--</b>", {}),
    # Line endings of every kind, blank lines, no final newline: the generator writes a text's lines in one piece.
    ("Line endings", "a\r\nb\rc\n\n\nd", "<p>\r\n</p>\r", {}),
    ("Empty text", "", "<p>only html</p>\n", {}),
    # Text parts copied from a prototype: ASCII (7bit) and not (8bit); lines at and over the 998-byte limit in
    # characters of several bytes; a line separator only str.splitlines knows (Django's check splits there).
    ("ASCII only", "abc\n", "<p>abc</p>", {}),
    ("At the limit", "é" * 499 + "\nnext", "<p>" + "a" * 995 + "</p>", {}),
    ("Unicode separator", "a\u2028" + "b" * 997, "<p>\u2028</p>", {}),
]


def _bytes(cls: type[EmailMultiAlternatives], subject: str, text: str, html: str, extra: dict[str, str]) -> bytes:
    message = cls(
        subject=subject,
        body=text,
        from_email="docketapp <docket@firm.test>",
        to=["paula@firm.test"],
        headers={
            "Message-ID": "<docket.r1.u2.email@firm.test>",
            "Auto-Submitted": "auto-generated",
            "X-Docketapp-Delivery": "12345",
            **extra,
        },
    )
    message.attach_alternative(html, "text/html")
    wire = []
    for linesep in ("\r\n", "\n"):  # SMTP's, and the default
        random.seed(20261204)  # the boundary is random: the same draw for both
        wire.append(message.message().as_bytes(linesep=linesep))
    return b"\0".join(wire)


@pytest.mark.parametrize(("subject", "text", "html", "extra"), CASES)
def test_reminder_email_bytes_equal_djangos(subject, text, html, extra):
    with time_machine.travel(dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC), tick=False):  # the Date header
        ours = _bytes(messages.ReminderEmail, subject, text, html, extra)
        django = _bytes(EmailMultiAlternatives, subject, text, html, extra)
    assert ours == django


WEDNESDAY = dt.date(2026, 6, 3)


@pytest.fixture
def two_teams(db, monkeypatch):
    """Three clients, two overlapping teams, more rows per section than the (shortened) list limit."""
    monkeypatch.setattr(messages, "DIGEST_LIST_LIMIT", 3)
    clients = [ClientFactory(reference=f"C{n}", name=f"Client {n}") for n in range(3)]
    paula = UserFactory(username="paula", email="paula@firm.test")  # clients 0 and 1
    otto = UserFactory(username="otto", email="otto@firm.test")  # clients 1 and 2
    arthur = UserFactory(username="arthur", email="arthur@firm.test")  # attorney of 0 and 2 only
    for user, client in [(paula, 0), (paula, 1), (otto, 1), (otto, 2), (arthur, 0), (arthur, 2)]:
        TeamMembershipFactory(user=user, client=clients[client], role=TeamMembership.Role.PARALEGAL)
    verified = timezone.now()
    for n, client in enumerate(clients):
        # Arthur is the attorney of client 1's matter too, but not on its team: the report leaves it out.
        matter = MatterFactory(client=client, reference=f"M{n}", responsible_attorney=arthur)
        for day in (-9, -3, -1, 0, 2, 5, 6, 7, 20, 50, 70):
            DeadlineFactory(
                matter=matter,
                title=f"{client.reference} {day:+d}",
                due_date=WEDNESDAY + dt.timedelta(days=day + n % 2),
                verified_at=None if day % 3 == 0 else verified,
                responsible=paula,
            )
        DeadlineFactory(matter=matter, title="missed", due_date=WEDNESDAY - dt.timedelta(days=4), status="missed")
        DeadlineFactory(matter=matter, title="optional", due_date=WEDNESDAY - dt.timedelta(days=4), optional=True)
        DeadlineFactory(matter=matter, title="done", due_date=WEDNESDAY, status=Deadline.Status.DONE)
    return {"paula": paula, "otto": otto, "arthur": arthur}


def _render_all(people, now, *, cache):
    rendered = {}
    for kind, user in [(Reminder.Kind.DIGEST, people["paula"]), (Reminder.Kind.DIGEST, people["otto"]),
                       (Reminder.Kind.REPORT, people["arthur"]), (Reminder.Kind.DIGEST, people["arthur"])]:
        if kind == Reminder.Kind.DIGEST:
            context = messages.digest_context(user=user, now=now, cache=cache)
            base = "emails/digest"
        else:
            context = messages.report_context(user=user, now=now, cache=cache)
            base = "emails/report"
        texts = messages._render(base, {**context, "dashboard_url": "http://x/"}, cache=None, key=None)
        rendered[(kind, user.username)] = (context.get("has_content"), *texts)
    return rendered


def test_batch_loaded_digests_and_reports_render_the_same_as_one_by_one(two_teams, django_assert_max_num_queries):
    now = at(WEDNESDAY, 7, 30)
    one_by_one = _render_all(two_teams, now, cache=None)
    users = [two_teams["paula"], two_teams["otto"], two_teams["arthur"], two_teams["arthur"]]
    reminders = [Reminder(kind=k, target_date=WEDNESDAY) for k in ("digest", "digest", "report", "digest")]
    cache: dict = {}
    with django_assert_max_num_queries(8):  # memberships, counts + three lists, reports: not per recipient
        messages.prefetch_contexts(reminders, users, now=now, cache=cache)
    with django_assert_max_num_queries(0):
        batched = _render_all(two_teams, now, cache=cache)
    assert batched == one_by_one
    digest = one_by_one[("digest", "paula")][1]
    assert "C0 -9" in digest and "… and more on the dashboard" in digest  # the limit did cut the lists
    report = one_by_one[("report", "arthur")][1]
    assert "C2 +20" in report and "C1 +" not in report  # client 1 is not arthur's team
